"""The engine's public entry point: `CaseEngine`, one method per use case.

Web views and CLI commands call these and nothing below them, so every guard and every audit event
runs on every path. The methods live in one facade per capability (`engine/<capability>/facade.py`),
composed here; each runs through the one `TransactionRunner`, which opens, commits and rolls back
every unit of work and records refusals the same way for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from audit import AuditVault
from engine.accounts.facade import AccountsFacade
from engine.auditing.facade import AuditingFacade
from engine.auditing.recording import record_denial
from engine.break_glass.facade import BreakGlassFacade
from engine.cases.facade import CasesFacade
from engine.clock import Clock
from engine.deadlines.facade import DeadlinesFacade
from engine.indicators.facade import IndicatorsFacade
from engine.operations.facade import OperationsFacade
from engine.persistence.database import make_session_factory
from engine.processes.catalog import ProcessCatalog
from engine.processes.facade import ProcessesFacade
from engine.quality.facade import QualityFacade
from engine.retention.facade import RetentionFacade
from engine.statistics.facade import StatisticsFacade
from engine.transactions import TransactionRunner, UnitOfWork, Work


class CaseEngine(
    CasesFacade,
    AccountsFacade,
    AuditingFacade,
    BreakGlassFacade,
    DeadlinesFacade,
    IndicatorsFacade,
    OperationsFacade,
    ProcessesFacade,
    QualityFacade,
    RetentionFacade,
    StatisticsFacade,
):
    def __init__(self, db: Engine, clock: Clock, vault: AuditVault) -> None:
        self.db = db
        self.clock = clock
        self.vault = vault
        self.catalog = ProcessCatalog()
        self.tx = TransactionRunner(make_session_factory(db), self.catalog, vault, clock, on_denied=record_denial)
        self.deadline_listeners: list[Callable[[], None]] = []

    # ---- raw units of work: start-up, demo data and tests that arrange a situation by hand ----------
    def reading(self) -> UnitOfWork:
        return self.tx.raw(write=False)

    def writing(self) -> UnitOfWork:
        return self.tx.raw(write=True)

    @contextmanager
    def work(self) -> Iterator[tuple[UnitOfWork, Work]]:
        """A writing unit of work and the Work value (session, catalog, vault, now) for it."""
        with self.tx.unit(write=True) as (uow, work):
            yield uow, work
