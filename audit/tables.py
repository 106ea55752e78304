"""The audit tables (SQLAlchemy Core). The engine's migrations create them from `metadata`.

* `audit_events`: the append-only chain. Only the audit library writes it; nothing updates or
  deletes a row (a migration may add a trigger that refuses to; `verify` catches it either way).
* `audit_checkpoints`: Ed25519-signed (seq, hash, time) of the chain head.
* `data_keys`: one AES-256 data key per scope (`case:<reference>` or `system`), wrapped by a
  key-encryption key; shredding empties `wrapped` for good.
* `audit_head`: a single row (id = 1) holding the chain head. Appends lock it (`SELECT … FOR UPDATE`
  on PostgreSQL; on SQLite the writer's `BEGIN IMMEDIATE` already serialises), so two writers can
  never both extend the same head; it also remembers the last checkpoint so that deciding whether
  one is due costs no extra query, and lets `verify` notice a truncated tail.

Datetimes are stored as naive UTC (the engine's convention) and returned aware. On SQLite the text
format is pinned, because the chain hash covers exactly those bytes (see `_primitives.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

metadata = MetaData()

# The same text as `_primitives.TIME_FORMAT` (SQLAlchemy's default, pinned; a unit test compares them).
_SQLITE_STORAGE = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"


class UTCDateTime(TypeDecorator[datetime]):
    """Naive UTC in the database, aware UTC in Python; a naive value is refused, not guessed."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sqlite.DATETIME(storage_format=_SQLITE_STORAGE))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# On SQLite only INTEGER PRIMARY KEY is the rowid: the chain is then read in storage order, no index.
SEQ = BigInteger().with_variant(Integer(), "sqlite")

#: Column sizes; the library refuses longer values up front instead of letting a database truncate.
ACTOR_LENGTH = 200
ORGANISATION_LENGTH = 64
CASE_REF_LENGTH = 64
SCOPE_LENGTH = 100
TYPE_LENGTH = 64
HASH_LENGTH = 32

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=False),
    Column("time", UTCDateTime(), nullable=False),
    Column("actor", String(ACTOR_LENGTH), nullable=False),
    Column("organisation", String(ORGANISATION_LENGTH), nullable=True),
    Column("case_ref", String(CASE_REF_LENGTH), nullable=True),
    Column("scope", String(SCOPE_LENGTH), nullable=False),
    Column("type", String(TYPE_LENGTH), nullable=False),
    Column("ciphertext", LargeBinary(), nullable=False),
    Column("prev_hash", LargeBinary(HASH_LENGTH), nullable=False),
    Column("hash", LargeBinary(HASH_LENGTH), nullable=False),
    Index("ix_audit_events_case_ref", "case_ref"),
    Index("ix_audit_events_type", "type"),
    Index("ix_audit_events_time", "time"),
    Index("ix_audit_events_actor", "actor"),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("seq", BigInteger(), nullable=False),
    Column("hash", LargeBinary(HASH_LENGTH), nullable=False),
    Column("time", UTCDateTime(), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
    Index("ix_audit_checkpoints_seq", "seq"),
)

data_keys = Table(
    "data_keys",
    metadata,
    Column("scope", String(SCOPE_LENGTH), primary_key=True),
    Column("kek_id", String(64), nullable=True),
    Column("wrapped", LargeBinary(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=True),
    Column("shredded_at", UTCDateTime(), nullable=True),
    Column("shred_reason", String(500), nullable=True),
    Index("ix_data_keys_kek_id", "kek_id"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=False),
    Column("seq", BigInteger(), nullable=False),
    Column("hash", LargeBinary(HASH_LENGTH), nullable=False),
    Column("checkpoint_seq", BigInteger(), nullable=False),
    Column("checkpoint_time", UTCDateTime(), nullable=True),
    CheckConstraint("id = 1", name="ck_audit_head_single_row"),
)
