"""The deadline scheduler's heartbeat: written on every tick by whichever process runs the scheduler,
read by the readiness check of every web node (the row lives in the shared database)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from engine.persistence.operations_models import SchedulerHeartbeat
from engine.transactions import Work

#: A heartbeat older than this means: no scheduler runs (it ticks every few seconds, see scheduler.py).
STALE_AFTER = timedelta(seconds=60)


def beat(work: Work, node: str) -> None:
    work.session.execute(
        update(SchedulerHeartbeat).where(SchedulerHeartbeat.id == 1).values(node=node, beat_at=work.now)
    )


def last_beat(work: Work) -> datetime | None:
    return work.session.execute(select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.id == 1)).scalar()
