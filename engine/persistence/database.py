"""Database engine and sessions: SQLite (WAL) for one office, PostgreSQL for several nodes.

SQLite: pysqlite's own transaction handling is switched off so that a unit of work that writes starts
with `BEGIN IMMEDIATE`: writers queue for the lock up front instead of failing half-way with
"database is locked" when two completions race; the loser then sees the winner's commit (→ 409).
PostgreSQL: a writing unit of work first locks the audit chain's head row (engine/transactions.py),
which serialises writers the same way and rules out lock-order deadlocks; steps lock the case row
(`SELECT … FOR UPDATE`) as well.

SQLite durability: `synchronous=FULL` — in WAL mode NORMAL may lose the last commits on power loss,
which an acknowledged step must never be (issue 13, finding 10; the cost per step is measured in
docs/performance.md). `secure_delete=ON`: deleted or overwritten content (a shredded data key) is
zeroed in the page instead of lingering in the file; `scrub_after_shred` then moves those pages from
the WAL into the main file and empties the WAL (finding 4).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

#: Execution option that marks a connection as one that will write (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "schutzpfad_write"


def make_engine(url: str, **kwargs: Any) -> Engine:
    # A failing statement's message never carries its parameters (names, sealed values, search terms):
    # it ends up in the log of an unhandled error, and logs leave the protected system.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


#: How often `scrub_after_shred` retries a checkpoint that a reader still holds back, and the pause.
_CHECKPOINT_TRIES = 50
_CHECKPOINT_PAUSE = 0.1


def scrub_after_shred(engine: Engine) -> bool:
    """Push a committed shred out of every place the database keeps old page images.

    SQLite: a truncating WAL checkpoint writes the zeroed pages into the main file and empties the
    `-wal` (where the page with the wrapped key still lies until then — unbounded on an idle system,
    so a copy of the main file alone would still hold it). A reader in the middle of a long read can
    hold the checkpoint back: retried for about five seconds. PostgreSQL: `VACUUM data_keys` frees the
    dead row version at once instead of whenever autovacuum comes by.
    Returns False if the WAL could not be emptied (the next shred or checkpoint does it).
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert raw is not None
            for _ in range(_CHECKPOINT_TRIES):
                busy, _log, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return True
                time.sleep(_CHECKPOINT_PAUSE)
        return False
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM data_keys")
    return True
