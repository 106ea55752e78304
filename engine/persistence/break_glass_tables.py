"""Break-glass accesses (R35, DP-11): a sibling of `models`, which is full.

Registered on the same `Base.metadata` by the package's `__init__`; `models` re-exports the table, so
code names it `m.BreakGlassAccess` like every other table.

The reason and the review's comment speak about a case: they are sealed under the case's data key
(engine/persistence/sealed.py), so shredding the case at the end of retention takes them with it.
The times stay plain: the access check compares `expires_at` with the engine's clock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from audit.tables import UTCDateTime
from engine.persistence.base import Base


class BreakGlassAccess(Base):
    """One exceptional, time-limited read of one case by one user, until its review."""

    __tablename__ = "break_glass_accesses"
    __table_args__ = (Index("ix_break_glass_user_case", "user_id", "case_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the Jugendamt whose case it is: its Leitung and its Revision / Datenschutz review the access
    jugendamt_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[bytes] = mapped_column(LargeBinary())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[bytes | None] = mapped_column(LargeBinary())
