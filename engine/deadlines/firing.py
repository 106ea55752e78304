"""Firing due deadlines — exactly once, whatever runs concurrently.

Each firing is its own unit of work: claim one due row (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two nodes never take the same row; SQLite's `BEGIN IMMEDIATE` serialises writers), move its state
on with a conditional UPDATE, act, audit, commit. The scheduler and `schutzpfad deadlines run-due`
call the same `fire_due`.

- a user task's or wait's deadline: reminder at 75 % (`deadline.reminder`), escalation at the due
  instant (`deadline.escalated`): the task is overdue and a `frist_klaeren` task opens for the Leitung
  of the owning organisation (procedures.md section 4);
- a BPMN timer: its event fires in the instance (`deadline.fired`), e.g. the Schutzplan review. If
  an expression of the steps that follow overruns its limits (`LimitExceeded`), the instance stays
  as it was and the overrun is escalated like a missed deadline (`deadline.escalated` with the
  reason, a `frist_klaeren` task): the scheduler goes on with the next deadline instead of failing
  on this one at every wake-up.
A deadline whose case has ended meanwhile fires nothing; a clock that jumps back un-fires nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import select, update

from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import state as case_state
from engine.deadlines.notifications import notify_lane
from engine.errors import LimitExceeded
from engine.persistence import models as m
from engine.transactions import Work

#: Who clarifies an overdue deadline, by kind of the owning organisation; None: the case's opener.
ESCALATION_ROLE = {"traeger": "leitung", "jugendamt": "ja_leitung"}
ESCALATION_TITLE = "Frist überschritten – klären"
TIMER_REFUSED_TITLE = "Zeitgesteuerter Schritt abgelehnt (Rechengrenze) – klären"


def fire_due(run: Callable[[Callable[[Work], str | None]], str | None], now: datetime) -> list[str]:
    """Fire everything due at `now`, each firing a command of its own (`run` commits it); returns
    what fired."""
    fired: list[str] = []
    while (what := run(lambda work: fire_next(work, now))) is not None:
        fired.append(what)
    return fired


def fire_next(work: Work, now: datetime) -> str | None:
    """Claim and fire the next due deadline in this unit of work; None when nothing is due."""
    deadline = _claim_next(work, now)
    return None if deadline is None else _fire(work, deadline)


def _claim_next(work: Work, now: datetime) -> m.Deadline | None:
    stmt = (
        select(m.Deadline)
        .where(m.Deadline.state.in_(("pending", "reminded")), m.Deadline.next_at <= now)
        .order_by(m.Deadline.next_at, m.Deadline.id)
        .limit(1)
    )
    if work.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return work.session.execute(stmt).scalar_one_or_none()


def _move(work: Work, deadline: m.Deadline, new_state: str, **values: object) -> None:
    """Conditional state change: exactly one firing can move a row from the state it saw."""
    moved = work.session.execute(
        update(m.Deadline)
        .where(m.Deadline.id == deadline.id, m.Deadline.state == deadline.state)
        .values(state=new_state, **values)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError(f"deadline {deadline.id} was fired concurrently")


def _fire(work: Work, deadline: m.Deadline) -> str:
    case = case_state.lock_case(work.session, deadline.case_id)
    assert case is not None
    label = f"{case.reference} {deadline.task_key}"
    if case.status != "offen":
        _move(work, deadline, "closed", closed_at=work.now, next_at=None)
        return f"{label}: closed (case ended)"
    if deadline.kind == "timer":
        _move(work, deadline, "fired", fired_at=work.now, next_at=None)
        state = case_state.load(work, case)
        try:
            # Spiff fires a timer only strictly after its due instant.
            state.instance.fire_timers(max(work.now, deadline.due_at + timedelta(microseconds=1)))
        except LimitExceeded as refused:  # the instance is not saved: it still waits at its timer
            return _escalate_refused_timer(work, case, deadline, refused, label)
        case_state.save(work, state)
        record(
            work,
            EventType.DEADLINE_FIRED,
            actor=None,
            case=case,
            payload={"task": deadline.task_key, "due_at": deadline.due_at.isoformat()},
        )
        return f"{label}: timer fired"
    if deadline.state == "pending" and deadline.remind_at is not None and deadline.remind_at < deadline.due_at:
        _move(work, deadline, "reminded", reminded_at=work.now, next_at=deadline.due_at)
        record(work, EventType.DEADLINE_REMINDER, actor=None, case=case, payload=_facts(deadline))
        notify_lane(work, case, deadline.task_uuid, "Erinnerung", deadline.title, deadline.due_at)
        return f"{label}: reminder"
    _move(work, deadline, "fired", fired_at=work.now, next_at=None)
    task_id = _open_escalation(work, case, deadline)
    record(
        work,
        EventType.DEADLINE_ESCALATED,
        actor=None,
        case=case,
        payload={**_facts(deadline), "escalation_task": task_id},
    )
    notify_lane(work, case, task_id, ESCALATION_TITLE, deadline.title, deadline.due_at)
    return f"{label}: escalated"


def _escalate_refused_timer(work: Work, case: m.Case, deadline: m.Deadline, refused: LimitExceeded, label: str) -> str:
    task_id = _open_escalation(work, case, deadline, title=f"{TIMER_REFUSED_TITLE}: {deadline.title}")
    record(
        work,
        EventType.DEADLINE_ESCALATED,
        actor=None,
        case=case,
        payload={**_facts(deadline), "escalation_task": task_id, "reason": refused.detail},
    )
    notify_lane(work, case, task_id, TIMER_REFUSED_TITLE, deadline.title, deadline.due_at)
    return f"{label}: timer refused (limit exceeded), escalated"


def _facts(deadline: m.Deadline) -> dict[str, object]:
    return {
        "task": deadline.task_key,
        "frist": deadline.frist_key,
        "value": deadline.frist_value,
        "due_at": deadline.due_at.isoformat(),
    }


def _open_escalation(work: Work, case: m.Case, deadline: m.Deadline, *, title: str | None = None) -> str:
    """`frist_klaeren` for the Leitung of the organisation that owns the case; where that kind of
    organisation has no Leitung (einrichtung_kkg, gesundheitswesen, kindertagespflege), for the person who
    opened it."""
    organisation = work.session.get(m.Organisation, case.organisation_id)
    assert organisation is not None
    role = ESCALATION_ROLE.get(organisation.kind)
    offered_to = None
    if role is None:
        offered_to = case.opened_by_user_id
        role = (
            work.session.execute(
                select(m.Membership.role).where(
                    m.Membership.user_id == offered_to, m.Membership.organisation_id == case.organisation_id
                )
            )
            .scalars()
            .first()
            or "fachkraft"
        )
    task_id = str(uuid4())
    work.session.add(
        m.OpenTask(
            id=task_id,
            case_id=case.id,
            case_reference=case.reference,
            pseudonym=case.pseudonym,
            task_key="frist_klaeren",
            title=title or f"{ESCALATION_TITLE}: {deadline.title}",
            lane=role,
            lane_roles=role,
            kind="frist_klaeren",
            organisation_id=case.organisation_id,
            network_key=organisation.network_key,
            pool_role=None,
            offered_to_user_id=offered_to,
            due_at=None,
            created_at=work.now,
        )
    )
    work.session.flush()
    return task_id


def next_wake(work: Work) -> datetime | None:
    """The earliest instant anything is due (the scheduler's next wake-up), via the state index."""
    return work.session.execute(
        select(m.Deadline.next_at)
        .where(m.Deadline.state.in_(("pending", "reminded")))
        .order_by(m.Deadline.next_at)
        .limit(1)
    ).scalar_one_or_none()
