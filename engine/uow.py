"""One user action = one unit of work: everything commits together or nothing does.

Use as a context manager; leaving the block without `commit()` — or with an exception — rolls back.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from engine.persistence.database import WRITE_OPTION


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
