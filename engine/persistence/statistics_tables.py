"""The locked § 99 Abs. 6 years of the Jugendämter (R23): a sibling of `models`, which is full.

Registered on the same `Base.metadata` by the package's `__init__`; `models` re-exports the table, so
code names it `m.StatisticsLock` like every other table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from audit.tables import UTCDateTime
from engine.persistence.base import Base


class StatisticsLock(Base):
    """A year the Jugendamt's Leitung reviewed and locked: the records as they were then.

    `records` is the sealed snapshot (engine/statistics/lock.py says why sealed and not a plain copy);
    `sha256` the digest of the CSV the locked records give, also in the `statistics.locked` event, so a
    file handed to the statistics office can be checked against the audit trail. Unlocking (a
    correction, with a reason) deletes the row; the audit trail keeps both events."""

    __tablename__ = "statistics_locks"
    __table_args__ = (UniqueConstraint("jugendamt_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    jugendamt_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    record_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    records: Mapped[bytes] = mapped_column(LargeBinary())
