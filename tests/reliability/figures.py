"""Where the reliability suite's figures go: one JSON line per test into the file named by
SCHUTZPFAD_RELIABILITY_REPORT (set by `make reliability`; docs/reliability.md quotes them), and
the knobs that make the default run a bounded slice of the long one."""

from __future__ import annotations

import json
import os
from typing import Any


def knob(name: str, default: int) -> int:
    """A size of the run: `make reliability` raises them through the environment."""
    return int(os.environ.get(name, default))


def report(test: str, database: str | None, summary: dict[str, Any]) -> None:
    path = os.environ.get("SCHUTZPFAD_RELIABILITY_REPORT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"test": test, "database": database, **summary}) + "\n")
