"""Many new data keys, sealed fields and chained events in one transaction: the bulk path for a tool
that writes a lot of history at once (the volume generator), byte for byte what the single calls write.

Why it exists: `append` locks and re-reads the chain head and the scope's key row for every event, and
`seal_field` reads and unwraps the key row for every field — right for a user's action, where nothing
may be cached (a key shredded by another node is gone at once), but ten times too slow for hundreds of
thousands of synthetic cases (measured: 220 µs per append, 490 µs for the first field of a new scope).

What it keeps in memory, and why that is safe: only what its own transaction created or locked —
- the data keys of scopes that are new in this transaction (no other transaction can see, let alone
  shred, them before the commit); an existing scope's key is read once (the bulk writer's callers use
  only the `system` scope and the blind index, which are never shredded mid-run);
- the chain head, locked once at the first append (`SELECT … FOR UPDATE` on PostgreSQL; the writer's
  `BEGIN IMMEDIATE` on SQLite) and held until the caller commits, exactly as `append` holds it.
Events get consecutive sequence numbers from that head in the order they are appended; each entry
hashes its predecessor and seals its payload with its header as associated data, as `append` does.
`flush` writes the new keys, the events and the new head together, and signs a checkpoint of the
committed head when one is due under `append`'s rule (never of entries a rollback could take back).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from audit import _chain, _datakeys
from audit import _primitives as p
from audit.errors import AuditError
from audit.keys import KeyProvider
from audit.tables import (
    ACTOR_LENGTH,
    CASE_REF_LENGTH,
    ORGANISATION_LENGTH,
    SCOPE_LENGTH,
    TYPE_LENGTH,
    audit_events,
    data_keys,
)

_CHUNK = 500  # scopes per existence check


class BulkWriter:
    """Bulk field sealing and chain appends inside the caller's transaction (never commits).

    Use: `new_scope` for each new scope, `seal_json`/`seal` its fields, `append` events, `flush` before
    the caller commits (a writer that is not flushed leaves nothing behind but a locked head)."""

    def __init__(self, conn: Connection, provider: KeyProvider, log: Path | None, now: datetime) -> None:
        if not conn.in_transaction():
            raise AuditError("Audit-Schreibzugriffe brauchen eine offene Transaktion des Aufrufers.")
        p.utc_naive(now)
        self._conn, self._provider, self._log, self._now = conn, provider, log, now
        self._keys: dict[str, p.Sealer] = {}
        self._random = p.RandomBytes()
        self._new_keys: list[tuple[str, bytes]] = []  # (scope, data key), wrapped at `flush`
        self._mac_keys: dict[str, bytes] = {}
        self._events: list[tuple[Any, ...]] = []
        self._head: Any = None
        self._committed: tuple[int, bytes] | None = None
        self._seq = 0
        self._hash = b""
        self._sqlite = conn.dialect.name == "sqlite"

    # -- keys and fields -----------------------------------------------------------------------------

    def new_scope(self, scope: str) -> None:
        """A fresh data key for a scope that must not exist yet (checked at `flush`)."""
        p.check_text("scope", scope, max_length=SCOPE_LENGTH)
        if scope in self._keys:
            raise AuditError(f"{scope} wurde in diesem Lauf schon angelegt.")
        key = self._random.take(p.KEY_BYTES)
        self._keys[scope] = p.Sealer(key, self._random)
        self._new_keys.append((scope, key))

    def _sealer(self, scope: str) -> p.Sealer:
        sealer = self._keys.get(scope)
        if sealer is None:
            sealer = self._keys[scope] = p.Sealer(
                _datakeys.for_write(self._conn, self._provider, scope, self._now), self._random
            )
        return sealer

    def seal(self, scope: str, record: str, value: p.FieldValue) -> bytes:
        """As `AuditVault.seal_field`: the blob opens for the same scope and record only."""
        return self._sealer(scope).seal(p.encode_field(value), p.field_aad(scope, record))

    def seal_json(self, scope: str, record: str, text: str) -> bytes:
        """`seal` of a JSON object given as its text (e.g. rendered from a template), so a caller that
        has the text need not parse and re-encode it; `open_json` returns the parsed object."""
        if not text.startswith("{"):
            raise AuditError(f"Feld {record} ist kein JSON-Objekt.")
        return self._sealer(scope).seal(b"j" + text.encode(), p.field_aad(scope, record))

    def digests(self, scope: str, values: Sequence[str]) -> list[bytes]:
        """As `AuditVault.blind_digests` (the index key is derived once per scope and writer)."""
        mac_key = self._mac_keys.get(scope)
        if mac_key is None:
            key = _datakeys.for_write(self._conn, self._provider, scope, self._now)
            mac_key = self._mac_keys[scope] = p.index_key(key, scope)
        return p.digests_with(mac_key, values)

    # -- the chain -----------------------------------------------------------------------------------

    def append(
        self,
        *,
        time: datetime,
        actor: str,
        organisation: str | None,
        case_ref: str | None,
        scope: str,
        type: str,
        payload: dict[str, Any] | str,
    ) -> int:
        """Queue one event (as `AuditVault.append`; `payload` may be a JSON object's text); returns its
        sequence number. Written by `flush`."""
        p.check_text("actor", actor, max_length=ACTOR_LENGTH)
        p.check_text("organisation", organisation, optional=True, max_length=ORGANISATION_LENGTH)
        p.check_text("case_ref", case_ref, optional=True, max_length=CASE_REF_LENGTH)
        p.check_text("scope", scope, max_length=SCOPE_LENGTH)
        p.check_text("type", type, max_length=TYPE_LENGTH)
        if isinstance(payload, dict):
            plaintext = p.encode_json(payload)
        elif isinstance(payload, str) and payload.startswith("{"):
            plaintext = payload.encode()
        else:
            raise AuditError("Der Inhalt eines Audit-Ereignisses muss ein dict sein.")
        naive = p.utc_naive(time)
        if self._head is None:
            self._head = _chain.lock_head(self._conn)
            self._committed = _chain.committed_head(self._conn, self._head)
            self._seq, self._hash = self._head.seq, self._head.hash
        seq = self._seq + 1
        fields = p.header_fields(self._hash, seq, naive, actor, organisation, case_ref, scope, type)
        header = p.SEP.join(fields)
        ciphertext = self._sealer(scope).seal(plaintext, p.event_aad(header))
        entry_hash = p.entry_hash(header, ciphertext)
        stored_time = fields[2].decode() if self._sqlite else naive
        self._events.append(
            (seq, stored_time, actor, organisation, case_ref, scope, type, ciphertext, self._hash, entry_hash)
        )
        self._seq, self._hash = seq, entry_hash
        return seq

    def _insert(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Straight to the driver's `executemany`, the values already as the columns store them
        (SQLAlchemy's per-value processing cost more than SQLite's storing, measured): times as the
        pinned SQLite text of `audit.tables`, on PostgreSQL naive UTC."""
        quote = self._conn.dialect.identifier_preparer.quote
        mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(quote(column) for column in columns)
        marks = ", ".join([mark] * len(columns))
        # the names are the schema's own, quoted by the dialect; the values are bound
        self._conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)  # noqa: S608

    def flush(self) -> None:
        """Write the new keys, the queued events and the new head; sign a checkpoint if one is due."""
        conn = self._conn
        if self._new_keys:
            scopes = [row[0] for row in self._new_keys]
            for start in range(0, len(scopes), _CHUNK):
                taken = conn.execute(
                    select(data_keys.c.scope).where(data_keys.c.scope.in_(scopes[start : start + _CHUNK])).limit(1)
                ).first()
                if taken is not None:
                    raise AuditError(f"Für {taken.scope} gibt es schon einen Datenschlüssel.")
            created = p.utc_naive(self._now)
            stored = created.strftime(p.TIME_FORMAT) if self._sqlite else created
            wrapped = self._provider.wrap_many([key for _, key in self._new_keys])
            rows = [
                (scope, kek_id, blob, stored)
                for (scope, _), (kek_id, blob) in zip(self._new_keys, wrapped, strict=True)
            ]
            self._insert(data_keys, ("scope", "kek_id", "wrapped", "created_at"), rows)
            self._new_keys = []
        if not self._events:
            return
        self._insert(audit_events, [column.name for column in audit_events.columns], self._events)
        self._events = []
        conn.execute(_chain.MOVE_HEAD, {"new_seq": self._seq, "new_hash": self._hash})
        head, committed = self._head, self._committed
        assert committed is not None
        if committed[0] > head.checkpoint_seq and (
            committed[0] - head.checkpoint_seq >= _chain.CHECKPOINT_EVERY
            or head.checkpoint_time is None
            or self._now - head.checkpoint_time >= _chain.CHECKPOINT_AGE
        ):
            _chain.write_checkpoint(conn, self._provider, self._log, committed, self._now)
            self._head = _chain.lock_head(conn)  # its checkpoint columns moved: decide on the new ones
