"""Search for a child among the cases a person may open: by name, birth date or Aktenzeichen.

One search box takes all three: an Aktenzeichen (`KS-2026-000123`) finds that case; a date
(`17.05.2020` or `2020-05-17`) the children born that day; anything else is names, in any order, and
a case matches when every name token matches one of its child's names (`mueller mia` finds "Mia
Müller"). Names and birth dates are looked up in the blind index (engine/cases/child_index.py), so the
terms never reach the database in clear. Only case workers search by name or birth date — the
insoweit erfahrene Fachkraft sees pseudonyms only (§ 64 Abs. 2a SGB VIII) and is refused; every
search is audited (`case.search`) with what kind of search it was and how many cases it found, never
with the terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from engine.actor import Actor
from engine.cases.child_index import BIRTH, NAME, matching_cases
from engine.errors import NotAllowed, ValidationFailed
from engine.permissions import CASEWORK_ROLES
from engine.persistence import models as m
from engine.spelling import tokens
from engine.transactions import Work

_REFERENCE = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
MAX_QUERY = 200


@dataclass(frozen=True)
class Search:
    #: `aktenzeichen`, `geburtsdatum` or `name` (what the audit trail records, not the terms)
    kind: str
    #: the cases found, among those of the actor's organisations
    case_ids: frozenset[int]


def parse(query: str) -> tuple[str, str | list[str]]:
    """(kind, value): the Aktenzeichen, the ISO birth date or the name tokens of a query."""
    text = query.strip()
    if not text:
        raise ValidationFailed({"q": ["Bitte einen Namen, ein Geburtsdatum oder ein Aktenzeichen eingeben."]})
    if len(text) > MAX_QUERY:
        raise ValidationFailed({"q": [f"Die Suche darf höchstens {MAX_QUERY} Zeichen lang sein."]})
    if _REFERENCE.match(text.upper()):
        return "aktenzeichen", text.upper()
    born = parse_date(text)
    if born is not None:
        return "geburtsdatum", born.isoformat()
    words = tokens(text)
    if not words:
        raise ValidationFailed({"q": ["Die Suche enthält keinen Namen (nur Buchstaben und Ziffern zählen)."]})
    return "name", words


def parse_date(text: str) -> date | None:
    """A date as people type it (`17.05.2020`) or ISO; None for text that is no date at all, and
    ValidationFailed for one that looks like a date but is none (`31.02.2020`)."""
    german = _GERMAN_DATE.match(text)
    try:
        if german:
            day, month, year = (int(g) for g in german.groups())
            return date(year, month, day)
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        if german or re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", text):
            raise ValidationFailed({"q": [f"„{text}“ ist kein gültiges Datum."]}) from None
        return None


def search(work: Work, actor: Actor, query: str) -> Search:
    """The ids of the cases of the actor's organisations whose child or Aktenzeichen matches."""
    organisations = [ms.organisation_id for ms in actor.memberships if ms.role in CASEWORK_ROLES]
    if not organisations:
        raise NotAllowed("Nach Kindern suchen dürfen nur die Fachkräfte der fallführenden Organisationen.")
    kind, value = parse(query)
    if kind == "aktenzeichen":
        own = m.Case.organisation_id.in_(organisations)
        found = work.session.execute(select(m.Case.id).where(own, m.Case.reference == value)).scalars()
        return Search(kind, frozenset(found))
    terms = [f"{BIRTH}:{value}"] if kind == "geburtsdatum" else [f"{NAME}:{t}" for t in value]
    return Search(kind, matching_cases(work, terms, organisations))
