"""Rows on the bulk path: a template row compiled once into the values every clone shares and the
few each clone fills in (`RowPlan`), new ids taken in one statement, and the rows handed to the
driver's own `executemany` on the unit of work's connection (same transaction).

Why past SQLAlchemy's type layer: measured on 5,000 cases, its per-value processing (binding,
datetime conversion) took longer than SQLite took to store the rows. So the values are given in the
form the column type would store them — on SQLite a UTC timestamp as the text `UTCDateTime` writes,
on PostgreSQL a naive UTC datetime — and everything else as the driver takes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from engine.volume.capture import COLUMNS

#: how `UTCDateTime` stores a moment on SQLite (audit/tables.py pins the same format)
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
#: what a clone fills in itself, per column kind of `capture.COLUMNS`
_FILLED = frozenset({"sealed", "fixed"})


@dataclass(frozen=True)
class RowPlan:
    """A template row: `shared` holds the values of `copy` columns (None elsewhere), `slots` the
    positions the clone fills from the template's value by kind; sealed and fixed columns the writer
    sets by name (`position`)."""

    table: str
    columns: tuple[str, ...]
    shared: tuple[Any, ...]
    slots: tuple[tuple[int, str, Any], ...]
    position: dict[str, int]


def plan(table: str, row: dict[str, Any]) -> RowPlan:
    """Compile a template row; its times become naive UTC (what both databases' stored forms start from)."""
    kinds = {column: kind for column, kind in COLUMNS[table].items() if kind != "serial"}
    columns = tuple(kinds)
    shared = tuple(row[c] if kind == "copy" else None for c, kind in kinds.items())
    slots = tuple(
        (i, kind, _naive(row[c]) if kind == "time" else row[c])
        for i, (c, kind) in enumerate(kinds.items())
        if kind != "copy" and kind not in _FILLED
    )
    return RowPlan(table, columns, shared, slots, {c: i for i, c in enumerate(columns)})


def _naive(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)


class Writer:
    """Driver-level inserts and id allocation on one connection (SQLite or PostgreSQL)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self._mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self._quote = conn.dialect.identifier_preparer.quote
        if self.sqlite:
            # for this connection: a 128 MB page cache (random index inserts), and the WAL folded back
            # every 256 MB instead of every 4 MB (an index page changed by many batches is copied once)
            conn.exec_driver_sql("PRAGMA cache_size = -131072")
            conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 65536")

    def time(self, naive: datetime) -> Any:
        """A naive UTC moment as the column stores it (see the module's docstring); on SQLite the
        text `SQLITE_TIME` describes, made the faster way."""
        return naive.isoformat(" ", "microseconds") if self.sqlite else naive

    def ids(self, table: str, count: int) -> list[int]:
        """`count` new ids of the table's serial key, in the writer's transaction: on SQLite the
        next rowids (the writer holds the database's write lock), on PostgreSQL from its sequence."""
        if count == 0:
            return []
        if self.sqlite:
            highest = text(f"SELECT COALESCE(MAX(id), 0) FROM {self._quote(table)}")  # noqa: S608 - a schema name
            start = int(self.conn.execute(highest).scalar_one())
            return list(range(start + 1, start + count + 1))
        statement = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return [int(i) for i in self.conn.execute(statement, {"table": table, "count": count}).scalars()]

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        names = ", ".join(self._quote(c) for c in columns)
        marks = ", ".join([self._mark] * len(columns))
        statement = f"INSERT INTO {self._quote(table)} ({names}) VALUES ({marks})"  # noqa: S608 - schema names
        cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(statement, rows)  # the rows as they are: lists and tuples alike
        finally:
            cursor.close()
