"""One user action = one unit of work: everything commits together or nothing does.

`UnitOfWork` is the transaction (a context manager: leaving the block without `commit()` — or with an
exception — rolls back); `Work` is what every engine operation inside it needs, in one value: the
session, the process catalog, the audit vault and the instant of the action (time is a parameter,
read once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from audit import AuditVault
from engine.persistence.database import WRITE_OPTION
from engine.processes.catalog import ProcessCatalog


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session], *, write: bool) -> None:
        self._factory = factory
        self._write = write
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        # Claim the connection now so that SQLite's BEGIN IMMEDIATE happens before the first read.
        self.session.connection(execution_options={WRITE_OPTION: self._write})
        return self

    def commit(self) -> None:
        self.session.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()


@dataclass(frozen=True)
class Work:
    session: Session
    catalog: ProcessCatalog
    vault: AuditVault
    now: datetime
