"""Tables of the LKSG § 8 quality review (engine/quality): samples, their cases, the reviews, and the
case owners' releases of free texts for review. A sibling of `models` (which is full), registered on
the same `Base.metadata` by the package's `__init__`.

Only the reviewers' comments are sensitive (they speak about a case): they are sealed under the
case's data key, so shredding the case at the end of retention makes them unreadable with it. The
coded answers are the figures of the results page and stay plain.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from audit.tables import UTCDateTime
from engine.persistence.base import Base


class QualitySample(Base):
    """A random sample of closed cases, reproducible from its seed over the same case set."""

    __tablename__ = "quality_samples"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: `jugendamt` (the cases a Jugendamt is responsible for) or `netzwerk` (the cases of its members)
    scope: Mapped[str] = mapped_column(String(16))
    #: the Jugendamt's or the network's key
    scope_key: Mapped[str] = mapped_column(String(64))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    #: what was asked for: `anzahl` (a number of cases) or `anteil` (per cent of the closed cases)
    size_kind: Mapped[str] = mapped_column(String(8))
    size_value: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(24))
    #: how many closed cases the sample was drawn from, and the SHA-256 of their sorted ids: a redraw
    #: with the seed shows whether it ran over the same set
    population: Mapped[int] = mapped_column(Integer)
    population_sha256: Mapped[str] = mapped_column(String(64))
    #: the Jugendamt whose Leitung drew it: its Leitung reads the results
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    drawn_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class QualitySampleCase(Base):
    __tablename__ = "quality_sample_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("quality_samples.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: the order of the draw (1 = drawn first)
    position: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("sample_id", "case_id"), UniqueConstraint("sample_id", "position"))


class QualityReview(Base):
    """The reviewer's structured review of one sampled case (revised in place, each save audited)."""

    __tablename__ = "quality_reviews"
    sample_case_id: Mapped[int] = mapped_column(ForeignKey("quality_sample_cases.id"), primary_key=True)
    #: criterion -> coded answer (JSON object; engine/quality/criteria.py)
    answers: Mapped[str] = mapped_column(Text)
    #: criterion -> free comment, sealed under the case's data key
    comments: Mapped[bytes] = mapped_column(LargeBinary)
    reviewed_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewRelease(Base):
    """The case owner's Leitung released the case's free texts for quality review."""

    __tablename__ = "quality_releases"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    released_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime())
