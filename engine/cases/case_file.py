"""The case file (Fallakte): what was documented in a case, in order, as one person may see it.

Every completed step with its title, who completed it (display name and organisation), when, and the
values the reader may see — with form labels and option titles (`file_values`); every message the
case received (the Meldebogen in full at the Jugendamt, the Rückmeldung's two facts at the Träger);
the deadlines that ran out; the linked cases. Who sees which values is declared per process version
(`engine/processes/file_rules.py`, deny by default): the case's own organisation sees its own
documentation; the advising pool member (insofa) only what the version declares for the
consultation, and never identifying data (§ 64 Abs. 2a SGB VIII). Fields a reader may not see are
listed by name in `withheld`, their values never leave the engine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import Shredded
from engine.actor import Actor
from engine.cases.child_details import TASK as DETAILS_TASK
from engine.cases.child_details import details_labels
from engine.cases.file_values import ENGINE_FIELDS, display_value
from engine.cases.messages import MESSAGE_TITLES
from engine.cases.queries import readable_case
from engine.cases.transfer import MESSAGE as TRANSFER_MESSAGE
from engine.cases.transfer import TASK as TRANSFER_TASK
from engine.cases.transfer import transfer_labels
from engine.cases.visibility import can_see_case
from engine.forms.builtin import escalation_form
from engine.forms.definition import FormDefinition, FormField
from engine.persistence import models as m
from engine.persistence.sealed import open_history_values, open_message
from engine.processes.catalog import LoadedProcess
from engine.processes.file_rules import CONSULTATION, OWN
from engine.transactions import Work

STEP, MESSAGE, DEADLINE = "schritt", "nachricht", "frist"


@dataclass(frozen=True)
class FileValue:
    label: str
    value: Any
    display: str
    #: the form field's type (`text`, `enum`, …; engine/forms/definition.py), None for an engine field
    #: without a form: what a pseudonymised reading may show is decided by it (engine/cases/redaction.py)
    kind: str | None = None
    #: the field's English label where the bundle gives one (`label_en`): an English page shows it
    label_en: str | None = None
    #: what the item is collected for (its form field's `zweck`, R31): the subject-access document shows it
    zweck: str | None = None


@dataclass(frozen=True)
class FileEntry:
    #: `schritt` (a completed step), `nachricht` (a received message), `frist` (a deadline that ran out)
    kind: str
    #: stable id of the entry: the history row's task id, `message-<id>`, `deadline-<id>`
    ref: str
    task: str
    title: str
    by_name: str | None
    by_organisation: str | None
    at: datetime
    values: Mapping[str, FileValue] = field(default_factory=dict)
    withheld: tuple[str, ...] = ()
    #: the step's English name where its form gives one (`title_en`)
    title_en: str | None = None


@dataclass(frozen=True)
class FileLink:
    case_id: int
    reference: str
    relation: str
    organisation: str
    #: whether the reader may open the linked case (else: it belongs to another organisation)
    may_open: bool


@dataclass(frozen=True)
class CaseFile:
    case_id: int
    reference: str
    status: str
    process_key: str
    process_title: str
    organisation: str
    jugendamt: str
    pseudonym: str
    entries: tuple[FileEntry, ...]
    links: tuple[FileLink, ...]
    #: the case's key was destroyed at the end of retention: no values can be shown any more
    shredded: bool = False


def case_file(work: Work, actor: Actor, case_id: int) -> CaseFile:
    reading = readable_case(work, actor, case_id, view="file")
    case, audience = reading.case, OWN if reading.identifying else CONSULTATION
    file = documented(work, case, audience)
    return replace(file, links=_links(work.session, actor, case, _People(work.session, case.organisation_id)))


def documented(work: Work, case: m.Case, audience: str) -> CaseFile:
    """What `audience` sees of the case's documentation, without its links (they depend on who reads:
    `case_file`). No visibility check here: callers decide who may read (`case_file` for the
    case's readers, engine/quality for the reviewer of a quality sample)."""
    session = work.session
    process = work.catalog.load(session, case.definition_id)
    people = _People(session, case.organisation_id)
    try:
        entries = _messages(work, case, audience) + _steps(work, case, process, audience, people)
        shredded = False
    except Shredded:
        entries, shredded = _steps(work, case, process, audience, people, shredded=True), True
    entries += _deadlines(session, case)
    # by time; at the same instant in the order they were written (a sort by time is stable)
    entries.sort(key=lambda e: e.at)
    return CaseFile(
        case_id=case.id,
        reference=case.reference,
        status=case.status,
        process_key=process.key,
        process_title=process.title,
        organisation=people.organisation_name(case.organisation_id),
        jugendamt=people.organisation_name(case.jugendamt_id),
        pseudonym=case.pseudonym,
        entries=tuple(entries),
        links=(),
        shredded=shredded,
    )


def confirmed_digest(entries: list[FileEntry] | tuple[FileEntry, ...]) -> str:
    """SHA-256 over exactly what a confirmation shows: each confirmed entry's id, task and values."""
    shown = [[e.ref, e.task, {k: v.value for k, v in e.values.items()}] for e in entries]
    return hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def latest_entries(entries: tuple[FileEntry, ...], tasks: tuple[str, ...]) -> list[FileEntry]:
    """The newest entry of each of `tasks` (a step redone after a "Nein" replaces the earlier one)."""
    newest: dict[str, FileEntry] = {}
    for entry in entries:
        if entry.kind == STEP and entry.task in tasks:
            newest[entry.task] = entry
    return [newest[t] for t in tasks if t in newest]


# ---- entries ---------------------------------------------------------------------------------------------


def _steps(
    work: Work, case: m.Case, process: LoadedProcess, audience: str, people: _People, *, shredded: bool = False
) -> list[FileEntry]:
    rows = work.session.execute(
        select(m.TaskHistory)
        .where(m.TaskHistory.case_id == case.id, m.TaskHistory.values.is_not(None))
        .order_by(m.TaskHistory.id)
    ).scalars()
    entries = []
    for row in rows:
        form = _history_form(process, row.task_key)
        stored = {} if shredded else open_history_values(work, case.reference, row)
        shown = _visible_fields(process, row.task_key, audience)
        values, withheld = labelled(form, stored, shown, people.display_name)
        name, organisation = people.of(row.completed_by_user_id)
        entry = FileEntry(STEP, row.task_uuid, row.task_key, row.title, name, organisation, row.completed_at)
        entries.append(replace(entry, values=values, withheld=withheld, title_en=form.title_en))
    return entries


def _history_form(process: LoadedProcess, task_key: str) -> FormDefinition:
    """A step of the process, the engine's own escalation task, the hand-over to another Jugendamt, or
    the child's data completed later."""
    if task_key in process.user_tasks:
        return process.task(task_key).form
    if task_key == DETAILS_TASK:
        return details_labels()
    return transfer_labels() if task_key == TRANSFER_TASK else escalation_form()


def _visible_fields(process: LoadedProcess, task: str, audience: str) -> frozenset[str] | None:
    """None: every field; else the declared ones (an audience without a declaration sees none)."""
    if audience == OWN:
        return None
    return process.manifest.sichtbarkeit.get(task, {}).get(audience, frozenset())


def labelled(
    form: FormDefinition, stored: Mapping[str, Any], shown: frozenset[str] | None, person: Any
) -> tuple[dict[str, FileValue], tuple[str, ...]]:
    own = {f.name: f for f in form.fields}
    fields = {**ENGINE_FIELDS, **own}
    order = [f.name for f in form.fields if f.name in stored] + [k for k in stored if k not in own]
    values = {
        name: FileValue(
            _label(fields.get(name), name),
            stored[name],
            display_value(fields.get(name), stored[name], person),
            _kind(fields.get(name)),
            _label_en(fields.get(name)),
            _zweck(fields.get(name)),
        )
        for name in order
        if shown is None or name in shown
    }
    return values, tuple(name for name in order if name not in values)


def _label(form_field: FormField | None, name: str) -> str:
    return form_field.label if form_field is not None else name


def _label_en(form_field: FormField | None) -> str | None:
    return form_field.label_en if form_field is not None else None


def _kind(form_field: FormField | None) -> str | None:
    return form_field.type if form_field is not None else None


def _zweck(form_field: FormField | None) -> str | None:
    return form_field.zweck if form_field is not None else None


def _messages(work: Work, case: m.Case, audience: str) -> list[FileEntry]:
    """What the case received. The consultation audience sees that a message arrived, not its content."""
    session = work.session
    rows = session.execute(
        select(m.CaseMessage, m.Case)
        .join(m.Case, m.Case.id == m.CaseMessage.from_case_id)
        .where(m.CaseMessage.case_id == case.id)
        .order_by(m.CaseMessage.id)
    ).all()
    entries = []
    for message, sender in rows:
        payload = open_message(work, case.reference, message)
        form = (
            transfer_labels()
            if message.name == TRANSFER_MESSAGE
            else sender_fields(work, sender, work.catalog.load(session, case.definition_id))
        )
        shown: frozenset[str] | None = None if audience == OWN else frozenset()
        values, withheld = labelled(form, payload, shown, str)
        organisation = session.get(m.Organisation, sender.organisation_id)
        melder: Mapping[str, Any] = payload["melder"] if isinstance(payload.get("melder"), Mapping) else {}
        title = MESSAGE_TITLES.get(message.name, f"Nachricht „{message.name}“ eingegangen")
        entries.append(
            FileEntry(
                MESSAGE,
                f"message-{message.id}",
                message.name,
                f"{title} ({sender.reference})",
                str(melder.get("kontakt")) if audience == OWN and melder.get("kontakt") else None,
                organisation.name if organisation else None,
                message.received_at,
                values,
                withheld,
            )
        )
    return entries


def sender_fields(work: Work, sender: m.Case, receiver: LoadedProcess | None = None) -> FormDefinition:
    """The labels of a message's fields are those of the sending process's forms (the Meldebogen's
    fields come from the Träger's step that sent it), then the receiving process's (a field the
    engine adds for the receiver, e.g. the § 99 category of the reporting organisation)."""
    processes = [work.catalog.load(work.session, sender.definition_id), *([receiver] if receiver else [])]
    fields: dict[str, FormField] = {}
    for process in processes:
        for spec in process.user_tasks.values():
            for form_field in spec.form.fields:
                fields.setdefault(form_field.name, form_field)
    return FormDefinition(task="", title="", description="", fields=tuple(fields.values()))


def _deadlines(session: Session, case: m.Case) -> list[FileEntry]:
    rows = session.execute(
        select(m.Deadline)
        .where(m.Deadline.case_id == case.id, m.Deadline.kind == "task", m.Deadline.fired_at.is_not(None))
        .order_by(m.Deadline.id)
    ).scalars()
    due = "Fällig war"
    return [
        FileEntry(
            DEADLINE,
            f"deadline-{d.id}",
            d.task_key,
            f"Frist überschritten: {d.title}",
            None,
            None,
            d.fired_at,
            {"due_at": FileValue(due, d.due_at.isoformat(), display_value(None, d.due_at.isoformat(), str))},
        )
        for d in rows
        if d.fired_at is not None
    ]


def _links(session: Session, actor: Actor, case: m.Case, people: _People) -> tuple[FileLink, ...]:
    rows = session.execute(
        select(m.CaseLink, m.Case)
        .join(m.Case, m.Case.id == m.CaseLink.linked_case_id)
        .where(m.CaseLink.case_id == case.id)
        .order_by(m.CaseLink.id)
    ).all()
    return tuple(
        FileLink(
            linked.id,
            linked.reference,
            link.relation,
            people.organisation_name(linked.organisation_id),
            can_see_case(session, actor, linked),
        )
        for link, linked in rows
    )


class _People:
    """Display names and organisations of the people in one case file, looked up once each."""

    def __init__(self, session: Session, case_organisation_id: int) -> None:
        self._session = session
        self._case_organisation_id = case_organisation_id
        self._by_id: dict[int, tuple[str | None, str | None]] = {}
        self._by_username: dict[str, str] = {}

    def of(self, user_id: int | None) -> tuple[str | None, str | None]:
        """(display name, organisation name) — the case's organisation if the person belongs to it."""
        if user_id is None:
            return None, None
        if user_id not in self._by_id:
            user = self._session.get(m.User, user_id)
            rows = self._session.execute(
                select(m.Organisation.id, m.Organisation.name)
                .join(m.Membership, m.Membership.organisation_id == m.Organisation.id)
                .where(m.Membership.user_id == user_id)
                .order_by(m.Organisation.name)
            ).all()
            names = {org_id: name for org_id, name in rows}
            organisation = names.get(self._case_organisation_id) or (rows[0].name if rows else None)
            self._by_id[user_id] = ((user.display_name or user.username) if user else None, organisation)
        return self._by_id[user_id]

    def display_name(self, username: str) -> str:
        if username not in self._by_username:
            user = self._session.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
            self._by_username[username] = (user.display_name or user.username) if user else username
        return self._by_username[username]

    def organisation_name(self, organisation_id: int) -> str:
        organisation = self._session.get(m.Organisation, organisation_id)
        return organisation.name if organisation else ""
