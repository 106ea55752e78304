"""The cases part of `CaseEngine`: open a case, complete a step, take a case over, and the reads of
cases and tasks the API and the UI need.

Commands run through the transaction runner and return typed results (`engine.cases.results`).
A refused completion rolls back and is recorded by `completion.record_refusal` in a unit of its own.
Reads of case content run in a reading transaction; the read is then audited (`case.read`) in a
short writing one, before anything is returned. A refused access to an existing case is recorded as
`access.denied` by the transaction runner for every read and command alike (`engine.errors.denied`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record, record_read
from engine.cases import child_details, child_index, completion, earlier_cases, list_query, lists, opening, queries
from engine.cases import household as household_cases
from engine.cases import state as case_state
from engine.cases import transfer as handover
from engine.cases.akte import Akte, build_akte
from engine.cases.basis import check_confirmation, task_basis
from engine.cases.case_file import CaseFile, case_file
from engine.cases.list_query import ListScope
from engine.cases.results import CaseProgress, Page, TaskStatus
from engine.cases.search import parse as parse_search
from engine.cases.subject_access import Auskunft, auskunft
from engine.cases.transmission import TransmissionCheck, check_transmission
from engine.clock import BERLIN
from engine.directory.store import load_directory
from engine.engine_parts import EngineParts
from engine.forms.definition import FormDefinition
from engine.persistence import models as m
from engine.persistence.database import scrub_after_shred
from engine.processes.catalog import LoadedProcess, ProcessCatalog
from engine.processes.stepper import reachable_tasks, stepper
from engine.retention.policy import RetentionPolicy
from engine.transactions import Work


class CasesFacade(EngineParts):
    # ---- commands -------------------------------------------------------------------------------
    def open_case(
        self,
        actor: Actor,
        *,
        process_key: str,
        child: object,
        jugendamt_key: str | None = None,
        organisation_key: str | None = None,
    ) -> CaseProgress:
        def open_(work: Work) -> CaseProgress:
            state = opening.open_case(
                work,
                actor,
                process_key=process_key,
                child=child,
                jugendamt_key=jugendamt_key,
                organisation_key=organisation_key,
            )
            return queries.step_result(work.session, state.process, actor, state.case.id, work.now)

        progress = self.tx.command(open_)
        self._deadlines_changed()
        return progress

    def open_household(
        self,
        actor: Actor,
        *,
        process_key: str,
        household: object,
        children: object,
        first_step: object = None,
        jugendamt_key: str | None = None,
        organisation_key: str | None = None,
    ) -> list[CaseProgress]:
        """One linked case per child of one household, all or nothing (`engine.cases.household`)."""

        def open_(work: Work) -> list[CaseProgress]:
            states = household_cases.open_household(
                work,
                actor,
                process_key=process_key,
                household=household,
                children=children,
                first_step=first_step,
                jugendamt_key=jugendamt_key,
                organisation_key=organisation_key,
            )
            return [queries.step_result(work.session, s.process, actor, s.case.id, work.now) for s in states]

        progress = self.tx.command(open_)
        self._deadlines_changed()
        return progress

    def complete_task(
        self,
        actor: Actor,
        task_id: str,
        values: object,
        *,
        grundlage_sha256: str | None = None,
        case_version: int | None = None,
    ) -> CaseProgress:
        """Complete one task; returns the case's state and the steps now open (not the whole case:
        the full view with its history is the query `case()`). `grundlage_sha256`: the digest of
        what a confirmation showed (the task view's); a stale one is refused with Conflict.
        `case_version`: the version `check_transmission` showed; a case changed since → Conflict."""

        def complete(work: Work) -> CaseProgress:
            if grundlage_sha256 is not None:
                check_confirmation(work, actor, task_id, grundlage_sha256)
            state = completion.complete_task(
                work, actor, task_id, values, grundlage_sha256=grundlage_sha256, case_version=case_version
            )
            return queries.step_result(work.session, state.process, actor, state.case.id, work.now)

        progress = self.tx.command(
            complete, refusal=lambda work, refused: completion.record_refusal(work, actor, task_id, refused)
        )
        self._deadlines_changed()
        return progress

    def complete_details(self, actor: Actor, case_id: int, changes: object) -> list[str]:
        """Complete the child's data later (`engine.cases.child_details`): the changed fields' names,
        audited as `case.details_completed` with the file entry "Angaben zum Kind ergänzt"."""
        return self.tx.command(lambda work: child_details.complete_details(work, actor, case_id, changes))

    def take_over(self, actor: Actor, case_id: int) -> None:
        """A Jugendamt caseworker takes responsibility for a case of their office (`case.taken_over`)."""
        self.tx.command(lambda work: completion.take_over(work, actor, case_id))

    def transfer(self, actor: Actor, case_id: int, data: object) -> handover.Transfer:
        """Hand a running case to the newly responsible Jugendamt (R37): a new case there, the sender's
        closed, both audited (`case.transferred`, `case.transfer_received`) in one unit of work."""
        result = self.tx.command(lambda work: handover.transfer_case(work, actor, case_id, data))
        self._deadlines_changed()
        return result

    def preview_transfer(self, actor: Actor, case_id: int, data: object) -> handover.Preview:
        """What `transfer` would send, for the confirm page (refused exactly as `transfer` would be);
        it shows the child's data, so it is audited as a read (`case.read`, view `abgabe`)."""
        preview = self.tx.query(lambda work: handover.preview_transfer(work, actor, case_id, data))
        self.tx.command(lambda work: record_read(work, actor, case_id, {"view": "abgabe"}))
        return preview

    def decide_earlier_case(self, actor: Actor, case_id: int, match_id: int, decision: object) -> None:
        """Confirm (the cases are linked) or reject an earlier case on the same child
        (`case.match_decided`, with the earlier case's reference and the decision)."""

        def decide_(work: Work) -> None:
            match, earlier = earlier_cases.decide(work, actor, case_id, match_id, decision)
            payload = {"earlier": earlier.reference, "match": match.kind, "decision": match.state}
            case = work.session.get(m.Case, case_id)
            record(work, EventType.CASE_MATCH_DECIDED, actor=actor, case=case, payload=payload)

        self.tx.command(decide_)

    def rotate_index_key(
        self, *, operator: str, progress: Callable[[int, int], None] | None = None, batch: int = 200
    ) -> dict[str, Any]:
        """A new blind-index key: every case re-indexed in committed batches (resumable: run it again
        after an interruption), then the old key destroyed (`key.rotated`, key `blind-index`)."""
        version, resumed = self.tx.command(child_index.start_rotation)
        total = self.tx.query(lambda work: child_index.remaining(work.session, version))
        done = 0
        while count := self.tx.command(lambda work: child_index.reindex_batch(work, version, batch)):
            done += count
            if progress is not None:
                progress(done, total)

        def finish(work: Work) -> list[int]:
            conn = work.session.connection()
            reason = f"Suchindex-Schlüssel durch Version {version} ersetzt"
            retired = child_index.finish_rotation(
                work, version, lambda scope: work.vault.shred(conn, scope, reason=reason, now=work.now)
            )
            payload = {
                "key": "blind-index",
                "version": version,
                "reindexed": done,
                "retired": retired,
                "resumed": resumed,
            }
            record(work, EventType.KEY_ROTATED, actor=None, actor_name=operator, payload=payload)
            return retired

        retired = self.tx.command(finish)
        if retired:
            scrub_after_shred(self.db)
        return {"version": version, "reindexed": done, "retired": retired, "resumed": resumed}

    # ---- reads of case content (audited) ------------------------------------------------------------
    def case(self, actor: Actor, case_id: int) -> dict[str, Any]:
        """The case view; the read is audited (`case.read`), a refused one as `access.denied`."""
        view = self.tx.query(lambda work: queries.case_view(work, actor, case_id))
        self.tx.command(lambda work: record_read(work, actor, case_id, {"view": "case"}))
        return view

    def case_page(self, actor: Actor, case_id: int) -> tuple[dict[str, Any], CaseFile]:
        """The case view and its file, for the case page: one read, audited once (`case.read`)."""
        page = self.tx.query(lambda work: (queries.case_view(work, actor, case_id), case_file(work, actor, case_id)))
        self.tx.command(lambda work: record_read(work, actor, case_id, {"view": "case"}))
        return page

    def case_file(self, actor: Actor, case_id: int) -> CaseFile:
        """The case file as the actor may see it (`case.read`, view `file`; refused: `access.denied`)."""
        file = self.tx.query(lambda work: case_file(work, actor, case_id))
        self.tx.command(lambda work: record_read(work, actor, case_id, {"view": "file"}))
        return file

    def export_akte(self, actor: Actor, case_id: int, *, purpose: object, reason: object) -> Akte:
        """The Akte for a purpose (blacked out for the parents' inspection), recorded as
        `case.exported` with purpose and reason in the same unit of work; a refused export of a case
        that exists is recorded as `access.denied`."""

        def export(work: Work) -> Akte:
            akte = build_akte(work, actor, case_id, purpose, reason)
            case = work.session.get(m.Case, case_id)
            payload = {"purpose": akte.purpose, "reason": akte.reason, "entries": len(akte.file.entries)}
            record(work, EventType.CASE_EXPORTED, actor=actor, case=case, payload=payload)
            return akte

        return self.tx.command(export)

    def subject_access(self, actor: Actor, request: Mapping[str, Any], policy: RetentionPolicy) -> Auskunft:
        """What the actor's Jugendamt stores about one person, protected parts withheld (R38); audited as
        `person.auskunft` and a read of each case found, in the same unit of work."""
        return self.tx.command(lambda work: auskunft(work, actor, request, policy))

    def task(self, actor: Actor, task_id: str) -> dict[str, Any]:
        """A task with its form, prefilled values and the entries it rests on: audited like a case read."""

        def read(work: Work) -> dict[str, Any]:
            view = queries.task_view(work, actor, task_id)
            return {**view, **task_basis(work, actor, view["case_id"], view["task"])}

        view = self.tx.query(read)
        self.tx.command(lambda work: record_read(work, actor, view["case_id"], {"view": "task", "task_id": task_id}))
        return view

    def check_transmission(self, actor: Actor, task_id: str, values: object) -> TransmissionCheck | None:
        """What completing the task with `values` would send to another organisation (None: nothing),
        computed without writing anything; refused like the completion (recorded as `task.rejected`).
        The check shows case content: audited like a task read."""
        check = self.tx.query(
            lambda work: check_transmission(work, actor, task_id, values),
            refusal=lambda work, refused: completion.record_refusal(work, actor, task_id, refused),
        )
        if check is not None:
            payload = {"view": "transmission", "task_id": task_id}
            self.tx.command(lambda work: record_read(work, actor, check.case_id, payload))
        return check

    # ---- reads without case content -------------------------------------------------------------------
    def task_status(self, actor: Actor, task_id: str) -> TaskStatus:
        """Is this task still open for me? (after a repeated or refused submission; nothing recorded)"""
        return self.tx.query(lambda work: queries.task_status(work, actor, task_id))

    def cases(self, actor: Actor, params: Mapping[str, str] | None = None, *, scope: ListScope | None = None) -> Page:
        """A page of the cases the actor may see, urgent first. `params`: the list's query parameters
        as strings (filters, `limit`, `cursor` — `engine/cases/list_query.py`); an unknown one or a
        wrong value → ValidationFailed. `scope`: what a UI page lists of them."""
        query = list_query.parse(params or {}, list_query.CASE_FILTERS)
        page = self.tx.query(lambda work: lists.list_cases(work, actor, query, scope))
        if query.q:  # who searched, for what kind of term, how many on this page — never the terms
            kind = parse_search(query.q)[0]
            payload = {"kind": kind, "rows": len(page.rows), "next_page": page.next_cursor is not None}
            self.tx.command(lambda work: record(work, EventType.CASE_SEARCH, actor=actor, payload=payload))
        return page

    def tasks(self, actor: Actor, params: Mapping[str, str] | None = None, *, scope: ListScope | None = None) -> Page:
        """A page of the open tasks the actor may complete now, urgent first (parameters as `cases`,
        without `status`)."""
        query = list_query.parse(params or {}, list_query.TASK_FILTERS)
        return self.tx.query(lambda work: lists.list_tasks(work, actor, query, scope))

    def startable_processes(self, actor: Actor) -> list[dict[str, Any]]:
        """The processes the actor may open a case of (by role and kind of organisation)."""

        def startable(work: Work) -> list[dict[str, Any]]:
            out = []
            newest: dict[str, Any] = {}
            for definition in ProcessCatalog.list(work.session):
                newest[definition.key] = definition
            for definition in newest.values():
                process = work.catalog.load(work.session, definition.id)
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

        return self.tx.query(startable)

    def first_step_form(self, process_key: str) -> FormDefinition | None:
        """The form of the step a case of the process opened by hand starts with (a household's
        report fills it once for all children); None if there is no single such step."""

        def form(work: Work) -> FormDefinition | None:
            spec = household_cases.first_step(work.catalog.newest(work.session, process_key))
            return spec.form if spec is not None else None

        return self.tx.query(form)

    def may_start(self, actor: Actor, process_key: str) -> bool:
        return any(p["key"] == process_key for p in self.startable_processes(actor))

    def municipalities(self) -> list[str]:
        """Municipality names of the Jugendamt directory valid today (suggestions for Wohnort)."""
        return self.tx.query(
            lambda work: load_directory(work.session).municipality_names(work.now.astimezone(BERLIN).date())
        )

    def jugendaemter(self) -> list[dict[str, str]]:
        return self.tx.query(
            lambda work: [{"key": j.key, "name": j.name} for j in load_directory(work.session).jugendaemter()]
        )

    def case_map(self, actor: Actor, case_id: int) -> dict[str, Any]:
        """Stepper and diagram data of a visible case: no case content, not audited as a read."""

        def case_map(work: Work) -> dict[str, Any]:
            session = work.session
            case = queries.readable_case(work, actor, case_id, view="map").case
            process = work.catalog.load(session, case.definition_id)
            done = queries.done_task_keys(session, case.id)
            current = queries.current_task_keys(session, case.id)
            live = case_state.load(work, case).instance.live_nodes() if case.status == case_state.OPEN else set()
            return {
                "reference": case.reference,
                "steps": [
                    _english_title(process, s) for s in stepper(process, done, current, reachable_tasks(process, live))
                ],
                "done": done,
                "current": current,
                "bpmn": queries.process_bpmn(session, process, case.definition_id),
                "lanes": {lane: sorted(roles) for lane, roles in process.manifest.lanes.items()},
            }

        return self.tx.query(case_map)


def _english_title(process: LoadedProcess, step: dict[str, str]) -> dict[str, str]:
    """A step with its English name where its form gives one (`title_en`, docs/bundles.md): an English
    page shows it instead of the German BPMN name."""
    title_en = process.task(step["task"]).form.title_en
    return {**step, "title_en": title_en} if title_en else step
