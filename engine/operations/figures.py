"""The figures behind `/metrics`, read from the shared database so every node reports the same
deployment-wide values: counts and ages only — no case reference, no name, no content.

Labels are process keys (`jugendamt_8a`) and nothing else: a label value that named a case or a
person would leave the protected system with every scrape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from audit.tables import audit_checkpoints
from engine.operations.heartbeat import last_beat
from engine.persistence import models as m
from engine.transactions import Work

_ARMED = ("pending", "reminded")


@dataclass(frozen=True)
class Figures:
    #: Completed process steps (task history entries with a user) per process key.
    steps_completed: dict[str, int]
    #: Armed deadlines not yet due.
    deadlines_pending: int
    #: User-task deadlines past their due instant whose task is still open (escalated or not yet fired).
    deadlines_overdue: int
    #: How long the oldest due deadline has waited for the scheduler (0: nothing waits).
    scheduler_lag_seconds: float
    #: Age of the scheduler's heartbeat; None before the first beat.
    heartbeat_age_seconds: float | None
    #: Age of the newest signed audit checkpoint; None before the first.
    checkpoint_age_seconds: float | None
    #: Mails in the outbox not yet sent.
    outbox_backlog: int


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def read(work: Work) -> Figures:
    session, now = work.session, work.now
    steps = session.execute(
        select(m.ProcessDefinition.key, func.count(m.TaskHistory.id))
        .join(m.Case, m.Case.definition_id == m.ProcessDefinition.id)
        .join(m.TaskHistory, m.TaskHistory.case_id == m.Case.id)
        .where(m.TaskHistory.completed_by_user_id.is_not(None))
        .group_by(m.ProcessDefinition.key)
    ).all()
    pending = session.scalar(
        select(func.count(m.Deadline.id)).where(m.Deadline.state.in_(_ARMED), m.Deadline.due_at > now)
    )
    overdue = session.scalar(
        select(func.count(m.Deadline.id)).where(
            m.Deadline.kind == "task", m.Deadline.state.in_((*_ARMED, "fired")), m.Deadline.due_at <= now
        )
    )
    oldest_due = session.scalar(
        select(func.min(m.Deadline.next_at)).where(m.Deadline.state.in_(_ARMED), m.Deadline.next_at <= now)
    )
    checkpoint = session.scalar(select(func.max(audit_checkpoints.c.time)))
    backlog = session.scalar(select(func.count(m.Notification.id)).where(m.Notification.sent_at.is_(None)))
    return Figures(
        steps_completed={key: count for key, count in steps},
        deadlines_pending=pending or 0,
        deadlines_overdue=overdue or 0,
        scheduler_lag_seconds=_age(now, oldest_due) or 0.0,
        heartbeat_age_seconds=_age(now, last_beat(work)),
        checkpoint_age_seconds=_age(now, checkpoint),
        outbox_backlog=backlog or 0,
    )
