"""The Löschsperre (legal hold) of a case: set with a reason, released with a reason, both audited.

Who: the Leitung of the Jugendamt that owns the case (in the UI), or the operator on the command
line (`schutzpfad retention hold`). A hold stops retention for the case — e.g. a Familiengericht
case still pending, an Akteneinsicht requested, a quality sample drawn (DP-16 d).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.auditing.review import require_reason
from engine.errors import Conflict, NotAllowed, NotFound
from engine.persistence import models as m
from engine.persistence.sealed import open_hold, seal_hold
from engine.transactions import Work

#: The role that may set and release a hold in the UI (of the Jugendamt owning the case).
HOLD_ROLE = "ja_leitung"


@dataclass(frozen=True)
class Hold:
    reason: str
    set_at: datetime
    set_by: str


def may_hold(actor: Actor, case: m.Case) -> bool:
    return HOLD_ROLE in actor.roles_in(case.organisation_id)


def case_by_reference(work: Work, reference: str) -> m.Case:
    case = work.session.execute(select(m.Case).where(m.Case.reference == reference)).scalar_one_or_none()
    if case is None:
        raise NotFound("Fall nicht gefunden.")
    return case


def current_hold(work: Work, case: m.Case) -> Hold | None:
    hold = open_hold(work, case)
    if hold is None:
        return None
    return Hold(str(hold["grund"]), datetime.fromisoformat(hold["seit"]), str(hold["von"]))


def set_hold(work: Work, case: m.Case, reason: str, *, actor: Actor | None, operator: str | None = None) -> None:
    """`actor` None: the operator on the command line (named `operator`). Who may is checked first:
    deny before validating input."""
    _check(actor, case)
    why = require_reason(reason)
    if case.hold is not None:
        raise Conflict("Für diesen Fall besteht bereits eine Löschsperre.")
    name = actor.username if actor is not None else operator or "cli"
    case.hold = seal_hold(work, case.reference, {"grund": why, "seit": work.now.isoformat(), "von": name})
    record(work, EventType.CASE_HOLD_SET, actor=actor, actor_name=operator, case=case, payload={"reason": why})


def release_hold(work: Work, case: m.Case, reason: str, *, actor: Actor | None, operator: str | None = None) -> None:
    _check(actor, case)
    why = require_reason(reason)
    if case.hold is None:
        raise Conflict("Für diesen Fall besteht keine Löschsperre.")
    case.hold = None
    record(work, EventType.CASE_HOLD_RELEASED, actor=actor, actor_name=operator, case=case, payload={"reason": why})


def _check(actor: Actor | None, case: m.Case) -> None:
    if actor is not None and not may_hold(actor, case):
        raise NotAllowed("Eine Löschsperre setzt oder hebt die Leitung des Jugendamts auf, dem der Fall gehört.")
