"""Earlier reports on the same child — the lesson of case reviews: reports that were never connected.

When a case is opened (by hand or by a Meldung), its child is looked up in the blind index among the
other cases of the same organisation — for a Jugendamt its own cases, open and closed, for a Träger
its own — by first name + surname + birth date (`voll`) and by a surname + birth date (`nachname`: a
first name spelt differently, a double name shortened). A shredded case has left the index, so only
cases within retention are found. Each hit becomes a `CaseMatch` the case page shows ("Zu diesem Kind
gibt es N frühere Fälle"); a case worker of the organisation confirms it (the cases are linked) or
rejects it, and both are audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.actor import Actor
from engine.cases.child_index import FULL, SURNAME, child_terms, digests
from engine.cases.earlier_listing import OPEN
from engine.cases.visibility import can_see_case
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed, denied
from engine.permissions import works_case_of_organisation
from engine.persistence import models as m
from engine.transactions import Work

CONFIRMED, REJECTED = "bestaetigt", "verworfen"
DECISIONS = (CONFIRMED, REJECTED)
#: the relation written on both cases when a match is confirmed
SAME_CHILD = "gleiches_kind"


def find_earlier(work: Work, case: m.Case, child: dict[str, Any]) -> int:
    """Record the earlier cases of the organisation that match the child and were not matched before;
    returns how many."""
    terms = child_terms(child)
    full, surname = digests(work, terms[FULL]), digests(work, terms[SURNAME])
    if not full and not surname:
        return 0
    rows = work.session.execute(
        select(m.ChildIndex.case_id, m.ChildIndex.digest).where(
            m.ChildIndex.digest.in_(full + surname),
            m.ChildIndex.organisation_id == case.organisation_id,
            m.ChildIndex.case_id != case.id,
        )
    ).all()
    # completed data (engine/cases/child_details.py) looks again: cases matched before stay as decided
    matched = set(
        work.session.execute(select(m.CaseMatch.earlier_case_id).where(m.CaseMatch.case_id == case.id)).scalars()
    )
    exact, kinds = set(full), dict[int, str]()
    for case_id, digest in rows:
        if case_id in matched:
            continue
        if bytes(digest) in exact:
            kinds[case_id] = "voll"
        else:
            kinds.setdefault(case_id, "nachname")
    for earlier_id, kind in sorted(kinds.items()):
        work.session.add(m.CaseMatch(case_id=case.id, earlier_case_id=earlier_id, kind=kind, state=OPEN))
    work.session.flush()
    return len(kinds)


def decide(work: Work, actor: Actor, case_id: int, match_id: int, decision: object) -> tuple[m.CaseMatch, m.Case]:
    """A case worker confirms or rejects one match; a confirmed one links both cases."""
    session = work.session
    case = session.get(m.Case, case_id)
    if case is None:
        raise NotFound("Fall nicht gefunden.")
    if not can_see_case(session, actor, case):  # another organisation's: not there
        raise denied(NotFound("Fall nicht gefunden."), actor, case.id, view="fruehere_faelle")
    if not works_case_of_organisation(actor, case.organisation_id):
        refused = NotAllowed("Frühere Fälle bestätigen nur die Fachkräfte der fallführenden Organisation.")
        raise denied(refused, actor, case.id, view="fruehere_faelle")
    match = session.get(m.CaseMatch, match_id)
    if match is None or match.case_id != case_id:
        raise NotFound("Diesen Abgleich gibt es nicht.")
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": ["Bitte „bestaetigt“ oder „verworfen“ angeben."]})
    if match.state != OPEN:
        raise Conflict("Über diesen früheren Fall wurde bereits entschieden.")
    match.state, match.decided_by_user_id, match.decided_at = str(decision), actor.user_id, work.now
    if decision == CONFIRMED:
        session.add(m.CaseLink(case_id=case_id, linked_case_id=match.earlier_case_id, relation=SAME_CHILD))
        session.add(m.CaseLink(case_id=match.earlier_case_id, linked_case_id=case_id, relation=SAME_CHILD))
    session.flush()
    earlier = session.get(m.Case, match.earlier_case_id)
    assert earlier is not None
    return match, earlier
