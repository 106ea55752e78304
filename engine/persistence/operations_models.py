"""Tables of running the deployment rather than of its cases (a sibling of `models`, which is full).

Registered on the same `Base.metadata` by the package's `__init__`, so every import of
`engine.persistence` — migrations, the schema test, the engine — sees them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from audit.tables import UTCDateTime
from engine.persistence.models import Base


class SchedulerHeartbeat(Base):
    """The deadline scheduler's last tick — one row, written by whichever process runs the scheduler
    (`serve` or `worker`), read by every web node's readiness check (engine/operations)."""

    __tablename__ = "scheduler_heartbeat"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: host:pid of the scheduler that beat last (two schedulers take turns here).
    node: Mapped[str | None] = mapped_column(String(200))
    beat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
