"""Creating, locking, loading and saving one case inside a unit of work.

`save` writes everything a step changes — instance state, optimistic-lock version, status, the view
columns (Ampel, Sofortmeldung, current step), the open-task projection with its sealed prefill, and the message-wait
index — so a caller cannot forget a part of it, and no view has to decrypt and deserialise an instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from audit import Shredded
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import list_order
from engine.cases.child_index import index_case
from engine.cases.earlier_cases import find_earlier
from engine.cases.references import new_pseudonym, next_reference
from engine.clock import BERLIN
from engine.deadlines import arming as deadline_arming
from engine.deadlines.urgency import started_with_sofortmeldung
from engine.errors import StaleCase
from engine.permissions import is_pool_lane
from engine.persistence import models as m
from engine.persistence.sealed import open_state, seal_child, seal_prefill, seal_state
from engine.processes.catalog import LoadedProcess
from engine.processes.manifest import AMPEL_COLOURS
from engine.processes.spiff import Instance, Step
from engine.retention.findings import has_findings
from engine.transactions import Work

OPEN, CLOSED = "offen", "abgeschlossen"


@dataclass
class CaseState:
    """A locked case with its process version and live process instance."""

    case: m.Case
    process: LoadedProcess
    instance: Instance
    version: int


def create_case(
    work: Work,
    process: LoadedProcess,
    *,
    organisation: m.Organisation,
    jugendamt: m.Organisation,
    child: dict[str, Any],
    variables: dict[str, Any],
    opened_by: Actor | None,
    facts: dict[str, Any],
) -> CaseState:
    """Insert a new case on the given version, run its instance to the first wait state and record
    `case.created` (by `opened_by`; None: a message opened it) with the child's data, the version,
    the responsible Jugendamt and the `facts` of how the case came to be."""
    session = work.session
    reference = next_reference(session, work.now.astimezone(BERLIN).year)
    case = m.Case(
        reference=reference,
        status=OPEN,
        definition_id=process.definition_id,
        organisation_id=organisation.id,
        jugendamt_id=jugendamt.id,
        pseudonym=new_pseudonym(session),
        child_data=seal_child(work, reference, child),
        opened_by_user_id=opened_by.user_id if opened_by else None,
        opened_at=work.now,
        version=0,
    )
    session.add(case)
    session.flush()
    # `organisation_art`: what the procedure may ask of the kind, e.g. whether a Heilberuf reports (kkg4
    # version 2, § 4 Abs. 3 Satz 3 KKG) — it follows from the organisation, not from an answer in the case
    instance = Instance.new(
        process.parsed, {**statistics_variables(child), "organisation_art": organisation.kind, **variables}
    )
    session.add(m.Instance(case_id=case.id, state=b"", tree_size=0))
    state = CaseState(case, process, instance, version=0)
    save(work, state)
    index_case(work, case, child)  # findable by name, and matched against earlier reports
    find_earlier(work, case, child)
    payload = {"process": {"key": process.key, "version": process.version}, "child": child, "jugendamt": jugendamt.key}
    record(work, EventType.CASE_CREATED, actor=opened_by, case=case, payload={**payload, **facts})
    return state


def statistics_variables(child: dict[str, Any]) -> dict[str, Any]:
    """The child's items of the § 99 Abs. 6 statistics (sex, birth month and year), for prefilling
    `statistik_erfassen`; they live in the sealed instance like every other case variable."""
    born = date.fromisoformat(child["geburtsdatum"]) if child.get("geburtsdatum") else None
    return {
        "kind_geschlecht": child.get("geschlecht", "ohne_angabe"),
        # an approximate age is not a birth month: without a birth date the Statistikmeldung asks
        "kind_geburtsmonat": born.month if born else None,
        "kind_geburtsjahr": born.year if born else None,
    }


def lock_case(session: Session, case_id: int) -> m.Case | None:
    """The case row, locked against concurrent steps on PostgreSQL (SQLite: BEGIN IMMEDIATE did it)."""
    stmt = select(m.Case).where(m.Case.id == case_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def load(work: Work, case: m.Case) -> CaseState:
    process = work.catalog.load(work.session, case.definition_id)
    stored = work.session.get(m.Instance, case.id)
    assert stored is not None, f"case {case.reference} has no instance"
    instance = Instance.load(open_state(work, case, stored.state), process.parsed)
    return CaseState(case, process, instance, version=case.version)


def save(work: Work, state: CaseState) -> None:
    """Write the step's results; a concurrent writer that got there first → StaleCase (409)."""
    session, now = work.session, work.now
    case, instance = state.case, state.instance
    status, closed_at = (CLOSED, now) if instance.completed else (case.status, case.closed_at)
    steps = instance.open_steps()
    current = steps[0] if steps else None
    bumped = session.execute(
        update(m.Case)
        .where(m.Case.id == case.id, m.Case.version == state.version)
        .values(
            version=state.version + 1,
            status=status,
            closed_at=closed_at,
            befund=has_findings(instance.variables) if instance.completed else case.befund,
            views_written=True,
            dringlichkeit=_dringlichkeit(state),
            akut=started_with_sofortmeldung(instance.variables),
            current_task_key=current.key if current else None,
            current_task_title=current.title if current else None,
        )
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleCase("Der Fall wurde inzwischen geändert. Bitte laden Sie ihn neu.")
    state.version += 1
    session.execute(
        update(m.Instance)
        .where(m.Instance.case_id == case.id)
        .values(state=seal_state(work, case.reference, instance.dump()), tree_size=instance.tree_size())
    )
    organisation = session.get(m.Organisation, case.organisation_id)
    assert organisation is not None
    _refresh_open_tasks(work, state, steps, organisation.network_key)
    deadline_arming.sync(work, state, steps, organisation.network_key)
    list_order.refresh(session, case.id)
    _refresh_waits(session, case.id, instance.waiting_messages())
    session.expire(case)


def _dringlichkeit(state: CaseState) -> str | None:
    """The triage colour of a process whose manifest declares an Ampel, once it is recorded."""
    ampel = state.process.manifest.ampel
    if ampel is None:
        return None
    value = state.instance.variables.get(ampel.field)
    return value if value in AMPEL_COLOURS else None


def fill_view_columns(work: Work) -> int:
    """Write the view columns and task prefills of cases last saved before migration 0006 (and the
    `akut` column of cases open at migration 0007) — `init` runs it: it holds the keys a migration
    lacks. Returns the number of cases filled."""
    session = work.session
    filled = 0
    for case in session.execute(select(m.Case).where(m.Case.views_written.is_(False))).scalars().all():
        try:
            state = load(work, case)
        except Shredded:  # its content is gone for good: the views show none of it anyway
            case.views_written = True
            continue
        steps = state.instance.open_steps()
        current = steps[0] if steps else None
        case.views_written, case.dringlichkeit = True, _dringlichkeit(state)
        case.akut = started_with_sofortmeldung(state.instance.variables)
        case.current_task_key = current.key if current else None
        case.current_task_title = current.title if current else None
        session.flush()
        list_order.refresh(session, case.id)
        for step in steps:
            row = session.get(m.OpenTask, step.id)
            if row is not None and step.key in state.process.user_tasks:
                row.prefill = _sealed_prefill(work, state, step)
        filled += 1
    session.flush()
    return filled


def _sealed_prefill(work: Work, state: CaseState, step: Step) -> bytes | None:
    values = state.process.task(step.key).prefilled_values(step.data)
    return seal_prefill(work, state.case.reference, step.id, values) if values else None


def _refresh_open_tasks(work: Work, state: CaseState, steps: list[Step], network_key: str) -> None:
    session, now = work.session, work.now
    case, process = state.case, state.process
    ready = {step.id: step for step in steps}
    existing = set(
        session.execute(select(m.OpenTask.id).where(m.OpenTask.case_id == case.id, m.OpenTask.kind == "bpmn")).scalars()
    )
    gone = existing - ready.keys()
    if gone:
        session.execute(delete(m.OpenTaskBar).where(m.OpenTaskBar.task_id.in_(gone)))
        session.execute(delete(m.OpenTask).where(m.OpenTask.id.in_(gone)))
    for task_id in ready.keys() - existing:
        step = ready[task_id]
        spec = process.task(step.key)
        roles = process.lane_roles(spec.lane)
        pool_role = next(iter(sorted(roles))) if is_pool_lane(roles) else None
        session.add(
            m.OpenTask(
                id=task_id,
                case_id=case.id,
                case_reference=case.reference,
                pseudonym=case.pseudonym,
                task_key=spec.key,
                title=spec.title,
                lane=spec.lane,
                lane_roles=",".join(sorted(roles)),
                kind="bpmn",
                organisation_id=case.organisation_id,
                network_key=network_key,
                pool_role=pool_role,
                offered_to_user_id=_named_pool_member(session, pool_role, step.data),
                due_at=None,
                created_at=now,
                prefill=_sealed_prefill(work, state, step),
            )
        )
        session.flush()
        for user_id in _barred_users(session, case.id, spec.paired_tasks):
            session.add(m.OpenTaskBar(task_id=task_id, user_id=user_id))
    session.flush()


def _named_pool_member(session: Session, pool_role: str | None, data: Mapping[str, Any]) -> int | None:
    """The pool member the Leitung named (a form field named after the role holds a username)."""
    if pool_role is None or not data.get(pool_role):
        return None
    return session.execute(select(m.User.id).where(m.User.username == data[pool_role])).scalar_one_or_none()


def _barred_users(session: Session, case_id: int, paired: tuple[str, ...]) -> set[int]:
    """Mehraugenprinzip: the author of the latest completion of each paired task (after a "not
    confirmed → back" loop, the new version's author — not everyone who ever wrote one)."""
    barred = set()
    for task_key in paired:
        author = session.execute(
            select(m.TaskHistory.completed_by_user_id)
            .where(m.TaskHistory.case_id == case_id, m.TaskHistory.task_key == task_key)
            .order_by(m.TaskHistory.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if author is not None:
            barred.add(author)
    return barred


def _refresh_waits(session: Session, case_id: int, messages: list[str]) -> None:
    session.execute(delete(m.CaseWait).where(m.CaseWait.case_id == case_id))
    for name in messages:
        session.add(m.CaseWait(case_id=case_id, message=name))
    session.flush()
