"""The shred ledger: an append-only file (`<instance>/shred-ledger.jsonl`) naming every shredded scope.

Why a file as well as the tombstones in `data_keys`: a backup taken before a shred still holds the
wrapped key, and restoring it would bring the content back. The tombstones are restored with the
backup (and so are as old as it); the file stays in the instance folder, beside the key material,
and a restore shreds every scope it names again. It holds scope names and times only (a case scope
names the Aktenzeichen, no personal data).

A line is written, fsync'd, inside the shredding transaction before it commits: a crash in between
leaves a line whose shred did not commit, and re-applying it destroys a key that was meant to be
destroyed anyway — the safe direction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from audit._chain import append_log_line
from audit.errors import AuditError


@dataclass(frozen=True)
class LedgerEntry:
    scope: str
    time: datetime


def append(path: Path, scope: str, now: datetime) -> None:
    append_log_line(
        path, json.dumps({"scope": scope, "time": now.isoformat()}, sort_keys=True), "Vernichtungsprotokoll"
    )


def read(path: Path) -> list[LedgerEntry]:
    """The ledger's entries, each scope once (its first shred); a torn last line (crash) is skipped,
    any other unreadable line refuses the whole file: a ledger that lies must not be half-applied."""
    if not path.exists():
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"Vernichtungsprotokoll {path} nicht lesbar ({exc}).") from None
    entries: dict[str, LedgerEntry] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            entry = LedgerEntry(str(data["scope"]), datetime.fromisoformat(data["time"]))
        except (ValueError, KeyError, TypeError):
            if number == len(lines):
                continue
            raise AuditError(f"Zeile {number} von {path.name} ist kein gültiger Eintrag.") from None
        entries.setdefault(entry.scope, entry)
    return list(entries.values())
