"""`AuditVault`: the few safe calls the engine and the CLI use; keys, formats and AAD are chosen here.

Every call takes the caller's SQLAlchemy `Connection` inside the caller's transaction and never
commits (rotation, which must commit per batch, takes a transaction factory instead), so the audit
event commits together with the change it records, or neither does. Time is always a parameter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from audit import _chain, _datakeys, _ledger, _verify
from audit import _primitives as p
from audit._bulk import BulkWriter
from audit._chain import Checkpoint
from audit._datakeys import Begin, RotationReport
from audit._ledger import LedgerEntry
from audit._primitives import FieldValue
from audit._verify import VerifyResult
from audit.errors import AuditError, DecryptionFailed, Shredded
from audit.keys import KeyProvider
from audit.tables import audit_events, audit_head


@dataclass(frozen=True)
class Event:
    """One decrypted audit event; `payload` is None and `shredded` True once its scope was shredded."""

    seq: int
    time: datetime
    actor: str
    organisation: str | None
    case_ref: str | None
    scope: str
    type: str
    payload: dict[str, Any] | None
    shredded: bool = False


class AuditVault:
    """Encrypted, hash-chained, signed audit trail and field encryption over one key provider.

    `checkpoint_log` is `<instance>/audit-checkpoints.jsonl`: every checkpoint is appended there too,
    so a copy kept outside the database still proves what the database held. `shred_ledger` is
    `<instance>/shred-ledger.jsonl`: every shredded scope is appended there, so a restored backup
    can be shredded again (`audit/_ledger.py`).
    """

    def __init__(
        self, provider: KeyProvider, checkpoint_log: Path | None = None, shred_ledger: Path | None = None
    ) -> None:
        self.provider = provider
        self.checkpoint_log = checkpoint_log
        self.shred_ledger = shred_ledger

    # -- the chain -------------------------------------------------------------------------------

    def append(
        self,
        conn: Connection,
        *,
        time: datetime,
        actor: str,
        organisation: str | None,
        case_ref: str | None,
        scope: str,
        type: str,
        payload: dict[str, Any],
    ) -> int:
        """Add one event and return its sequence number.

        The payload is sealed under the scope's data key (created on first use) with the event header
        as associated data, then the chain is extended. A checkpoint is signed on the way when 1,000
        events passed or the last one is 60 s older than `time`.
        """
        return _chain.append(
            conn,
            self.provider,
            self.checkpoint_log,
            time=time,
            actor=actor,
            organisation=organisation,
            case_ref=case_ref,
            scope=scope,
            type_=type,
            payload=payload,
        )

    def bulk(self, conn: Connection, now: datetime) -> BulkWriter:
        """Many new scopes, sealed fields and events in the caller's transaction (a tool writing a lot
        of history at once); the same bytes as `seal_field` and `append`, see `audit/_bulk.py` for
        what it keeps in memory and why the chain's guarantees hold. Call `flush()` before committing."""
        return BulkWriter(conn, self.provider, self.checkpoint_log, now)

    def checkpoint(self, conn: Connection, now: datetime) -> Checkpoint:
        """Sign the committed chain head now (`schutzpfad audit checkpoint`, or a periodic job)."""
        return _chain.checkpoint(conn, self.provider, self.checkpoint_log, now)

    def checkpoint_if_unsigned(self, conn: Connection, now: datetime) -> Checkpoint | None:
        """Sign the head if events arrived since the last checkpoint (a periodic job's call: without
        it the last events before a quiet period stay unsigned until the next event)."""
        head = conn.execute(select(audit_head.c.seq, audit_head.c.checkpoint_seq)).first()
        if head is None or head.seq <= head.checkpoint_seq:
            return None
        return self.checkpoint(conn, now)

    def verify(self, conn: Connection) -> VerifyResult:
        """Check chain, checkpoints and the checkpoint log without decrypting anything."""
        return _verify.verify(conn, [self.provider.export_public_key()], self.checkpoint_log)

    def read(
        self,
        conn: Connection,
        *,
        case_ref: str | None = None,
        scope: str | None = None,
        types: Collection[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
    ) -> Iterator[Event]:
        """Decrypted events in sequence order; `since` is inclusive, `until` exclusive.

        A header altered in the database no longer authenticates its payload: DecryptionFailed,
        never a wrong event. Callers audit the read themselves (`audit.read`, `audit.exported`).
        """
        query = select(audit_events).order_by(audit_events.c.seq)
        if case_ref is not None:
            query = query.where(audit_events.c.case_ref == case_ref)
        if scope is not None:
            query = query.where(audit_events.c.scope == scope)
        if types is not None:
            query = query.where(audit_events.c.type.in_(list(types)))
        if since is not None:
            p.utc_naive(since)  # a naive bound is refused, not guessed
            query = query.where(audit_events.c.time >= since)
        if until is not None:
            p.utc_naive(until)
            query = query.where(audit_events.c.time < until)
        if actor is not None:
            query = query.where(audit_events.c.actor == actor)
        keys: dict[str, bytes | None] = {}
        # Closed on every exit (also a decryption failure half-way): PostgreSQL's server-side cursor
        # would otherwise outlive the transaction.
        with conn.execute(query.execution_options(yield_per=1000)) as rows:
            yield from self._events(conn, rows, keys)

    def _events(self, conn: Connection, rows: Any, keys: dict[str, bytes | None]) -> Iterator[Event]:
        for row in rows:
            if row.scope not in keys:
                try:
                    keys[row.scope] = _datakeys.for_read(conn, self.provider, row.scope)
                except Shredded:
                    keys[row.scope] = None
            key = keys[row.scope]
            payload = None if key is None else _open_event(key, row)
            yield Event(
                row.seq,
                row.time,
                row.actor,
                row.organisation,
                row.case_ref,
                row.scope,
                row.type,
                payload,
                shredded=key is None,
            )

    # -- fields ----------------------------------------------------------------------------------

    def seal_field(
        self, conn: Connection, scope: str, record: str, value: FieldValue, *, now: datetime | None = None
    ) -> bytes:
        """Encrypt one field value (bytes, str, or a JSON dict/list) for `record` ("table/row/field").

        The record is bound as associated data: the blob opens only for the same scope and record.
        `now` dates the scope's data key if this call creates it.
        """
        key = _datakeys.for_write(conn, self.provider, scope, now)
        return p.seal(key, p.encode_field(value), p.field_aad(scope, record))

    def open_field(self, conn: Connection, scope: str, record: str, blob: bytes) -> FieldValue:
        """Decrypt a sealed field, returning the type it was sealed as; Shredded after shredding."""
        return _unseal_field(_datakeys.for_read(conn, self.provider, scope), scope, record, blob)

    def open_text(self, conn: Connection, scope: str, record: str, blob: bytes) -> str:
        value = self.open_field(conn, scope, record, blob)
        if not isinstance(value, str):
            raise AuditError(f"Feld {record} ist kein Text.")
        return value

    def open_json(self, conn: Connection, scope: str, record: str, blob: bytes) -> dict[str, Any]:
        return _json_object(record, self.open_field(conn, scope, record, blob))

    def open_json_many(self, conn: Connection, fields: Sequence[tuple[str, str, bytes]]) -> list[dict[str, Any] | None]:
        """Decrypt sealed JSON objects of many scopes — (scope, record, blob) each — reading their
        scopes' keys together (one statement for a list page instead of one per row). The values in
        order; None for a field whose scope was shredded."""
        keys = _datakeys.for_read_many(conn, self.provider, {scope for scope, _, _ in fields})
        return [
            None if (key := keys[scope]) is None else _json_object(record, _unseal_field(key, scope, record, blob))
            for scope, record, blob in fields
        ]

    # -- blind index -----------------------------------------------------------------------------

    def blind_digests(
        self, conn: Connection, scope: str, values: Sequence[str], *, now: datetime | None = None
    ) -> list[bytes]:
        """Keyed HMAC-SHA-256 of each value under the scope's data key (created if `now` is given): a
        blind index, so equal values can be found without storing them. Without the key a digest
        tells nothing (no dictionary attack on names and birth dates); the key itself never leaves
        this package. Raises DecryptionFailed for a scope without a key when `now` is None."""
        key = (
            _datakeys.for_write(conn, self.provider, scope, now)
            if now is not None
            else _datakeys.for_read(conn, self.provider, scope)
        )
        return p.keyed_digests(key, scope, values)

    def check(self, conn: Connection) -> None:
        """Raise KeyMaterialError unless the keys fit this database (`serve` calls it on start-up)."""
        _datakeys.check(conn, self.provider)

    def rotate(
        self, begin: Begin, progress: Callable[[int, int], None] | None = None, *, batch_size: int = 500
    ) -> RotationReport:
        """New key-encryption key; re-wrap every data key, committing per batch.

        `begin()` must return a context manager yielding a Connection in a fresh transaction that
        commits on a clean exit (`engine.begin` or the engine's writing unit of work). `progress`
        gets (done, total) after each batch. Running it again after an interruption resumes.
        """
        if batch_size < 1:
            raise AuditError("batch_size muss positiv sein.")
        return _datakeys.rotate(begin, self.provider, progress, batch_size)

    def shred(self, conn: Connection, scope: str, *, reason: str, now: datetime) -> None:
        """Destroy the scope's data key: its events and fields become unreadable for good, while the
        chain still verifies. Raises Shredded if it already was. Checking that the case is closed is
        the caller's rule. The scope goes into the shred ledger before the caller commits."""
        _datakeys.shred(conn, scope, reason=reason, now=now)
        if self.shred_ledger is not None:
            _ledger.append(self.shred_ledger, scope, now)

    def is_shredded(self, conn: Connection, scope: str) -> bool:
        """Whether the scope's key is destroyed (a scope without any key is not: it never had one)."""
        return _datakeys.is_shredded(conn, scope)

    def merge_ledger(self, other: Path) -> int:
        """Append to this vault's ledger the entries of another copy (a backup's) it lacks; how many."""
        if self.shred_ledger is None:
            raise AuditError("Diese Instanz führt kein Vernichtungsprotokoll.")
        known = {entry.scope for entry in self.ledger()}
        missing = [entry for entry in self.ledger(other) if entry.scope not in known]
        for entry in missing:
            _ledger.append(self.shred_ledger, entry.scope, entry.time)
        return len(missing)

    def ledger(self, path: Path | None = None) -> list[LedgerEntry]:
        """The scopes of a shred ledger (this vault's, or another copy of it, e.g. in a backup)."""
        where = path or self.shred_ledger
        return [] if where is None else _ledger.read(where)

    def export_public_key(self) -> bytes:
        """The checkpoint verification key (PEM) to hand to auditors."""
        return self.provider.export_public_key()


def _open_event(key: bytes, row: Any) -> dict[str, Any]:
    fields = p.header_fields(
        row.prev_hash, row.seq, row.time, row.actor, row.organisation, row.case_ref, row.scope, row.type
    )
    try:
        payload = json.loads(p.unseal(key, row.ciphertext, p.event_aad(p.SEP.join(fields))))
    except DecryptionFailed as exc:
        raise DecryptionFailed(f"Eintrag {row.seq}: {exc}") from None
    if not isinstance(payload, dict):
        raise DecryptionFailed(f"Eintrag {row.seq}: Inhalt ist kein JSON-Objekt.")
    return payload


def _unseal_field(key: bytes, scope: str, record: str, blob: bytes) -> FieldValue:
    return p.decode_field(p.unseal(key, bytes(blob), p.field_aad(scope, record)))


def _json_object(record: str, value: FieldValue) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AuditError(f"Feld {record} ist kein JSON-Objekt.")
    return value
