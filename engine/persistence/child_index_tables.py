"""The blind index of the cases' children and the earlier reports it finds (engine/cases/child_index.py,
engine/cases/earlier_cases.py): siblings of `models`, which is full, re-exported there like the
other tables (`m.ChildIndex`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from audit.tables import UTCDateTime
from engine.persistence.base import Base


class IndexKey(Base):
    """A version of the blind index key (engine/cases/child_index.py). The key itself is the data key
    of the scope `blind-index/<version>`, wrapped under the KEK like every data key; the newest
    version indexes new cases, older ones stay searchable until a rotation has re-indexed their rows."""

    __tablename__ = "index_keys"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChildIndex(Base):
    """Keyed digests of a case's child (names, birth date, their combinations): search and matching
    without plaintext. No plaintext and no unkeyed hash is ever stored here."""

    __tablename__ = "child_index"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    key_version: Mapped[int] = mapped_column(ForeignKey("index_keys.version"))
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: The case's organisation (which never changes): every lookup is one organisation's or a few, so
    #: (digest, organisation, case) answers it from the index alone, however many cases others hold.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    __table_args__ = (Index("ix_child_index_lookup", "digest", "organisation_id", "case_id"),)


class CaseMatch(Base):
    """An earlier case that may concern the same child, found when a case was opened; a case worker
    confirms (the cases are linked) or rejects it."""

    __tablename__ = "case_matches"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    earlier_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: `voll`: first name, surname and birth date agree; `nachname`: a surname and the birth date
    kind: Mapped[str] = mapped_column(String(16))
    #: offen, bestaetigt, verworfen
    state: Mapped[str] = mapped_column(String(16), default="offen")
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    __table_args__ = (UniqueConstraint("case_id", "earlier_case_id"),)
