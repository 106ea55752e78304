"""The run loop: complete a task — one unit of work (architecture.md); opening a case is
`engine.cases.opening`.

Completing a task: lock the case, guard (open, role + organisation, Mehraugenprinzip, form data),
run the task and the engine steps, deliver emitted messages in the same transaction, write state,
projection and history. The caller commits; any exception leaves nothing behind. The form data are
checked in one pass: the form's own rules, the pool or colleague of a `user` field, the Frist of a date
with `max_frist`, the plausibility of a Yes against the case's findings (`nur_wenn`) and an
`ohne_personendaten` text free of the child's data answer together, so one refusal names every field
to fix.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases import state as case_state
from engine.cases.colleagues import colleague_errors
from engine.cases.messages import deliver_messages
from engine.cases.siblings import Siblings, check_siblings, open_siblings
from engine.cases.visibility import can_see_case
from engine.clock import BERLIN
from engine.deadlines import profiles as fristen_store
from engine.deadlines.fristen import due, parse_frist
from engine.errors import (
    Conflict,
    EngineError,
    NotAllowed,
    NotFound,
    NotYourTurn,
    ValidationFailed,
    denied,
    merge_errors,
)
from engine.forms import check_submission, validate_submission
from engine.forms.builtin import escalation_form
from engine.forms.personal_data import checks_personal_data, personal_data_errors
from engine.forms.plausibility import implausible
from engine.indicators.codes import step_codes
from engine.permissions import JUGENDAMT_POOL_ROLES, TaskFacts, lane_refusal, mehraugen_refusal
from engine.persistence import models as m
from engine.persistence.sealed import open_child, seal_history_values
from engine.processes.catalog import LoadedProcess, UserTaskSpec
from engine.processes.spiff import Step
from engine.transactions import Work

TASK_NOT_FOUND = "Aufgabe nicht gefunden."
CHANGED_SINCE_CHECK = (
    "Der Fall wurde geändert, seit Sie die Angaben geprüft haben; es wurde nichts gesendet. "
    "Bitte prüfen Sie die Angaben erneut."
)


def open_task(work: Work, actor: Actor, task_id: str, *, lock: bool) -> tuple[case_state.CaseState, m.OpenTask]:
    """The case (locked for a completion) and the open task row, if the actor may see the case."""
    session = work.session
    case_id = _case_of_task(session, actor, task_id)
    case = case_state.lock_case(session, case_id) if lock else session.get(m.Case, case_id)
    if case is None:
        raise NotFound(TASK_NOT_FOUND)
    if not can_see_case(session, actor, case):
        raise denied(NotFound(TASK_NOT_FOUND), actor, case.id, action="complete", task_id=task_id)
    row = session.execute(
        select(m.OpenTask).where(m.OpenTask.id == task_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise Conflict("Dieser Schritt ist bereits erledigt.")
    return case_state.load(work, case), row


def checked_step(
    work: Work, actor: Actor, state: case_state.CaseState, row: m.OpenTask, values: object
) -> tuple[UserTaskSpec, Step, dict[str, Any], Siblings]:
    """Whether the actor may take this process step with these values: the spec, the open step, the
    clean values and the siblings' cases to open (a `kinder` field), or the refusal (NotAllowed,
    Conflict, ValidationFailed naming every field)."""
    spec = state.process.task(row.task_key)
    _guard_person(work.session, actor, state.process, spec, row)
    step = state.instance.open_step(row.id)
    if step is None:
        raise Conflict("Dieser Schritt ist nicht mehr offen.")
    clean, errors = check_submission(spec.form, values, prefilled=spec.prefilled_values(step.data), now=work.now)
    siblings, sibling_errors = check_siblings(work, state, spec.form, clean)
    errors = merge_errors(
        errors,
        _pool_errors(work.session, spec, clean, row.network_key),
        colleague_errors(work.session, actor, spec.form, clean, row.organisation_id),
        _date_limit_errors(work, spec, clean, row.network_key),
        implausible(spec.form, clean, step.data),
        sibling_errors,
    )
    if checks_personal_data(spec.form):  # only then is the child's data opened
        errors = merge_errors(errors, personal_data_errors(spec.form, clean, open_child(work, state.case)))
    if errors:
        raise ValidationFailed(errors)
    return spec, step, clean, siblings


def complete_task(
    work: Work,
    actor: Actor,
    task_id: str,
    values: object,
    *,
    grundlage_sha256: str | None = None,
    case_version: int | None = None,
) -> case_state.CaseState:
    """Complete one open task with the submitted form values (see module docstring); the digest of
    what a confirmation showed (already checked by the caller) is recorded with the event.
    `case_version`: the case's version when the user was shown what the step sends (the check
    before a transmission); a case changed since then is refused with Conflict."""
    session = work.session
    state, row = open_task(work, actor, task_id, lock=True)
    case = state.case
    if case_version is not None and case_version != state.version:
        raise Conflict(CHANGED_SINCE_CHECK)
    if row.kind != "bpmn":
        _complete_escalation(work, actor, state, row, values)
        return state
    spec, step, clean, siblings = checked_step(work, actor, state, row, values)
    # The children stay in this case's sealed history; its audit event names their cases instead.
    opened = open_siblings(work, actor, state, siblings)
    state.instance.complete(step.id, clean)
    session.add(
        m.TaskHistory(
            case_id=case.id,
            task_uuid=task_id,
            task_key=spec.key,
            title=spec.title,
            lane=spec.lane,
            completed_by_user_id=actor.user_id,
            completed_at=work.now,
            values=seal_history_values(work, case.reference, task_id, clean),
            started_at=row.created_at,
            kennzahlen=step_codes(spec.form, clean),
        )
    )
    session.flush()
    record(
        work,
        EventType.TASK_COMPLETED,
        actor=actor,
        case=case,
        payload={
            "task": spec.key,
            "task_id": task_id,
            "title": spec.title,
            "values": {**clean, **opened},
            "grundlage_sha256": grundlage_sha256,
        },
    )
    deliver_messages(work, state, state.instance.outgoing(), actor=actor)
    case_state.save(work, state)
    return state


def _complete_escalation(
    work: Work, actor: Actor, state: case_state.CaseState, row: m.OpenTask, values: object
) -> None:
    """`frist_klaeren` lives beside the process: its completion is documented, the instance is not moved."""
    facts = task_facts(work.session, state.process, row)
    reason = lane_refusal(actor, facts)
    if reason is not None:
        raise NotYourTurn(reason)
    clean = validate_submission(escalation_form(), values, now=work.now)
    work.session.add(
        m.TaskHistory(
            case_id=state.case.id,
            task_uuid=row.id,
            task_key=row.task_key,
            title=row.title,
            lane=row.lane,
            completed_by_user_id=actor.user_id,
            completed_at=work.now,
            values=seal_history_values(work, state.case.reference, row.id, clean),
            started_at=row.created_at,
        )
    )
    work.session.delete(row)
    work.session.flush()
    record(
        work,
        EventType.TASK_COMPLETED,
        actor=actor,
        case=state.case,
        payload={"task": row.task_key, "task_id": row.id, "title": row.title, "values": clean},
    )
    case_state.save(work, state)


def record_refusal(work: Work, actor: Actor, task_id: str, error: EngineError) -> None:
    """Audit a refused completion in its own transaction (the refused one rolled back): `task.rejected`
    when the case was visible to the actor, `access.denied` for a task id that names nothing. A task
    of a case the actor may not see carries a `Denial`: the runner's hook has recorded it already."""
    if error.denial is not None:
        return
    session = work.session
    case_id = session.execute(select(m.OpenTask.case_id).where(m.OpenTask.id == task_id)).scalar_one_or_none()
    if case_id is None:
        case_id = session.execute(
            select(m.TaskHistory.case_id).where(m.TaskHistory.task_uuid == task_id)
        ).scalar_one_or_none()
    case = session.get(m.Case, case_id) if case_id is not None else None
    denied = isinstance(error, NotFound)
    payload: dict[str, Any] = {"task_id": task_id, "reason": error.detail, "refusal": type(error).__name__}
    if isinstance(error, ValidationFailed):
        payload["errors"] = error.errors
    record(
        work, EventType.ACCESS_DENIED if denied else EventType.TASK_REJECTED, actor=actor, case=case, payload=payload
    )


def _case_of_task(session: Session, actor: Actor, task_id: str) -> int:
    """The case of an open or completed task; 409 for a completed one only if the case is visible."""
    case_id = session.execute(select(m.OpenTask.case_id).where(m.OpenTask.id == task_id)).scalar_one_or_none()
    if case_id is not None:
        return case_id
    done = session.execute(select(m.TaskHistory.case_id).where(m.TaskHistory.task_uuid == task_id)).scalar_one_or_none()
    case = session.get(m.Case, done) if done is not None else None
    if case is None:
        raise NotFound(TASK_NOT_FOUND)
    if can_see_case(session, actor, case):
        raise Conflict("Dieser Schritt ist bereits erledigt.")
    raise denied(NotFound(TASK_NOT_FOUND), actor, case.id, action="complete", task_id=task_id)


def task_facts(session: Session, process: LoadedProcess, row: m.OpenTask) -> TaskFacts:
    barred = frozenset(session.execute(select(m.OpenTaskBar.user_id).where(m.OpenTaskBar.task_id == row.id)).scalars())
    # A process task's lanes come from its version's manifest; an escalation carries its own role.
    roles = process.lane_roles(row.lane) if row.kind == "bpmn" else frozenset(row.lane_roles.split(","))
    organisation = session.execute(
        select(m.Organisation.kind, m.Organisation.jugendamt_id).where(m.Organisation.id == row.organisation_id)
    ).one()
    return TaskFacts(
        lane_roles=roles,
        organisation_id=row.organisation_id,
        network_key=row.network_key,
        offered_to_user_id=row.offered_to_user_id,
        barred_user_ids=barred,
        jugendamt_id=organisation.jugendamt_id if roles & JUGENDAMT_POOL_ROLES else None,
        organisation_kind=organisation.kind,
    )


def _guard_person(session: Session, actor: Actor, process: LoadedProcess, spec: UserTaskSpec, row: m.OpenTask) -> None:
    facts = task_facts(session, process, row)
    reason = lane_refusal(actor, facts)
    if reason is None:
        titles = [process.task(k).title for k in spec.paired_tasks if k in process.user_tasks]
        reason = mehraugen_refusal(actor, facts, titles)
    if reason is not None:
        raise NotYourTurn(reason)


def _pool_errors(session: Session, spec: UserTaskSpec, clean: dict[str, Any], network_key: str) -> dict[str, list[str]]:
    """A `user` field with a pool names a member of that role in the case's network."""
    errors: dict[str, list[str]] = {}
    for field in spec.form.fields:
        if field.type != "user" or field.pool is None or not clean.get(field.name):
            continue
        member = session.execute(
            select(m.User.id)
            .join(m.Membership, m.Membership.user_id == m.User.id)
            .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
            .where(
                m.User.username == clean[field.name],
                m.User.active,
                m.Membership.role == field.pool,
                m.Membership.pending.is_(False),
                m.Organisation.network_key == network_key,
            )
            .limit(1)
        ).first()
        if member is None:
            errors[field.name] = ["Diese Person gehört nicht zum Pool dieses Netzwerks."]
    return errors


def _date_limit_errors(work: Work, spec: UserTaskSpec, clean: dict[str, Any], network_key: str) -> dict[str, list[str]]:
    """A date with `max_frist` lies between today and today + that Frist of the network's profile
    (the Schutzplan is reviewed at the latest after `schutzplan_max`, P8W by default)."""
    errors: dict[str, list[str]] = {}
    today = work.now.astimezone(BERLIN).date()
    for field in spec.form.fields:
        if field.max_frist is None or not clean.get(field.name):
            continue
        value = fristen_store.profile(work.session, network_key).value(field.max_frist)
        latest = due(parse_frist(value), work.now).astimezone(BERLIN).date()
        chosen = date.fromisoformat(clean[field.name])
        if chosen < today:
            errors[field.name] = ["Das Datum liegt in der Vergangenheit."]
        elif chosen > latest:
            errors[field.name] = [
                f"Spätestens am {latest:%d.%m.%Y} (Frist „{field.max_frist}“ des Netzwerks: {value})."
            ]
    return errors


def take_over(work: Work, actor: Actor, case_id: int) -> None:
    """The responsible caseworker of a case: one of its organisation's case workers, who says so."""
    case = case_state.lock_case(work.session, case_id)
    if case is None:
        raise NotFound("Fall nicht gefunden.")
    if not can_see_case(work.session, actor, case):
        raise denied(NotFound("Fall nicht gefunden."), actor, case.id, action="take_over")
    if not actor.roles_in(case.organisation_id) & {
        "ja_fachkraft",
        "ja_leitung",
        "fachkraft",
        "leitung",
        "berufsgeheimnistraeger",
    }:
        raise NotAllowed("Nur Fachkräfte der Organisation können einen Fall übernehmen.")
    previous = case.responsible_user_id
    case.responsible_user_id = actor.user_id
    work.session.flush()
    record(work, EventType.CASE_TAKEN_OVER, actor=actor, case=case, payload={"from_user_id": previous})
