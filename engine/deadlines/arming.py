"""Deadlines as data, armed and closed in the same step that opened or finished what they watch.

After every step the case's deadlines are brought in line with its instance:
- every open user task gets a deadline from the network's Fristen profile: the key its BPMN declares
  (`frist`), else `unverzueglich`; in a case started with a Sofortmeldung the intake steps and their
  confirmation take `akut` (`engine/deadlines/urgency.py`) — so the deployed, immutable v1 bundles
  get both without a changed byte;
- a waiting catch event whose BPMN declares a `frist` gets one likewise;
  both counted from the task's opening (default), the case's opening (`frist_ab=fall_eroeffnet`) or
  an earlier task's completion (`frist_ab=erledigt:<task>`);
- an armed BPMN timer (the Schutzplan review date) gets a deadline at its due instant;
- a deadline whose task completed, or whose case ended, is closed and never fires.
A profile change applies to deadlines armed afterwards: an armed deadline keeps its instant.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.deadlines.fristen import due, parse_frist, reminder_at
from engine.deadlines.profiles import profile_of_known
from engine.deadlines.urgency import frist_key_of, started_with_sofortmeldung
from engine.persistence import models as m
from engine.processes.spiff import Step
from engine.transactions import Work

if TYPE_CHECKING:
    from engine.cases.state import CaseState

ACTIVE = ("pending", "reminded")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class _Watched:
    step: Step
    kind: str  # task | timer
    timer_due: datetime | None = None
    frist: str | None = None  # the profile key as declared (placeholders not yet filled)


def _watched(state: CaseState, open_steps: list[Step]) -> Iterator[_Watched]:
    instance = state.instance
    if instance.completed:
        return
    akut = started_with_sofortmeldung(instance.variables)
    for step in open_steps:
        yield _Watched(step, "task", frist=frist_key_of(step.key, step.properties, akut=akut))
    for step in instance.waits_with_property("frist"):
        yield _Watched(step, "task", frist=step.properties["frist"])
    for timer in instance.timers():
        yield _Watched(timer, "timer", timer_due=timer.due_at)


def sync(work: Work, state: CaseState, open_steps: list[Step], network_key: str) -> None:
    """Arm what newly waits, close what no longer does (called by `case_state.save` with the open
    steps it has already taken from the instance and the network of the case's organisation)."""
    session, case = work.session, state.case
    watched = {w.step.id: w for w in _watched(state, open_steps)}
    # the active deadlines and those of what waits now — not every closed one of the case's history
    # (loading those made a step's cost grow with the number of steps done: 19 ms at 500)
    relevant = m.Deadline.state.in_(ACTIVE) | m.Deadline.task_uuid.in_(sorted(watched))
    known = {
        d.task_uuid: d
        for d in session.execute(select(m.Deadline).where(m.Deadline.case_id == case.id, relevant)).scalars()
    }
    for task_uuid, deadline in known.items():
        if deadline.state in ACTIVE and task_uuid not in watched:
            deadline.state, deadline.closed_at, deadline.next_at = "closed", work.now, None
    for task_uuid, item in watched.items():
        if task_uuid not in known:
            _arm(work, case, item, network_key)
    session.flush()


def _arm(work: Work, case: m.Case, item: _Watched, network_key: str) -> None:
    session = work.session
    if item.kind == "timer":
        assert item.timer_due is not None
        deadline = m.Deadline(
            case_id=case.id,
            task_uuid=item.step.id,
            task_key=item.step.key,
            title=item.step.title,
            kind="timer",
            frist_key=None,
            frist_value=None,
            started_at=work.now,
            remind_at=None,
            due_at=item.timer_due,
            next_at=item.timer_due,
            state="pending",
        )
    else:
        assert item.frist is not None
        key = _frist_key(item.frist, item.step.data)
        value = profile_of_known(session, network_key).value(key)
        start = _start(session, case, item.step.properties.get("frist_ab"), work.now)
        due_at = due(parse_frist(value), start)
        remind = reminder_at(start, due_at)
        deadline = m.Deadline(
            case_id=case.id,
            task_uuid=item.step.id,
            task_key=item.step.key,
            title=item.step.title,
            kind="task",
            frist_key=key,
            frist_value=value,
            started_at=start,
            remind_at=remind,
            due_at=due_at,
            next_at=remind,
            state="pending",
        )
        session.execute(update(m.OpenTask).where(m.OpenTask.id == item.step.id).values(due_at=due_at))
    session.add(deadline)


def _frist_key(declared: str, data: Mapping[str, Any]) -> str:
    """`eindruck_{dringlichkeit}` → `eindruck_rot`: placeholders come from the task's data."""
    return _PLACEHOLDER.sub(lambda match: str(data.get(match.group(1), "")), declared)


def _start(session: Session, case: m.Case, counted_from: str | None, now: datetime) -> datetime:
    if counted_from == "fall_eroeffnet":
        return case.opened_at
    if counted_from and counted_from.startswith("erledigt:"):
        completed = session.execute(
            select(m.TaskHistory.completed_at)
            .where(m.TaskHistory.case_id == case.id, m.TaskHistory.task_key == counted_from.split(":", 1)[1])
            .order_by(m.TaskHistory.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if completed is not None:
            return completed
    return now


def carry_over(work: Work, case_id: int, old_task: str, new_task: str) -> None:
    """A migrated case's step keeps its deadline's instants (procedures.md invariant 6): the deadline
    `save` just armed for the new version's task (`new_task`) is counted from the start of the one the
    old task had, and where that one had already reminded or escalated, it does not do so again.
    The Frist is the new task's: a task whose Frist is unchanged keeps its due instant exactly."""
    session = work.session
    old = _latest(session, case_id, old_task)
    new = _latest(session, case_id, new_task)
    if old is None or new is None or new.closed_at is not None:
        return
    new.started_at = old.started_at
    if new.kind == "task" and new.frist_value is not None:
        new.due_at = due(parse_frist(new.frist_value), old.started_at)
        new.remind_at = reminder_at(old.started_at, new.due_at)
    new.reminded_at, new.fired_at = old.reminded_at, old.fired_at
    if old.fired_at is not None:
        new.state, new.next_at = "fired", None
    elif old.reminded_at is not None:
        new.state, new.next_at = "reminded", new.due_at
    else:
        new.state, new.next_at = "pending", new.remind_at or new.due_at
    session.execute(update(m.OpenTask).where(m.OpenTask.id == new_task).values(due_at=new.due_at))
    session.flush()


def _latest(session: Session, case_id: int, task_uuid: str) -> m.Deadline | None:
    return session.execute(
        select(m.Deadline)
        .where(m.Deadline.case_id == case_id, m.Deadline.task_uuid == task_uuid)
        .order_by(m.Deadline.id.desc())
        .limit(1)
    ).scalar_one_or_none()
