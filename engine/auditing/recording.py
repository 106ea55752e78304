"""Writing audit events from engine operations: in the caller's transaction, so the event commits
with the change it records or neither does (a failed append fails the action).

Payloads hold what changed (form values, case data entered); they are encrypted under the case's
data key by the audit library, never readable from the database.
"""

from __future__ import annotations

from typing import Any

from audit import Shredded
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.errors import EngineError
from engine.persistence import models as m
from engine.persistence.sealed import SYSTEM_SCOPE, case_scope
from engine.transactions import Work


def _organisation_of(work: Work, actor: Actor | None, case: m.Case | None) -> str | None:
    """The organisation the actor acted for: the case's one if they belong to it, else their first."""
    if actor is not None and actor.memberships:
        if case is not None:
            for membership in actor.memberships:
                if membership.organisation_id == case.organisation_id:
                    return membership.organisation_key
        return actor.memberships[0].organisation_key
    if case is not None:
        org = work.session.get(m.Organisation, case.organisation_id)
        return org.key if org else None
    return None


def record(
    work: Work,
    event_type: EventType,
    *,
    actor: Actor | None,
    case: m.Case | None = None,
    payload: dict[str, Any] | None = None,
    actor_name: str | None = None,
    system_scope: bool = False,
) -> int:
    """Append one event; `actor` None means the system acted (a message, a deadline).

    `system_scope` seals the payload under the system key even for a case event — for events that
    must stay readable after the case's own key is gone (its shredding)."""
    header: dict[str, Any] = {
        "time": work.now,
        "actor": actor_name or (actor.username if actor else "system"),
        "organisation": _organisation_of(work, actor, case),
        "case_ref": case.reference if case else None,
        "type": event_type.value,
        "payload": payload or {},
    }
    scope = case_scope(case.reference) if case and not system_scope else SYSTEM_SCOPE
    try:
        return work.vault.append(work.session.connection(), scope=scope, **header)
    except Shredded:
        # A shredded case is still read and audited (e.g. by the Revision): its events can no longer
        # be sealed under its destroyed key, so they go under the system key.
        return work.vault.append(work.session.connection(), scope=SYSTEM_SCOPE, **header)


def record_read(work: Work, actor: Actor, case_id: int, payload: dict[str, Any]) -> None:
    """`case.read`: somebody was shown a case's content (`payload` says which view)."""
    record(work, EventType.CASE_READ, actor=actor, case=work.session.get(m.Case, case_id), payload=payload)


def record_denial(work: Work, refused: EngineError) -> None:
    """The runner's denial hook: a refused access to an existing case is recorded as `access.denied`
    (probing for other organisations' cases leaves a trace), with what was tried and the refusal."""
    denial = refused.denial
    if denial is None:
        return
    case = work.session.get(m.Case, denial.case_id)
    payload = {**denial.payload, "refusal": type(refused).__name__}
    record(work, EventType.ACCESS_DENIED, actor=denial.actor, case=case, payload=payload)
