"""Leaf library for the encrypted, hash-chained, signed audit trail (architecture.md, "Audit trail").

It depends on cryptography, the standard library and SQLAlchemy Core only, and never imports
`engine` or `web` (the import-linter contracts in pyproject.toml keep it so).

The safe calls are on `AuditVault` (append, checkpoint, verify, read, seal_field/open_field,
check, rotate, shred; `bulk` for many new scopes and events in one transaction); `verify` is also a
plain function for auditors, who hold only the public key. The primitives sit in the private
`audit._primitives`; the tables in `audit.tables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection

from audit import _verify
from audit._bulk import BulkWriter
from audit._chain import CHECKPOINT_AGE, CHECKPOINT_EVERY, Checkpoint
from audit._datakeys import RotationReport
from audit._ledger import LedgerEntry
from audit._primitives import FieldValue
from audit._verify import VerifyResult
from audit.errors import AuditError, ChainBroken, DecryptionFailed, KeyMaterialError, Shredded
from audit.keys import FileKeyProvider, KeyProvider
from audit.tables import metadata
from audit.vault import AuditVault, Event

__all__ = [
    "CHECKPOINT_AGE",
    "CHECKPOINT_EVERY",
    "AuditError",
    "AuditVault",
    "BulkWriter",
    "ChainBroken",
    "Checkpoint",
    "DecryptionFailed",
    "Event",
    "FieldValue",
    "FileKeyProvider",
    "KeyMaterialError",
    "KeyProvider",
    "LedgerEntry",
    "RotationReport",
    "Shredded",
    "VerifyResult",
    "metadata",
    "verify",
]


def verify(
    conn: Connection,
    public_keys: bytes | Sequence[bytes],
    checkpoint_log: Path | None = None,
    *,
    workers: int | None = None,
) -> VerifyResult:
    """Verify chain and checkpoints with nothing but the public key(s) (PEM) — the auditor's call.

    Run it in a transaction of its own. Nothing is decrypted; the database may be a copy.
    `workers`: processes for a long chain (default: the processors, at most four; 1: this process alone).
    """
    keys = [public_keys] if isinstance(public_keys, bytes) else list(public_keys)
    return _verify.verify(conn, keys, checkpoint_log, workers=workers)
