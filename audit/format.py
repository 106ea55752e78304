"""The chain's byte format (format 1), public for tools that write a chain outside the vault.

The benchmark (bench/audit.py) fills a database with a million events made byte for byte as
`AuditVault.append` makes them, and times the verifier's own scan. The engine and the web never
write the chain themselves: they call `AuditVault`, and an import-linter contract keeps them off
this module. The definitions live in the private `audit._primitives`; this module only names the
part of them that is the documented format.
"""

from __future__ import annotations

from audit._primitives import (
    GENESIS_HASH,
    SEP,
    TIME_FORMAT,
    checkpoint_message,
    encode_json,
    entry_hash,
    event_aad,
    header_fields,
    new_key,
    seal,
)
from audit._verify_parallel import SQLITE_SCAN

__all__ = [
    "GENESIS_HASH",
    "SEP",
    "SQLITE_SCAN",
    "TIME_FORMAT",
    "checkpoint_message",
    "encode_json",
    "entry_hash",
    "event_aad",
    "header_fields",
    "new_key",
    "seal",
]
