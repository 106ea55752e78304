"""The `schutzpfad` command line (interfaces.md). Results to stdout, messages to stderr, and on
failure one line with the reason and a non-zero exit — never a traceback.

`base` holds the group and the shared helpers; `operations`, `audit_commands`, `backup_commands`,
`retention_commands`, `statistics_commands`, `demo_commands` and `sso_commands` add their commands to
it when imported here.
"""

from web.cli import (
    audit_commands,
    backup_commands,
    demo_commands,
    operations,
    retention_commands,
    sso_commands,
    statistics_commands,
)
from web.cli.base import main

__all__ = [
    "audit_commands",
    "backup_commands",
    "demo_commands",
    "main",
    "operations",
    "retention_commands",
    "sso_commands",
    "statistics_commands",
]
