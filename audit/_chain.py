"""Extending the chain and signing checkpoints, inside the caller's transaction.

A checkpoint signs only a head that is already committed: the head as it was when this transaction
first touched the chain. So a checkpoint — and its line in `audit-checkpoints.jsonl`, written at once
— never names an entry that a rollback could still take back, and the log needs no commit hook.
"""

from __future__ import annotations

import json
import os
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from audit import _datakeys
from audit import _primitives as p
from audit.errors import AuditError
from audit.keys import KeyProvider
from audit.tables import (
    ACTOR_LENGTH,
    CASE_REF_LENGTH,
    ORGANISATION_LENGTH,
    SCOPE_LENGTH,
    TYPE_LENGTH,
    audit_checkpoints,
    audit_events,
    audit_head,
)

#: A checkpoint is due after this many events, or when the last one is older than CHECKPOINT_AGE.
CHECKPOINT_EVERY = 1000
CHECKPOINT_AGE = timedelta(seconds=60)
_COMMITTED_HEAD = "schutzpfad.audit.committed_head"

# Built once: SQLAlchemy memoises a statement's cache key, so an append spends no time on SQL building.
_LOCK_HEAD = select(audit_head).where(audit_head.c.id == 1).with_for_update()
INSERT_EVENT = insert(audit_events)
MOVE_HEAD = update(audit_head).where(audit_head.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
_INSERT_CHECKPOINT = insert(audit_checkpoints)
_MARK_CHECKPOINT = (
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(checkpoint_seq=bindparam("cp_seq"), checkpoint_time=bindparam("cp_time"))
)


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "the chain had `seq` entries ending in `hash` at `time`"."""

    seq: int
    hash: bytes
    time: datetime
    key_id: str
    signature: bytes

    def message(self) -> bytes:
        return p.checkpoint_message(self.seq, self.hash, self.time)

    def to_json(self) -> str:
        """One line of `audit-checkpoints.jsonl` (format 1): what an auditor keeps outside the database."""
        return json.dumps(
            {
                "format": p.FORMAT,
                "seq": self.seq,
                "hash": self.hash.hex(),
                "time": self.time.astimezone(UTC).strftime(p.CHECKPOINT_TIME_FORMAT),
                "key_id": self.key_id,
                "signature": self.signature.hex(),
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> Checkpoint:
        """Parse one log line; raises ValueError (or KeyError/TypeError) for anything malformed."""
        data = json.loads(line)
        if data["format"] != p.FORMAT or not isinstance(data["seq"], int) or not isinstance(data["key_id"], str):
            raise ValueError("unknown checkpoint format")
        time = datetime.strptime(data["time"], p.CHECKPOINT_TIME_FORMAT).replace(tzinfo=UTC)
        return cls(data["seq"], bytes.fromhex(data["hash"]), time, data["key_id"], bytes.fromhex(data["signature"]))


def append(
    conn: Connection,
    provider: KeyProvider,
    log: Path | None,
    *,
    time: datetime,
    actor: str,
    organisation: str | None,
    case_ref: str | None,
    scope: str,
    type_: str,
    payload: dict[str, Any],
) -> int:
    p.check_text("actor", actor, max_length=ACTOR_LENGTH)
    p.check_text("organisation", organisation, optional=True, max_length=ORGANISATION_LENGTH)
    p.check_text("case_ref", case_ref, optional=True, max_length=CASE_REF_LENGTH)
    p.check_text("scope", scope, max_length=SCOPE_LENGTH)
    p.check_text("type", type_, max_length=TYPE_LENGTH)
    if not isinstance(payload, dict):
        raise AuditError("Der Inhalt eines Audit-Ereignisses muss ein dict sein.")
    p.utc_naive(time)
    plaintext = p.encode_json(payload)

    head = lock_head(conn)
    committed = committed_head(conn, head)
    dek = _datakeys.for_write(conn, provider, scope, time)
    seq = head.seq + 1
    header = p.SEP.join(p.header_fields(head.hash, seq, time, actor, organisation, case_ref, scope, type_))
    ciphertext = p.seal(dek, plaintext, p.event_aad(header))
    entry_hash = p.entry_hash(header, ciphertext)
    conn.execute(
        INSERT_EVENT,
        {
            "seq": seq,
            "time": time,
            "actor": actor,
            "organisation": organisation,
            "case_ref": case_ref,
            "scope": scope,
            "type": type_,
            "ciphertext": ciphertext,
            "prev_hash": head.hash,
            "hash": entry_hash,
        },
    )
    conn.execute(MOVE_HEAD, {"new_seq": seq, "new_hash": entry_hash})
    if committed[0] > head.checkpoint_seq and (
        committed[0] - head.checkpoint_seq >= CHECKPOINT_EVERY
        or head.checkpoint_time is None
        or time - head.checkpoint_time >= CHECKPOINT_AGE
    ):
        write_checkpoint(conn, provider, log, committed, time)
    return seq


def checkpoint(conn: Connection, provider: KeyProvider, log: Path | None, now: datetime) -> Checkpoint:
    p.utc_naive(now)
    head = lock_head(conn)
    return write_checkpoint(conn, provider, log, committed_head(conn, head), now)


def lock_head(conn: Connection) -> Any:
    """Lock the single head row (creating it for an empty chain); this serialises all appends."""
    if not conn.in_transaction():
        raise AuditError("Audit-Schreibzugriffe brauchen eine offene Transaktion des Aufrufers.")
    head = conn.execute(_LOCK_HEAD).first()
    if head is None:
        _datakeys.insert_ignoring_conflict(
            conn, audit_head, {"id": 1, "seq": 0, "hash": p.GENESIS_HASH, "checkpoint_seq": 0, "checkpoint_time": None}
        )
        head = conn.execute(_LOCK_HEAD).first()
    return head


def committed_head(conn: Connection, head: Any) -> tuple[int, bytes]:
    """The head as this transaction first saw it — committed by definition, since we hold the lock."""
    transaction = conn.get_transaction()
    seen = conn.info.get(_COMMITTED_HEAD)
    if seen is not None and seen[0]() is transaction:
        return seen[1], seen[2]
    conn.info[_COMMITTED_HEAD] = (weakref.ref(transaction), head.seq, head.hash)
    return head.seq, head.hash


def write_checkpoint(
    conn: Connection, provider: KeyProvider, log: Path | None, head: tuple[int, bytes], now: datetime
) -> Checkpoint:
    seq, head_hash = head
    moment = now.astimezone(UTC)
    key_id, signature = provider.sign_checkpoint(p.checkpoint_message(seq, head_hash, moment))
    made = Checkpoint(seq, head_hash, moment, key_id, signature)
    conn.execute(
        _INSERT_CHECKPOINT, {"seq": seq, "hash": head_hash, "time": moment, "key_id": key_id, "signature": signature}
    )
    conn.execute(_MARK_CHECKPOINT, {"cp_seq": seq, "cp_time": moment})
    if log is not None:
        append_log_line(log, made.to_json())
    return made


def append_log_line(path: Path, line: str, what: str = "Prüfpunkt-Protokoll") -> None:
    """Append one line durably; if a crash left a torn last line, start on a fresh line."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
            os.write(fd, (b"\n" if torn else b"") + line.encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AuditError(f"{what} {path} nicht schreibbar ({exc.strerror}).") from None
