"""The case owner's release of a closed case's free texts for the quality review.

Free texts (observations, reasons, notes) may name the family; the reviewer reads them only if the
Leitung of the organisation that owns the case released them (DP-18, § 64 Abs. 2a SGB VIII: as far
as the task allows, pseudonymised). The release is a decision about the whole case after it is
closed, audited (`quality.released`); without it the review sees coded values only. The same Leitung
may withdraw it (`quality.release_withdrawn`): the row goes, so the reviewer's next reading of the
case shows coded values only again — the audit trail keeps when it was released and withdrawn.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases.queries import visible_case
from engine.cases.state import CLOSED
from engine.errors import Conflict, NotAllowed, denied
from engine.persistence import models as m
from engine.persistence.quality_models import ReviewRelease
from engine.transactions import Work

#: the Leitung of the owning organisation: a Träger's or a Jugendamt's
RELEASING_ROLES = frozenset({"leitung", "ja_leitung"})


def may_release(actor: Actor, case: m.Case) -> bool:
    return case.status == CLOSED and bool(actor.roles_in(case.organisation_id) & RELEASING_ROLES)


def is_released(session: Session, case_id: int) -> bool:
    return session.get(ReviewRelease, case_id) is not None


def _decided_by(work: Work, actor: Actor, case_id: int) -> m.Case:
    """The case whose release the actor decides: only the Leitung of the organisation owning it."""
    case = visible_case(work.session, actor, case_id, view="freigabe")
    if not actor.roles_in(case.organisation_id) & RELEASING_ROLES:
        raise denied(
            NotAllowed("Die Freigabe erteilt die Leitung der Organisation, die den Fall führt."), actor, case.id
        )
    return case


def release(work: Work, actor: Actor, case_id: int) -> None:
    case = _decided_by(work, actor, case_id)
    if case.status != CLOSED:
        raise Conflict("Freigeben lässt sich nur ein abgeschlossener Fall.")
    if is_released(work.session, case.id):
        raise Conflict("Die Freitexte dieses Falls sind bereits zur Qualitätsprüfung freigegeben.")
    work.session.add(ReviewRelease(case_id=case.id, released_by_user_id=actor.user_id, released_at=work.now))
    record(work, EventType.QUALITY_RELEASED, actor=actor, case=case, payload={"freitexte": True})


def withdraw(work: Work, actor: Actor, case_id: int) -> None:
    """Take the release back: from now on the reviewer reads the case without its free texts."""
    case = _decided_by(work, actor, case_id)
    found = work.session.get(ReviewRelease, case.id)
    if found is None:
        raise Conflict("Die Freitexte dieses Falls sind nicht zur Qualitätsprüfung freigegeben.")
    work.session.delete(found)
    record(work, EventType.QUALITY_RELEASE_WITHDRAWN, actor=actor, case=case, payload={"freitexte": False})


def release_state(work: Work, actor: Actor, case_id: int) -> tuple[bool, bool]:
    """(may decide the release — give it or withdraw it, already released) of a case the actor sees."""
    case = visible_case(work.session, actor, case_id)
    return may_release(actor, case), is_released(work.session, case.id)
