"""Human case references (`KS-2026-000123`) and pseudonyms (`K-7F3Q2`)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.persistence.models import Case, ReferenceCounter

#: No 0/O, 1/I/L: pseudonyms are read aloud on the phone to the insoweit erfahrene Fachkraft.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_NUMBER = 999_999


def next_reference(session: Session, year: int) -> str:
    """Next number of the year; the row update serialises concurrent openings on both databases."""
    return reserve_references(session, year, 1)[0]


def reserve_references(session: Session, year: int, count: int) -> list[str]:
    """`count` consecutive numbers of the year at once (the volume generator takes a batch's worth)."""
    bump = update(ReferenceCounter).where(ReferenceCounter.year == year).values(last=ReferenceCounter.last + count)
    if session.execute(bump).rowcount == 0:  # type: ignore[attr-defined]
        _create_counter(session, year)
        session.execute(bump)
    last = session.execute(select(ReferenceCounter.last).where(ReferenceCounter.year == year)).scalar_one()
    if last > MAX_NUMBER:
        raise RuntimeError(f"case references of {year} exhausted")
    return [f"KS-{year}-{number:06d}" for number in range(last - count + 1, last + 1)]


def _create_counter(session: Session, year: int) -> None:
    """The year's counter at 0, unless a concurrent first opening of the year created it meanwhile
    (ON CONFLICT DO NOTHING waits for that one's commit): on PostgreSQL a plain INSERT of both failed
    one of them with a duplicate key, a 500 for the user."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(ReferenceCounter).values(year=year, last=0).on_conflict_do_nothing())


def random_pseudonym(rng: random.Random | None = None) -> str:
    """A pseudonym drawn with `rng` (invented cases) or from the system's secure source."""
    choice = rng.choice if rng is not None else secrets.choice
    return "K-" + "".join(choice(PSEUDONYM_ALPHABET) for _ in range(5))


def taken_pseudonyms(session: Session, candidates: Collection[str]) -> set[str]:
    """Which of the candidates a case already carries."""
    return set(session.execute(select(Case.pseudonym).where(Case.pseudonym.in_(list(candidates)))).scalars())


def new_pseudonym(session: Session) -> str:
    for _ in range(20):
        candidate = random_pseudonym()
        if not taken_pseudonyms(session, [candidate]):
            return candidate
    raise RuntimeError("no free pseudonym found")
