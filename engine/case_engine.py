"""The engine's public entry point: one method per use case, each its own unit of work.

Web views and CLI commands call these and nothing below them, so every guard and every audit event
runs on every path. Reads of case content are audited too (`case.read`), so they write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from audit import AuditVault, Checkpoint, RotationReport, VerifyResult
from audit.tables import audit_checkpoints
from engine.accounts import listing as administration
from engine.accounts import registry as accounts
from engine.accounts import sign_in as authentication
from engine.accounts.registry import actor_for_token
from engine.accounts.sign_in import Enrolment, SignedInUser, SignIn
from engine.actor import Actor
from engine.auditing import review as auditing
from engine.auditing.recording import record
from engine.cases import completion as casework
from engine.cases import queries
from engine.clock import BERLIN, Clock
from engine.deadlines import firing as deadline_firing
from engine.deadlines import notifications
from engine.deadlines import profiles as fristen_store
from engine.directory.store import load_directory
from engine.errors import EngineError, NotFound
from engine.persistence import models as m
from engine.persistence.database import WRITE_OPTION, make_session_factory
from engine.processes.bundles import Bundle
from engine.processes.catalog import DeployResult, ProcessCatalog
from engine.processes.spiff import frozen_time
from engine.processes.stepper import stepper
from engine.transactions import UnitOfWork, Work


class CaseEngine:
    def __init__(self, db: Engine, clock: Clock, vault: AuditVault) -> None:
        self.db = db
        self.clock = clock
        self.vault = vault
        self.session_factory = make_session_factory(db)
        self.catalog = ProcessCatalog()
        #: Called after a step committed: the scheduler re-plans its wake-up (an earlier deadline).
        self.deadline_listeners: list[Callable[[], None]] = []

    def _deadlines_changed(self) -> None:
        for listener in list(self.deadline_listeners):
            listener()

    def reading(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, write=False)

    def writing(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, write=True)

    @contextmanager
    def work(self) -> Iterator[tuple[UnitOfWork, Work]]:
        """A writing unit of work and the Work value (session, catalog, vault, now) for it."""
        now = self.clock.now()
        with self.writing() as uow, frozen_time(now):
            yield uow, Work(uow.session, self.catalog, self.vault, now)

    # ---- identity ---------------------------------------------------------------------------
    def actor_for_token(self, token: str) -> Actor | None:
        with self.reading() as uow:
            return actor_for_token(uow.session, token)

    # ---- sign-in (engine/authentication.py) -------------------------------------------------------
    def sign_in(self, username: str, password: str) -> SignIn:
        """The password step; raises SignInFailed / AccountLocked after committing the failure and its
        audit event (`auth.login_failed`, `auth.locked`). Without a second factor: `auth.login`."""
        with self.reading() as uow:
            probe = authentication.probe(uow.session, username, self.clock.now())
        matched = not probe.locked and authentication.password_matches(probe.password_hash, password)
        with self.work() as (uow, work):
            outcome = authentication.password_outcome(work, username, matched)
            uow.commit()
        if outcome.error is not None:
            raise outcome.error
        assert outcome.user_id is not None
        return SignIn(outcome.user_id, outcome.next_step, outcome.actor)

    def verify_second_factor(self, user_id: int, code: str) -> Actor:
        """The TOTP step after an accepted password (the caller keeps which user that was)."""
        with self.work() as (uow, work):
            actor, error = authentication.verify_totp(work, user_id, code)
            uow.commit()
        if error is not None:
            raise error
        assert actor is not None
        return actor

    def begin_mfa_enrolment(self, user_id: int) -> Enrolment:
        with self.work() as (uow, work):
            enrolment = authentication.begin_enrolment(work, user_id)
            uow.commit()
        return enrolment

    def confirm_mfa_enrolment(self, user_id: int, code: str) -> Actor:
        with self.work() as (uow, work):
            actor, error = authentication.confirm_enrolment(work, user_id, code)
            uow.commit()
        if error is not None:
            raise error
        assert actor is not None
        return actor

    def signed_in_user(self, user_id: int) -> SignedInUser | None:
        with self.reading() as uow:
            return authentication.signed_in_user(uow.session, user_id)

    def record_logout(self, actor: Actor, *, reason: str = "logout") -> None:
        """`auth.logout`; `reason` is `logout` or `expired` (idle or absolute limit reached)."""
        with self.work() as (uow, work):
            record(work, "auth.logout", actor=actor, payload={"username": actor.username, "reason": reason})
            uow.commit()

    def set_password(self, username: str, password: str, *, operator: str) -> None:
        with self.work() as (uow, work):
            authentication.set_password(work, username, password, operator)
            uow.commit()

    def reset_second_factor(self, username: str, *, operator: str) -> None:
        with self.work() as (uow, work):
            authentication.reset_second_factor(work, username, operator)
            uow.commit()

    def save_draft(self, user_id: int, form_key: str, fields: dict[str, list[str]]) -> None:
        """Keep (sealed) what a user typed into a form when the session had expired."""
        with self.work() as (uow, work):
            authentication.save_draft(work, user_id, form_key, fields)
            uow.commit()

    def take_draft(self, user_id: int, form_key: str) -> dict[str, list[str]] | None:
        with self.work() as (uow, work):
            fields = authentication.take_draft(work, user_id, form_key)
            uow.commit()
        return fields

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
        with self.work() as (uow, work):
            state = casework.open_case(
                work,
                actor,
                process_key=process_key,
                child=child,
                jugendamt_key=jugendamt_key,
                organisation_key=organisation_key,
            )
            view = queries.case_view(work, actor, state.case.id)
            uow.commit()
        self._deadlines_changed()
        return view

    def complete_task(self, actor: Actor, task_id: str, values: object) -> dict[str, Any]:
        """Complete one task; returns the step's result: the case's id, reference, status and open tasks.

        A command returns what the caller needs next, not the whole case: the full view (with its
        history) is a query, `case()`, so a step costs the same however long the history is.
        A refused completion rolls back and is then audited in a transaction of its own.
        """
        try:
            with self.work() as (uow, work):
                state = casework.complete_task(work, actor, task_id, values)
                result = queries.step_result(uow.session, state.process, actor, state.case.id, work.now)
                uow.commit()
            self._deadlines_changed()
            return result
        except EngineError as refused:
            with self.work() as (uow, work):
                casework.record_refusal(work, actor, task_id, refused)
                uow.commit()
            raise

    def case(self, actor: Actor, case_id: int) -> dict[str, Any]:
        """The case view; the read is audited (`case.read`), a refused one as `access.denied`."""
        with self.work() as (uow, work):
            try:
                view = queries.case_view(work, actor, case_id)
            except NotFound:
                uow.session.rollback()
                case = uow.session.get(m.Case, case_id)
                if case is not None:
                    record(work, "access.denied", actor=actor, case=case, payload={"view": "case"})
                    uow.commit()
                raise
            record(
                work,
                "case.read",
                actor=actor,
                case=queries.visible_case(uow.session, actor, case_id),
                payload={"view": "case"},
            )
            uow.commit()
        return view

    def cases(self, actor: Actor, status: str | None = None) -> list[dict[str, Any]]:
        with self.reading() as uow:
            return queries.list_cases(uow.session, actor, status, self.clock.now())

    def tasks(self, actor: Actor) -> list[dict[str, Any]]:
        with self.reading() as uow:
            return queries.list_tasks(uow.session, self.catalog, actor, self.clock.now())

    def task(self, actor: Actor, task_id: str) -> dict[str, Any]:
        """A task with its form and prefilled case data: audited like a case read."""
        with self.work() as (uow, work):
            view = queries.task_view(work, actor, task_id)
            record(
                work,
                "case.read",
                actor=actor,
                case=queries.visible_case(uow.session, actor, view["case_id"]),
                payload={"view": "task", "task_id": task_id},
            )
            uow.commit()
        return view

    # ---- for the UI's pages -----------------------------------------------------------------------
    def startable_processes(self, actor: Actor) -> list[dict[str, Any]]:
        """The processes the actor may open a case of (by role and kind of organisation)."""
        out = []
        with self.reading() as uow:
            newest: dict[str, Any] = {}
            for definition in ProcessCatalog.list(uow.session):
                newest[definition.key] = definition
            for definition in newest.values():
                process = self.catalog.load(uow.session, definition.id)
                kinds, roles = process.manifest.organisation_kinds, process.manifest.starter_roles
                organisations = sorted(
                    {
                        ms.organisation_key
                        for ms in actor.memberships
                        if ms.role in roles and ms.organisation_kind in kinds
                    }
                )
                if organisations:
                    out.append({"key": process.key, "title": process.title, "organisations": organisations})
        return out

    def municipalities(self) -> list[str]:
        """Municipality names of the Jugendamt directory valid today (suggestions for Wohnort)."""
        with self.reading() as uow:
            return load_directory(uow.session).municipality_names(self.clock.now().astimezone(BERLIN).date())

    def jugendaemter(self) -> list[dict[str, str]]:
        with self.reading() as uow:
            return [{"key": j.key, "name": j.name} for j in load_directory(uow.session).jugendaemter()]

    def case_map(self, actor: Actor, case_id: int) -> dict[str, Any]:
        """Stepper and diagram data of a visible case: no case content, not audited as a read."""
        with self.reading() as uow:
            case = queries.visible_case(uow.session, actor, case_id)
            process = self.catalog.load(uow.session, case.definition_id)
            done = list(
                uow.session.execute(
                    select(m.TaskHistory.task_key).where(m.TaskHistory.case_id == case.id).order_by(m.TaskHistory.id)
                ).scalars()
            )
            current = list(
                uow.session.execute(
                    select(m.OpenTask.task_key).where(m.OpenTask.case_id == case.id, m.OpenTask.kind == "bpmn")
                ).scalars()
            )
            bpmn = b"".join(
                uow.session.execute(
                    select(m.ProcessFile.content).where(
                        m.ProcessFile.definition_id == case.definition_id,
                        m.ProcessFile.path.in_(process.manifest.bpmn),
                    )
                ).scalars()
            )
            return {
                "steps": stepper(process, done, current),
                "done": done,
                "current": current,
                "bpmn": bpmn,
                "lanes": {lane: sorted(roles) for lane, roles in process.manifest.lanes.items()},
            }

    def audit_events(self, actor: Actor, **filters: Any) -> list[dict[str, Any]]:
        """Metadata of the events in an auditor's scope (nothing decrypted, not itself audited)."""
        with self.reading() as uow:
            work = Work(uow.session, self.catalog, self.vault, self.clock.now())
            return auditing.list_events(work, actor, **filters)

    def last_checkpoint(self) -> dict[str, Any] | None:
        with self.reading() as uow:
            row = uow.session.execute(
                select(audit_checkpoints).order_by(audit_checkpoints.c.seq.desc()).limit(1)
            ).first()
            return None if row is None else {"seq": row.seq, "time": row.time.isoformat(), "hash": row.hash.hex()}

    def organisations(self) -> list[dict[str, Any]]:
        with self.reading() as uow:
            return administration.organisations(uow.session)

    def users(self) -> list[dict[str, Any]]:
        with self.reading() as uow:
            return administration.users(uow.session)

    def compare_versions(self, key: str, old: int, new: int) -> dict[str, Any]:
        with self.reading() as uow:
            return administration.compare_versions(uow.session, self.catalog, key, old, new)

    def networks(self) -> list[dict[str, str]]:
        with self.reading() as uow:
            return [{"key": n.key, "name": n.name} for n in load_directory(uow.session).networks()]

    # ---- organisations, users, tokens ----------------------------------------------------------
    def create_organisation(self, *, operator: str, **fields: Any) -> str:
        with self.work() as (uow, work):
            org = accounts.create_organisation(uow.session, now=work.now, **fields)
            record(
                work,
                "organisation.created",
                actor=None,
                actor_name=operator,
                payload={"key": org.key, "kind": org.kind, "network": org.network_key},
            )
            uow.commit()
        return org.key

    def create_user(self, *, operator: str, **fields: Any) -> str:
        """`user.created` records the role and whether a second factor is required (`--no-mfa`)."""
        with self.work() as (uow, work):
            user = accounts.create_user(uow.session, now=work.now, **fields)
            record(
                work,
                "user.created",
                actor=None,
                actor_name=operator,
                payload={
                    "username": user.username,
                    "organisation": fields["organisation_key"],
                    "role": fields["role"],
                    "mfa_required": user.mfa_required,
                },
            )
            uow.commit()
        return user.username

    def issue_token(self, username: str, *, operator: str) -> str:
        with self.work() as (uow, work):
            token = accounts.issue_token(uow.session, username, work.now)
            record(work, "token.issued", actor=None, actor_name=operator, payload={"username": username})
            uow.commit()
        return token

    # ---- the audit trail ----------------------------------------------------------------------
    def case_trail(self, actor: Actor, case_id: int, reason: str | None) -> list[dict[str, Any]]:
        with self.work() as (uow, work):
            events = auditing.read_case_trail(work, actor, case_id, reason)
            uow.commit()
        return events

    def auditable_case(self, actor: Actor, reference: str) -> dict[str, Any]:
        """The case an auditor names by reference, if in their scope (nothing decrypted or recorded)."""
        with self.reading() as uow:
            work = Work(uow.session, self.catalog, self.vault, self.clock.now())
            case = auditing.auditable_case_by_reference(work, actor, reference)
            return {"id": case.id, "reference": case.reference}

    def export_case_trail(self, actor: Actor, case_id: int, reason: str | None) -> list[dict[str, Any]]:
        """The auditor's download (JSON Lines in the UI), audited as `audit.exported`."""
        with self.work() as (uow, work):
            events = auditing.export_case_trail(work, actor, case_id, reason)
            uow.commit()
        return events

    def take_over(self, actor: Actor, case_id: int) -> None:
        """A Jugendamt caseworker takes responsibility for a case of their office (`case.taken_over`)."""
        with self.work() as (uow, work):
            casework.take_over(work, actor, case_id)
            uow.commit()

    def verify_trail(self, actor: Actor | None = None, checkpoint_log: Path | None = None) -> VerifyResult:
        """Chain and checkpoints, nothing decrypted; `checkpoint_log`: an auditor's own copy of the log."""
        with self.reading() as uow:
            work = Work(uow.session, self.catalog, self.vault, self.clock.now())
            return auditing.verify_trail(work, actor, checkpoint_log)

    def checkpoint(self) -> Checkpoint:
        with self.work() as (uow, work):
            checkpoint = self.vault.checkpoint(uow.session.connection(), work.now)
            uow.commit()
        return checkpoint

    def checkpoint_if_unsigned(self) -> Checkpoint | None:
        with self.work() as (uow, work):
            checkpoint = self.vault.checkpoint_if_unsigned(uow.session.connection(), work.now)
            uow.commit()
        return checkpoint

    def export_trail(
        self,
        emit: Callable[[dict[str, Any]], None],
        *,
        reason: str,
        operator: str,
        case_reference: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """Stream decrypted events to `emit`; the `audit.exported` event commits with the export."""
        count = 0
        with self.work() as (uow, work):
            for event in auditing.export_trail(
                work, reason=reason, operator=operator, case_reference=case_reference, since=since, until=until
            ):
                emit(event)
                count += 1
            uow.commit()
        return count

    def rotate_keys(self, *, operator: str, progress: Callable[[int, int], None] | None = None) -> RotationReport:
        """New key-encryption key; every data key re-wrapped in committed batches (resumable)."""
        report = self.vault.rotate(self._begin_write, progress)
        with self.work() as (uow, work):
            record(
                work,
                "key.rotated",
                actor=None,
                actor_name=operator,
                payload={"kek_id": report.kek_id, "rewrapped": report.rewrapped, "resumed": report.resumed},
            )
            uow.commit()
        return report

    def shred_case(self, reference: str, *, reason: str, operator: str) -> None:
        with self.work() as (uow, work):
            auditing.shred_case(work, reference=reference, reason=reason, operator=operator)
            uow.commit()

    @contextmanager
    def _begin_write(self) -> Iterator[Connection]:
        """A connection in a fresh writing transaction that commits on a clean exit (for rotation)."""
        with self.db.connect() as connection:
            connection = connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection

    # ---- deadlines ------------------------------------------------------------------------------
    @contextmanager
    def _work_at(self, now: datetime) -> Iterator[Work]:
        """A unit of work at a given instant that commits on a clean exit (one deadline firing)."""
        with self.writing() as uow, frozen_time(now):
            yield Work(uow.session, self.catalog, self.vault, now)
            uow.commit()

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Fire every deadline due at `now` (default: the clock's now); what the scheduler calls."""
        return deadline_firing.fire_due(self._work_at, now or self.clock.now())

    def next_wake(self) -> datetime | None:
        with self.work() as (_, work):
            return deadline_firing.next_wake(work)

    def fristen(self, network_key: str) -> dict[str, str]:
        with self.reading() as uow:
            return fristen_store.profile(uow.session, network_key).merged()

    def set_frist(self, network_key: str, key: str, value: str, *, operator: str) -> dict[str, str]:
        with self.work() as (uow, work):
            updated = fristen_store.set_override(work, network_key, key, value, changed_by=operator)
            uow.commit()
        return updated.merged()

    def send_notifications(self, smtp_url: str, base_url: str) -> int:
        return notifications.send_pending(self.session_factory, smtp_url, base_url, self.clock.now())

    # ---- process definitions ----------------------------------------------------------------
    def deploy(self, bundle: Bundle, *, deployed_by: str) -> DeployResult:
        with self.work() as (uow, work):
            result = self.catalog.deploy(uow.session, bundle, deployed_by=deployed_by, now=work.now)
            if result.created:
                record(
                    work,
                    "process.deployed",
                    actor=None,
                    actor_name=deployed_by,
                    payload={
                        "key": bundle.key,
                        "version": bundle.version,
                        "sha256": bundle.sha256,
                        "files": sorted(bundle.files),
                    },
                )
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
