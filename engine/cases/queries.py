"""Read models for the API and the UI: cases, inboxes, task forms — each checked against the actor.

Everything returned is JSON-compatible; datetimes are ISO 8601 with an offset. A case the actor may
not see raises NotFound, exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import Shredded
from engine.actor import Actor
from engine.break_glass import access as break_glass
from engine.cases.child import age_years
from engine.cases.colleagues import colleague_choices
from engine.cases.completion import TASK_NOT_FOUND, task_facts
from engine.cases.consultation import consultation_facts
from engine.cases.earlier_listing import earlier_cases
from engine.cases.results import CaseProgress, OpenStep, TaskStatus
from engine.cases.visibility import can_see_case, sees_identifying_data
from engine.clock import BERLIN
from engine.errors import NotFound, denied
from engine.forms import form_to_api
from engine.forms.builtin import escalation_form
from engine.permissions import lane_refusal, mehraugen_refusal
from engine.persistence import models as m
from engine.persistence.sealed import open_child, open_message, open_prefill
from engine.processes.catalog import LoadedProcess
from engine.transactions import Work

CASE_NOT_FOUND = "Fall nicht gefunden."


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _org(session: Session, organisation_id: int) -> dict[str, str]:
    org = session.get(m.Organisation, organisation_id)
    assert org is not None
    return {"key": org.key, "name": org.name}


def visible_case(session: Session, actor: Actor, case_id: int, *, view: str = "case") -> m.Case:
    """The case, if the actor may see it; NotFound otherwise — for an existing case a denied one
    (`access.denied`, with `view`: what the actor tried to see)."""
    case = session.get(m.Case, case_id)
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    if not can_see_case(session, actor, case):
        raise denied(NotFound(CASE_NOT_FOUND), actor, case.id, view=view)
    return case


@dataclass(frozen=True)
class Reading:
    """A case opened for a read-only view, and how: `identifying` — whether the reader sees who the
    child is; `break_glass_until` — the end of the break-glass access it is read under (R35), None
    when the reader's standing rules open it."""

    case: m.Case
    identifying: bool
    break_glass_until: datetime | None = None


def readable_case(work: Work, actor: Actor, case_id: int, *, view: str = "case") -> Reading:
    """The case for a view that only reads (the case page, its file and map): the standing rules of
    `visible_case`, or else a running break-glass access (engine/break_glass/access.py), under which
    the Bereitschaftsdienst sees the child's data — it must know whom the night's call is about.
    Refused like `visible_case` (NotFound, `access.denied`) when neither opens it."""
    session = work.session
    case = session.get(m.Case, case_id)
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    if can_see_case(session, actor, case):
        return Reading(case, sees_identifying_data(actor, case))
    until = break_glass.active_until(session, actor, case, work.now)
    if until is None:
        raise denied(NotFound(CASE_NOT_FOUND), actor, case.id, view=view)
    return Reading(case, True, until)


def _open_steps_of(
    session: Session, process: LoadedProcess, actor: Actor, case_id: int, now: datetime
) -> list[OpenStep]:
    rows = session.execute(
        select(m.OpenTask).where(m.OpenTask.case_id == case_id).order_by(m.OpenTask.created_at)
    ).scalars()
    return [open_step(session, process, actor, r, now) for r in rows]


def open_step(session: Session, process: LoadedProcess, actor: Actor, row: m.OpenTask, now: datetime) -> OpenStep:
    """The task with `may_complete` and, when not, the German reason (`refusal`) the engine would give."""
    facts = task_facts(session, process, row)
    reason = lane_refusal(actor, facts)
    if reason is None and row.kind == "bpmn" and row.task_key in process.user_tasks:
        paired = process.task(row.task_key).paired_tasks
        titles = [process.task(k).title for k in paired if k in process.user_tasks]
        reason = mehraugen_refusal(actor, facts, titles)
    return OpenStep(
        id=row.id,
        case_id=row.case_id,
        case_reference=row.case_reference,
        pseudonym=row.pseudonym,
        task=row.task_key,
        title=row.title,
        lane=row.lane,
        due_at=row.due_at,
        overdue=row.due_at is not None and row.due_at <= now,
        may_complete=reason is None,
        refusal=reason,
    )


def step_dict(step: OpenStep) -> dict[str, Any]:
    """An open step in the JSON-compatible views (the case and task views)."""
    return {**asdict(step), "due_at": iso(step.due_at)}


def step_result(session: Session, process: LoadedProcess, actor: Actor, case_id: int, now: datetime) -> CaseProgress:
    """What a command returns: enough to go on (next tasks), nothing that grows with the history."""
    case = session.get(m.Case, case_id)
    assert case is not None
    steps = _open_steps_of(session, process, actor, case.id, now)
    return CaseProgress(case_id=case.id, reference=case.reference, status=case.status, open_tasks=tuple(steps))


def task_status(work: Work, actor: Actor, task_id: str) -> TaskStatus:
    """Whether a task is still open for the actor (`open`, `not_yours` with the reason) or `done`;
    NotFound for a task of a case the actor may not see, exactly like a missing one."""
    session = work.session
    row = session.get(m.OpenTask, task_id)
    case_id = (
        row.case_id
        if row is not None
        else session.execute(
            select(m.TaskHistory.case_id).where(m.TaskHistory.task_uuid == task_id)
        ).scalar_one_or_none()
    )
    case = session.get(m.Case, case_id) if case_id is not None else None
    if case is None:
        raise NotFound(TASK_NOT_FOUND)
    if not can_see_case(session, actor, case):
        raise denied(NotFound(TASK_NOT_FOUND), actor, case.id, view="task_status", task_id=task_id)
    if row is None:
        return TaskStatus("done")
    step = open_step(session, work.catalog.load(session, case.definition_id), actor, row, work.now)
    return TaskStatus("open") if step.may_complete else TaskStatus("not_yours", step.refusal)


def case_view(work: Work, actor: Actor, case_id: int) -> dict[str, Any]:
    session, now = work.session, work.now
    reading = readable_case(work, actor, case_id)
    case, identifying = reading.case, reading.identifying
    process = work.catalog.load(session, case.definition_id)
    view: dict[str, Any] = {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "process": {"key": process.key, "version": process.version, "title": process.title},
        "organisation": _org(session, case.organisation_id),
        "jugendamt": _org(session, case.jugendamt_id),
        "pseudonym": case.pseudonym,
        "opened_at": iso(case.opened_at),
        "closed_at": iso(case.closed_at),
        #: read under a break-glass access: until when (R35); None under the standing rules
        "notfallzugriff_bis": iso(reading.break_glass_until),
    }
    if identifying:  # § 64 Abs. 2a SGB VIII: never for the insofa
        try:
            child = open_child(work, case)
        except Shredded:  # end of retention: the case's key is destroyed, its content gone for good
            view["shredded"] = True
        else:
            view["child"] = child
            view["alter_jahre"] = age_years(child, now.astimezone(BERLIN).date())
    else:  # the advising insofa: age, gender, the asking organisation — who the child is, never (R09)
        view["beratung"] = consultation_facts(work, case)
    view["open_tasks"] = [step_dict(s) for s in _open_steps_of(session, process, actor, case.id, now)]
    responsible = session.get(m.User, case.responsible_user_id) if case.responsible_user_id else None
    view["responsible"] = responsible.username if responsible else None
    view["responsible_name"] = responsible.display_name if responsible else None
    if identifying and not view.get("shredded"):
        view["ampel"] = _ampel(work, process, case)
        view["fruehere_faelle"] = earlier_cases(session, case.id)  # the same child, reported before
    history = session.execute(
        select(m.TaskHistory, m.User.username, m.User.display_name)
        .outerjoin(m.User, m.User.id == m.TaskHistory.completed_by_user_id)
        .where(m.TaskHistory.case_id == case.id)
        .order_by(m.TaskHistory.id)
    ).all()
    view["history"] = [
        {
            "task": h.task_key,
            "title": h.title,
            "completed_by": username or "system",
            "completed_by_name": name,  # the Verlauf names people, never by username (None: the system)
            "completed_at": iso(h.completed_at),
        }
        for h, username, name in history
    ]
    received = [] if view.get("shredded") else _received_messages(work, case)
    if identifying:
        view["messages"] = received
    links = session.execute(
        select(m.CaseLink, m.Case.reference)
        .join(m.Case, m.Case.id == m.CaseLink.linked_case_id)
        .where(m.CaseLink.case_id == case.id)
        .order_by(m.CaseLink.id)
    ).all()
    view["links"] = [
        {"case_id": link.linked_case_id, "reference": ref, "relation": link.relation} for link, ref in links
    ]
    return view


def _pool_members(session: Session, role: str, network_key: str) -> list[dict[str, str]]:
    """Who may be named for a pool field (e.g. the insofa of the case's network): value and label."""
    rows = session.execute(
        select(m.User.username, m.User.display_name, m.Organisation.name)
        .join(m.Membership, m.Membership.user_id == m.User.id)
        .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
        .where(
            m.Membership.role == role,
            m.Membership.pending.is_(False),
            m.Organisation.network_key == network_key,
            m.User.active,
        )
        .order_by(m.User.display_name)
    ).all()
    return [{"value": username, "label": f"{name} ({organisation})"} for username, name, organisation in rows]


def _ampel(work: Work, process: LoadedProcess, case: m.Case) -> dict[str, Any] | None:
    """The triage (rot / gelb / gruen) of a process whose manifest declares an Ampel, once recorded
    (the column `save` writes), and whether the task the manifest names confirmed it."""
    ampel = process.manifest.ampel
    if ampel is None or case.dringlichkeit is None:
        return None
    confirmed = ampel.confirmed_by is not None and (
        work.session.execute(
            select(m.TaskHistory.id)
            .where(m.TaskHistory.case_id == case.id, m.TaskHistory.task_key == ampel.confirmed_by)
            .limit(1)
        ).first()
        is not None
    )
    return {"dringlichkeit": case.dringlichkeit, "bestaetigt": confirmed}


def _received_messages(work: Work, case: m.Case) -> list[dict[str, Any]]:
    rows = work.session.execute(
        select(m.CaseMessage, m.Case.reference)
        .join(m.Case, m.Case.id == m.CaseMessage.from_case_id)
        .where(m.CaseMessage.case_id == case.id)
        .order_by(m.CaseMessage.id)
    ).all()
    return [
        {
            "name": msg.name,
            "received_at": iso(msg.received_at),
            "from_reference": ref,
            "payload": open_message(work, case.reference, msg),
        }
        for msg, ref in rows
    ]


def task_view(work: Work, actor: Actor, task_id: str) -> dict[str, Any]:
    session, now = work.session, work.now
    row = session.get(m.OpenTask, task_id)
    case = session.get(m.Case, row.case_id) if row is not None else None
    if row is None or case is None:
        raise NotFound(TASK_NOT_FOUND)
    if not can_see_case(session, actor, case):
        raise denied(NotFound(TASK_NOT_FOUND), actor, case.id, view="task", task_id=task_id)
    process = work.catalog.load(session, case.definition_id)
    sends: tuple[str, ...] = ()
    if row.kind == "bpmn":
        form, data = process.task(row.task_key).form, open_prefill(work, case.reference, row)
        sends = process.task(row.task_key).sends
    else:
        form, data = escalation_form(), {}
    api_form = form_to_api(form)
    for field, api_field in zip(form.fields, api_form["fields"], strict=True):
        if field.type == "user" and field.pool:
            api_field["options"] = _pool_members(session, field.pool, row.network_key)
        elif field.type == "user" and field.kollegium:
            api_field["options"] = colleague_choices(session, field.kollegium, row.organisation_id, actor)
    return {
        **step_dict(open_step(session, process, actor, row, now)),
        "form": api_form,
        "data": data,
        #: the messages the step may send to another organisation: the UI checks before it sends
        "sends": list(sends),
        "bereitschaft": _bereitschaft(session, case) if case.akut else None,
        #: for the advising insofa only: the child's age and gender and the asking organisation (R09)
        "beratung": None if sees_identifying_data(actor, case) else consultation_facts(work, case),
    }


def _bereitschaft(session: Session, case: m.Case) -> dict[str, str | None]:
    """R22: a case opened by a Sofortmeldung names its Jugendamt's Bereitschaft (24-h) number on
    every step, so nobody has to look for it while a child may be in acute danger."""
    office = session.get(m.Organisation, case.jugendamt_id)
    assert office is not None
    return {"jugendamt": office.name, "nummer": office.bereitschaft, "telefon": office.telefon}


def done_task_keys(session: Session, case_id: int) -> list[str]:
    """The task keys of a case's history, in the order they were completed."""
    return list(
        session.execute(
            select(m.TaskHistory.task_key).where(m.TaskHistory.case_id == case_id).order_by(m.TaskHistory.id)
        ).scalars()
    )


def current_task_keys(session: Session, case_id: int) -> list[str]:
    """The process steps open now (escalations beside the process are not steps of the diagram)."""
    return list(
        session.execute(
            select(m.OpenTask.task_key).where(m.OpenTask.case_id == case_id, m.OpenTask.kind == "bpmn")
        ).scalars()
    )


def process_bpmn(session: Session, process: LoadedProcess, definition_id: int) -> bytes:
    """The BPMN source of a deployed version, as deployed (the diagram is drawn from it)."""
    return b"".join(
        session.execute(
            select(m.ProcessFile.content).where(
                m.ProcessFile.definition_id == definition_id,
                m.ProcessFile.path.in_(process.manifest.bpmn),
            )
        ).scalars()
    )
