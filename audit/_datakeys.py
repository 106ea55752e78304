"""Data keys: one AES-256 key per scope, stored wrapped; created on first use, rotated, shredded.

A key is kept for one transaction at most: the first seal or open in a transaction reads the scope's
row, later ones in the same transaction take the key read then (a step seals its case's state,
history, prefill and audit event under one key: one read and unwrap instead of four). So a key
shredded by another process or node is gone for every transaction that starts afterwards, and a
shred in the same transaction forgets it at once. Only keys read from a stored row are kept: a key
created in this transaction is read again next time (a savepoint rolled back may have taken its row).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from audit import _primitives as p
from audit.errors import AuditError, DecryptionFailed, KeyMaterialError, Shredded
from audit.keys import KeyProvider
from audit.tables import SCOPE_LENGTH, audit_checkpoints, data_keys

Begin = Callable[[], AbstractContextManager[Connection]]

_REWRAP = (
    update(data_keys)
    .where(data_keys.c.scope == bindparam("at_scope"), data_keys.c.wrapped == bindparam("old_wrapped"))
    .values(kek_id=bindparam("new_kek_id"), wrapped=bindparam("new_wrapped"))
)
#: Scopes per statement of `for_read_many` (well below any database's limit of bound parameters).
_MANY = 500
_KEY_ROW = select(data_keys.c.kek_id, data_keys.c.wrapped, data_keys.c.shredded_at).where(
    data_keys.c.scope == bindparam("scope")
)


#: The data keys read in each open transaction, by scope (see above); gone with the transaction.
_READ_IN: WeakKeyDictionary[Any, dict[str, bytes]] = WeakKeyDictionary()


def _kept(conn: Connection) -> dict[str, bytes] | None:
    """The keys this transaction has read (None outside a transaction: nothing is kept)."""
    transaction = conn.get_transaction()
    return None if transaction is None else _READ_IN.setdefault(transaction, {})


@dataclass(frozen=True)
class RotationReport:
    """What `rotate` did: the KEK now wrapping every data key, and how many keys it re-wrapped."""

    kek_id: str
    rewrapped: int
    resumed: bool


def insert_ignoring_conflict(conn: Connection, table: Any, values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two writers creating the same row both succeed."""
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql_insert(table).values(**values).on_conflict_do_nothing())
    elif conn.dialect.name == "sqlite":
        conn.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - the project supports SQLite and PostgreSQL only
        raise AuditError(f"Datenbank {conn.dialect.name} wird nicht unterstützt.")


def for_write(conn: Connection, provider: KeyProvider, scope: str, now: datetime | None) -> bytes:
    """The scope's data key, created (and wrapped under the current KEK) if the scope is new."""
    p.check_text("scope", scope, max_length=SCOPE_LENGTH)
    kept = _kept(conn)
    if kept is not None and scope in kept:
        return kept[scope]
    row = _row(conn, scope)
    if row is None:
        if now is not None:
            p.utc_naive(now)  # refuse a naive datetime with the library's own message
        kek_id, wrapped = provider.wrap(p.new_key())
        values = {"scope": scope, "kek_id": kek_id, "wrapped": wrapped, "created_at": now}
        insert_ignoring_conflict(conn, data_keys, values)
        row = _row(conn, scope)  # a concurrent writer may have won: use whichever key was stored
        assert row is not None
        return _unwrap(provider, scope, row)
    return _keep(kept, scope, _unwrap(provider, scope, row))


def for_read(conn: Connection, provider: KeyProvider, scope: str) -> bytes:
    kept = _kept(conn)
    if kept is not None and scope in kept:
        return kept[scope]
    row = _row(conn, scope)
    if row is None:
        raise DecryptionFailed(f"Für {scope} gibt es keinen Datenschlüssel.")
    return _keep(kept, scope, _unwrap(provider, scope, row))


def _keep(kept: dict[str, bytes] | None, scope: str, key: bytes) -> bytes:
    if kept is not None:
        kept[scope] = key
    return key


def for_read_many(conn: Connection, provider: KeyProvider, scopes: Collection[str]) -> dict[str, bytes | None]:
    """The data keys of several scopes, read in one statement per `_MANY` scopes (a list page): each
    scope's key, None for a shredded one; DecryptionFailed if a scope has none. Still read, not cached."""
    wanted = sorted(set(scopes))
    keys: dict[str, bytes | None] = {}
    for start in range(0, len(wanted), _MANY):
        chunk = wanted[start : start + _MANY]
        rows = conn.execute(
            select(data_keys.c.scope, data_keys.c.kek_id, data_keys.c.wrapped, data_keys.c.shredded_at).where(
                data_keys.c.scope.in_(chunk)
            )
        ).all()
        for row in rows:
            try:
                keys[row.scope] = _unwrap(provider, row.scope, row)
            except Shredded:
                keys[row.scope] = None
    missing = [scope for scope in wanted if scope not in keys]
    if missing:
        raise DecryptionFailed(f"Für {missing[0]} gibt es keinen Datenschlüssel.")
    return keys


def _row(conn: Connection, scope: str) -> Any:
    return conn.execute(_KEY_ROW, {"scope": scope}).first()


def _unwrap(provider: KeyProvider, scope: str, row: Any) -> bytes:
    if row.shredded_at is not None or row.wrapped is None:
        raise Shredded(scope)
    return provider.unwrap(row.kek_id, row.wrapped)


def shred(conn: Connection, scope: str, *, reason: str, now: datetime) -> None:
    """Destroy the scope's data key; a scope without one gets a tombstone so it can never get one.

    The wrapped key is overwritten in the row. Copies elsewhere (SQLite free pages are wiped by
    `secure_delete`; PostgreSQL keeps dead tuples until VACUUM; backups keep theirs until a key
    rotation retires the KEK that wrapped them) are the operator's part, see
    docs/backup-and-retention.md; the engine runs `scrub_after_shred` after the commit.
    """
    p.check_text("scope", scope, max_length=SCOPE_LENGTH)
    if not reason or not reason.strip():
        raise AuditError("Ein Grund für die Vernichtung ist Pflicht.")
    p.utc_naive(now)  # refuse a naive datetime with the library's own message
    kept = _kept(conn)
    if kept is not None:
        kept.pop(scope, None)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    row = _row(conn, scope)
    if row is not None and row.shredded_at is not None:
        raise Shredded(scope)
    if row is None:
        insert_ignoring_conflict(conn, data_keys, {"scope": scope, "kek_id": None, "wrapped": None})
    result = conn.execute(
        update(data_keys)
        .where(data_keys.c.scope == scope, data_keys.c.shredded_at.is_(None))
        .values(kek_id=None, wrapped=None, shredded_at=now, shred_reason=reason.strip()[:500])
    )
    if result.rowcount != 1:
        raise Shredded(scope)


def is_shredded(conn: Connection, scope: str) -> bool:
    row = _row(conn, scope)
    return row is not None and row.shredded_at is not None


def rotate(
    begin: Begin, provider: KeyProvider, progress: Callable[[int, int], None] | None, batch: int
) -> RotationReport:
    """Re-wrap every data key under a new KEK, one committed batch at a time.

    A run that finds keys still wrapped by an older KEK resumes that rotation (no further KEK): the
    rows of an interrupted batch were rolled back and are still readable with the old KEK, which
    stays in place. Only when no key is left behind does a run create a new KEK.
    """
    target = provider.current_kek_id()
    with begin() as conn:
        pending = _pending(conn, target)
    resumed = pending > 0
    if not resumed:
        target = provider.create_kek()
        with begin() as conn:
            pending = _pending(conn, target)
    done = 0
    if progress is not None:
        progress(0, pending)
    while True:
        with begin() as conn:
            rows = conn.execute(
                select(data_keys.c.scope, data_keys.c.kek_id, data_keys.c.wrapped)
                .where(data_keys.c.wrapped.is_not(None), data_keys.c.kek_id != target)
                .order_by(data_keys.c.scope)
                .limit(batch)
                .with_for_update()
            ).all()
            changes = []
            for row in rows:
                kek_id, wrapped = provider.wrap(provider.unwrap(row.kek_id, row.wrapped))
                if kek_id != target:
                    raise AuditError("Während der Rotation wurde ein weiterer Schlüssel angelegt; bitte neu starten.")
                changes.append(
                    {"at_scope": row.scope, "old_wrapped": row.wrapped, "new_kek_id": kek_id, "new_wrapped": wrapped}
                )
            if changes:
                # Matching the old wrapped key too: a key shredded meanwhile is not brought back.
                conn.execute(_REWRAP, changes)
        if not rows:
            return RotationReport(kek_id=target, rewrapped=done, resumed=resumed)
        done += len(rows)
        if progress is not None:
            progress(done, max(pending, done))


def _pending(conn: Connection, target: str) -> int:
    query = select(func.count()).where(data_keys.c.wrapped.is_not(None), data_keys.c.kek_id != target)
    return int(conn.execute(query).scalar_one())


def check(conn: Connection, provider: KeyProvider) -> None:
    """Prove the key material fits this database: unwrap one data key per KEK in use, and compare
    the signing key with the latest checkpoint. Raises KeyMaterialError with one clear line."""
    provider.current_kek_id()
    in_use = conn.execute(
        select(data_keys.c.kek_id, func.min(data_keys.c.scope))
        .where(data_keys.c.wrapped.is_not(None))
        .group_by(data_keys.c.kek_id)
    ).all()
    for kek_id, scope in in_use:
        wrapped = conn.execute(select(data_keys.c.wrapped).where(data_keys.c.scope == scope)).scalar_one()
        provider.unwrap(kek_id, wrapped)
    latest = conn.execute(
        select(audit_checkpoints.c.key_id).order_by(audit_checkpoints.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is not None:
        own = p.signing_key_id(p.load_public_key(provider.export_public_key()))
        if latest != own:
            raise KeyMaterialError(
                f"Der Signaturschlüssel ({own}) ist nicht der, mit dem die Prüfpunkte der Datenbank "
                f"signiert sind ({latest}): falsche oder ersetzte Schlüsseldatei."
            )
