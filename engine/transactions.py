"""One user action = one unit of work: everything commits together or nothing does.

- `UnitOfWork` is the transaction: leaving the block without `commit()` — or with an exception —
  rolls back. A reading unit never takes SQLite's write lock (`BEGIN`, not `BEGIN IMMEDIATE`).
- `Work` is what every engine operation inside it needs, in one value: the session, the process
  catalog, the audit vault and the instant of the action (time is a parameter, read once).
- `TransactionRunner` is the only code that opens, commits and rolls back units of work for the
  engine's facades: `command` runs one action in a writing unit and commits it; when the action is
  refused (an `EngineError`), everything it did is rolled back and the refusal — if the command says
  how — is recorded in a writing unit of its own, the same way for every command. `query` runs a
  read in a reading unit and commits nothing.
- Denied access is recorded by the runner itself, for every query and command: a refusal that
  carries a `Denial` (set where the permission check failed, `engine.errors.denied`) is handed to the
  `on_denied` hook (`access.denied`) in that same writing unit. No facade has to remember it, so a new
  read path is audited like the old ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from audit import AuditVault
from audit.tables import audit_head
from engine.clock import Clock
from engine.errors import EngineError
from engine.persistence.database import WRITE_OPTION
from engine.processes.catalog import ProcessCatalog
from engine.processes.spiff import frozen_time

T = TypeVar("T")

_SERIALISE_WRITERS = select(audit_head.c.id).where(audit_head.c.id == 1).with_for_update()


class UnitOfWork:
    def __init__(self, factory: sessionmaker[Session], *, write: bool) -> None:
        self._factory = factory
        self._write = write
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        # Claim the connection now so that SQLite's BEGIN IMMEDIATE happens before the first read.
        connection = self.session.connection(execution_options={WRITE_OPTION: self._write})
        if self._write and connection.dialect.name == "postgresql":
            # Every writing unit appends to the audit chain, whose head row it then holds until the
            # commit; taking it first gives PostgreSQL SQLite's order: one writer at a time, whole.
            # Taken later, it deadlocked with any other lock taken before it in another order (an
            # opening numbers its case and then appends; a Meldung appends and then numbers the
            # Jugendamt's case) — found by the SIGKILL trials of tests/reliability.
            connection.execute(_SERIALISE_WRITERS)
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


#: Records a refused command in a transaction of its own; may return the error to raise instead
#: (a failed sign-in that locks the name raises the lock-out).
Refusal = Callable[[Work, EngineError], EngineError | None]

#: Records a refusal that carries a `Denial` (`access.denied`), in the unit that records the refusal.
DenialHook = Callable[[Work, EngineError], None]


class TransactionRunner:
    def __init__(
        self,
        factory: sessionmaker[Session],
        catalog: ProcessCatalog,
        vault: AuditVault,
        clock: Clock,
        *,
        on_denied: DenialHook | None = None,
    ) -> None:
        self._factory = factory
        self._catalog = catalog
        self._vault = vault
        self._clock = clock
        self._on_denied = on_denied

    def raw(self, *, write: bool) -> UnitOfWork:
        """A bare unit of work (the caller commits): for start-up, demo data and tests only."""
        return UnitOfWork(self._factory, write=write)

    @contextmanager
    def unit(self, *, write: bool, at: datetime | None = None) -> Iterator[tuple[UnitOfWork, Work]]:
        """A raw unit of work and its `Work` (SpiffWorkflow's timers see the same instant). For the
        runner itself, start-up and maintenance code, and tests that arrange a situation by hand."""
        now = at or self._clock.now()
        with UnitOfWork(self._factory, write=write) as uow, frozen_time(now):
            yield uow, Work(uow.session, self._catalog, self._vault, now)

    def command(self, action: Callable[[Work], T], *, refusal: Refusal | None = None, at: datetime | None = None) -> T:
        """Run `action` in one writing unit and commit; on an `EngineError` roll back, record the
        refusal in its own unit (when `refusal` is given) and raise."""
        now = at or self._clock.now()
        try:
            with self.unit(write=True, at=now) as (uow, work):
                result = action(work)
                uow.commit()
            return result
        except EngineError as refused:
            replacement = self._record_refusal(refused, refusal, now)
            if replacement is not None and replacement is not refused:
                raise replacement from None
            raise

    def query(self, read: Callable[[Work], T], *, refusal: Refusal | None = None) -> T:
        """Run `read` in a reading unit (nothing is committed); a refused read is recorded like a
        refused command, in a writing unit of its own (a reading unit never takes the write lock)."""
        now = self._clock.now()
        try:
            with self.unit(write=False, at=now) as (_, work):
                return read(work)
        except EngineError as refused:
            self._record_refusal(refused, refusal, now)
            raise

    def _record_refusal(self, refused: EngineError, refusal: Refusal | None, now: datetime) -> EngineError | None:
        """The denied access (`on_denied`) and the caller's own record of the refusal, in one writing unit."""
        hook = self._on_denied if refused.denial is not None else None
        if hook is None and refusal is None:
            return None
        with self.unit(write=True, at=now) as (uow, work):
            if hook is not None:
                hook(work, refused)
            replacement = refusal(work, refused) if refusal is not None else None
            uow.commit()
        return replacement
