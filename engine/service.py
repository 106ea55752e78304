"""The engine's public entry point: one method per use case, each its own unit of work.

Web views and CLI commands call these and nothing below them, so every guard runs on every path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from engine import casework, queries
from engine.accounts import actor_for_token
from engine.actor import Actor
from engine.bundles import Bundle
from engine.clock import Clock
from engine.persistence.database import make_session_factory
from engine.processes import DeployResult, ProcessCatalog
from engine.uow import UnitOfWork


class CaseEngine:
    def __init__(self, db: Engine, clock: Clock) -> None:
        self.db = db
        self.session_factory = make_session_factory(db)
        self.clock = clock
        self.catalog = ProcessCatalog()

    def reading(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, write=False)

    def writing(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, write=True)

    # ---- identity ---------------------------------------------------------------------------
    def actor_for_token(self, token: str) -> Actor | None:
        with self.reading() as uow:
            return actor_for_token(uow.session, token)

    # ---- cases and tasks --------------------------------------------------------------------
    def open_case(
        self,
        actor: Actor,
        *,
        process_key: str,
        child: object,
        jugendamt_key: str | None = None,
        organisation_key: str | None = None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        with self.writing() as uow:
            state = casework.open_case(
                uow.session,
                self.catalog,
                actor,
                process_key=process_key,
                child=child,
                now=now,
                jugendamt_key=jugendamt_key,
                organisation_key=organisation_key,
            )
            view = queries.case_view(uow.session, self.catalog, actor, state.case.id, now)
            uow.commit()
        return view

    def complete_task(self, actor: Actor, task_id: str, values: object) -> dict[str, Any]:
        """Complete one task; returns the step's result: the case's id, reference, status and open tasks.

        A command returns what the caller needs next, not the whole case: the full view (with its
        history) is a query, `case()`, so a step costs the same however long the history is.
        """
        now = self.clock.now()
        with self.writing() as uow:
            state = casework.complete_task(uow.session, self.catalog, actor, task_id, values, now)
            result = queries.step_result(uow.session, state.process, actor, state.case.id, now)
            uow.commit()
        return result

    def case(self, actor: Actor, case_id: int) -> dict[str, Any]:
        with self.reading() as uow:
            return queries.case_view(uow.session, self.catalog, actor, case_id, self.clock.now())

    def cases(self, actor: Actor, status: str | None = None) -> list[dict[str, Any]]:
        with self.reading() as uow:
            return queries.list_cases(uow.session, actor, status, self.clock.now())

    def tasks(self, actor: Actor) -> list[dict[str, Any]]:
        with self.reading() as uow:
            return queries.list_tasks(uow.session, self.catalog, actor, self.clock.now())

    def task(self, actor: Actor, task_id: str) -> dict[str, Any]:
        with self.reading() as uow:
            return queries.task_view(uow.session, self.catalog, actor, task_id, self.clock.now())

    # ---- process definitions ----------------------------------------------------------------
    def deploy(self, bundle: Bundle, *, deployed_by: str) -> DeployResult:
        with self.writing() as uow:
            result = self.catalog.deploy(uow.session, bundle, deployed_by=deployed_by, now=self.clock.now())
            uow.commit()
        return result

    def processes(self) -> list[dict[str, Any]]:
        with self.reading() as uow:
            return [
                {
                    "key": d.key,
                    "version": d.version,
                    "title": d.title,
                    "sha256": d.sha256,
                    "deployed_at": queries.iso(d.deployed_at),
                }
                for d in ProcessCatalog.list(uow.session)
            ]
