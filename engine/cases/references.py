"""Human case references (`KS-2026-000123`) and pseudonyms (`K-7F3Q2`)."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.persistence.models import Case, ReferenceCounter

#: No 0/O, 1/I/L: pseudonyms are read aloud on the phone to the insoweit erfahrene Fachkraft.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def next_reference(session: Session, year: int) -> str:
    """Next number of the year; the row update serialises concurrent openings on both databases."""
    bumped = session.execute(
        update(ReferenceCounter).where(ReferenceCounter.year == year).values(last=ReferenceCounter.last + 1)
    )
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ReferenceCounter(year=year, last=1))
        session.flush()
        number = 1
    else:
        number = session.execute(select(ReferenceCounter.last).where(ReferenceCounter.year == year)).scalar_one()
    if number > 999_999:
        raise RuntimeError(f"case references of {year} exhausted")
    return f"KS-{year}-{number:06d}"


def new_pseudonym(session: Session) -> str:
    for _ in range(20):
        candidate = "K-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(5))
        if session.execute(select(Case.id).where(Case.pseudonym == candidate)).first() is None:
            return candidate
    raise RuntimeError("no free pseudonym found")
