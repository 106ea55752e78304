"""What every engine operation inside a unit of work needs, in one value: the session, the process
catalog, the audit vault and the instant of the action (time is a parameter, read once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from audit import AuditVault
from engine.processes import ProcessCatalog


@dataclass(frozen=True)
class Work:
    session: Session
    catalog: ProcessCatalog
    vault: AuditVault
    now: datetime
