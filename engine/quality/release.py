"""The case owner's release of a closed case's free texts for the quality review.

Free texts (observations, reasons, notes) may name the family; the reviewer reads them only if the
Leitung of the organisation that owns the case released them (DP-18, § 64 Abs. 2a SGB VIII: as far
as the task allows, pseudonymised). The release is a decision about the whole case after it is
closed, made once and audited (`quality.released`); without it the review sees coded values only.
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


def release(work: Work, actor: Actor, case_id: int) -> None:
    case = visible_case(work.session, actor, case_id, view="freigabe")
    if not actor.roles_in(case.organisation_id) & RELEASING_ROLES:
        raise denied(
            NotAllowed("Die Freigabe erteilt die Leitung der Organisation, die den Fall führt."), actor, case.id
        )
    if case.status != CLOSED:
        raise Conflict("Freigeben lässt sich nur ein abgeschlossener Fall.")
    if is_released(work.session, case.id):
        raise Conflict("Die Freitexte dieses Falls sind bereits zur Qualitätsprüfung freigegeben.")
    work.session.add(ReviewRelease(case_id=case.id, released_by_user_id=actor.user_id, released_at=work.now))
    record(work, EventType.QUALITY_RELEASED, actor=actor, case=case, payload={"freitexte": True})


def release_state(work: Work, actor: Actor, case_id: int) -> tuple[bool, bool]:
    """(may release now, already released) of a case the actor sees."""
    case = visible_case(work.session, actor, case_id)
    released = is_released(work.session, case.id)
    return may_release(actor, case) and not released, released
