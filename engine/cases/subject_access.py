"""Subject access (R38: Art. 15 DSGVO, § 83 SGB X, DP-17): what a Jugendamt stores about one person,
across its cases, with the protected parts withheld.

The person asks the Jugendamt; its Leitung (who answers for the data protection of the office) produces
the answer. The person is a child (name and birth date) or a Sorgeberechtigter (name). The cases are
found through the blind index (engine/cases/child_index.py): only the digests of the given terms are
looked up, no case is decrypted to search — only the cases found are opened, and a Sorgeberechtigter's
name is then checked against that case's entries (the index holds name tokens, not whole names).

Each case is read as the parents' inspection copy (engine/cases/redaction.py): the reporter's identity
(R36) and the fields a version declares in `schwaerzung` (§ 65 SGB VIII) stay blacked out; of the
other people in the case (third parties, § 83 Abs. 4 SGB X) nothing is shown but that something was
withheld. Each stored item comes with the purpose its form states (R31: `zweck`), each case with its
recipients (Meldungen, Abgaben) and when its data will be deleted. Every answer is audited as
`person.auskunft` (the kind of person and the cases, never the terms) and as a read of each case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record, record_read
from engine.cases import messages, transfer
from engine.cases.case_file import CaseFile, FileValue, documented
from engine.cases.child_index import BIRTH, NAME, SORGE, matching_cases
from engine.cases.file_values import display_value
from engine.cases.redaction import REDACTED, redacted_for_inspection
from engine.cases.search import parse_date
from engine.cases.siblings import TYPE as SIBLINGS
from engine.cases.state import CLOSED
from engine.clock import BERLIN
from engine.errors import NotAllowed, ValidationFailed
from engine.forms.builtin import child_address_form, child_form
from engine.persistence import models as m
from engine.persistence.sealed import open_child
from engine.processes.file_rules import OWN
from engine.retention.policy import RetentionPolicy, due_date
from engine.spelling import tokens
from engine.transactions import Work

#: Who answers a subject-access request for a Jugendamt: its Leitung.
AUSKUNFT_ROLE = "ja_leitung"
CHILD, GUARDIAN = "kind", "sorgeberechtigter"
KINDS = {CHILD: "Kind", GUARDIAN: "Sorgeberechtigte Person"}
WITHHELD_THIRD = "[zurückgehalten – Angaben zu Dritten, § 83 Abs. 4 SGB X]"
_GUARDIANS = "sorgeberechtigte"
_RECIPIENT_LINKS = {messages.SENT_TO: "Meldung an", transfer.SENT_TO: "Abgabe an"}
_MAX_NAME = 200
_NAME_WORDS = {"vorname": "Vornamen", "nachname": "Nachnamen", "name": "Namen"}


@dataclass(frozen=True)
class Item:
    """One stored data item: where it stands (the child's data or a step), its label, value and purpose."""

    source: str
    label: str
    display: str
    zweck: str | None
    at: datetime | None = None

    @property
    def withheld(self) -> bool:
        return self.display in (REDACTED, WITHHELD_THIRD)


@dataclass(frozen=True)
class Recipient:
    what: str
    to: str
    at: datetime


@dataclass(frozen=True)
class CaseDisclosure:
    reference: str
    process_title: str
    jugendamt: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    items: tuple[Item, ...]
    recipients: tuple[Recipient, ...]
    #: when the case's data will be deleted, as a sentence
    retention: str
    shredded: bool = False


@dataclass(frozen=True)
class Auskunft:
    kind: str
    #: the person as the request named them (it is their own data)
    person: str
    cases: tuple[CaseDisclosure, ...]
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class Request:
    kind: str
    name_tokens: tuple[str, ...]
    born: date | None
    person: str


def check_request(raw: Mapping[str, Any]) -> Request:
    """The person asked about, every problem in one pass (German, per field)."""
    kind = raw.get("art")
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        raise ValidationFailed({"art": ["Wählen Sie, ob ein Kind oder eine sorgeberechtigte Person anfragt."]})
    names = ("vorname", "nachname") if kind == CHILD else ("name",)
    given = {name: _text(raw.get(name)) for name in names}
    for name, text in given.items():
        if not tokens(text):
            errors[name] = [f"Geben Sie den {_NAME_WORDS[name]} an."]
        elif len(text) > _MAX_NAME:
            errors[name] = [f"Der Name darf höchstens {_MAX_NAME} Zeichen lang sein."]
    born = None
    if kind == CHILD:
        born_text = _text(raw.get("geburtsdatum"))
        try:
            born = parse_date(born_text) if born_text else None
        except ValidationFailed:
            born = None
        if born is None:
            errors["geburtsdatum"] = ["Geben Sie das Geburtsdatum des Kindes als Datum an (TT.MM.JJJJ)."]
    if errors:
        raise ValidationFailed(errors)
    words = tuple(t for text in given.values() for t in tokens(text))
    person = " ".join(given.values()) + (f", geboren am {born:%d.%m.%Y}" if born else "")
    return Request(str(kind), words, born, person)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def auskunft(work: Work, actor: Actor, raw: Mapping[str, Any], policy: RetentionPolicy) -> Auskunft:
    """The document for one person (see the module). Deny before validating: only a Jugendamt's Leitung."""
    jugendaemter = [ms.organisation_id for ms in actor.memberships if ms.role == AUSKUNFT_ROLE]
    if not jugendaemter:
        raise NotAllowed("Auskunft über gespeicherte Daten erteilt nur die Leitung eines Jugendamts.")
    request = check_request(raw)
    terms = [f"{NAME if request.kind == CHILD else SORGE}:{t}" for t in request.name_tokens]
    if request.born is not None:
        terms.append(f"{BIRTH}:{request.born.isoformat()}")
    found = matching_cases(work, terms, jugendaemter)
    cases = work.session.execute(select(m.Case).where(m.Case.id.in_(found)).order_by(m.Case.opened_at)).scalars()
    disclosures = []
    for case in cases:
        disclosure = _disclosure(work, case, request, policy)
        if disclosure is not None:
            disclosures.append(disclosure)
            record_read(work, actor, case.id, {"view": "auskunft"})
    record(
        work,
        EventType.PERSON_AUSKUNFT,
        actor=actor,
        payload={"art": request.kind, "faelle": [d.reference for d in disclosures]},
    )
    return Auskunft(request.kind, request.person, tuple(disclosures), work.now, actor.display_name)


def _disclosure(work: Work, case: m.Case, request: Request, policy: RetentionPolicy) -> CaseDisclosure | None:
    """The case as the person may read it; None when a Sorgeberechtigter's name matched the index only
    token by token, not as one person of the case (nothing of it is disclosed)."""
    file = documented(work, case, OWN)
    process = work.catalog.load(work.session, case.definition_id)
    child: dict[str, Any] = {} if file.shredded else open_child(work, case)
    own_items = _person_items(child, request)
    if own_items is None:
        return None
    file = redacted_for_inspection(file, process.manifest.schwaerzung)
    born = date.fromisoformat(str(child["geburtsdatum"])) if child.get("geburtsdatum") else None
    return CaseDisclosure(
        reference=case.reference,
        process_title=file.process_title,
        jugendamt=file.jugendamt,
        status=case.status,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        items=tuple(own_items) + _documented_items(file),
        recipients=_recipients(work, case, file),
        retention=_retention(case, born, policy),
        shredded=file.shredded,
    )


def _person_items(child: Mapping[str, Any], request: Request) -> list[Item] | None:
    """The person's own entries of the case's base data; other people's entries only as withheld."""
    source = "Angaben zum Kind"
    if not child:
        return []
    if request.kind == GUARDIAN:
        wanted = set(request.name_tokens)
        mine = [g for g in child.get(_GUARDIANS) or () if wanted <= set(tokens(str(g.get("name", ""))))]
        if not mine:
            return None
        guardians = child_form().field(_GUARDIANS)
        assert guardians is not None
        items = [
            Item(
                f"{source}: {guardians.label}", item.label, display_value(item, g.get(item.name), str), guardians.zweck
            )
            for g in mine
            for item in guardians.fields
            if item.name in g
        ]
        if len(child.get(_GUARDIANS) or ()) > len(mine) or child.get("vorname"):
            items.append(Item(source, "Angaben zum Kind und zu weiteren Personen", WITHHELD_THIRD, None))
        return items
    items = [
        Item(source, field.label, display_value(field, child[field.name], str), field.zweck)
        for field in child_form().fields
        if field.name in child and field.name != _GUARDIANS
    ]
    address = child.get("anschrift")
    if isinstance(address, Mapping):
        items += [
            Item(source, field.label, display_value(field, address[field.name], str), field.zweck)
            for field in child_address_form().fields
            if address.get(field.name)
        ]
    if child.get(_GUARDIANS):
        items.append(Item(source, "Sorgeberechtigte", WITHHELD_THIRD, None))
    return items


def _documented_items(file: CaseFile) -> tuple[Item, ...]:
    """The steps' items; the siblings a step named (a `kinder` field) are other people: withheld (each
    child asks for its own case)."""
    return tuple(
        Item(
            entry.title, value.label, WITHHELD_THIRD if value.kind == SIBLINGS else value.display, value.zweck, entry.at
        )
        for entry in file.entries
        for value in entry.values.values()
        if isinstance(value, FileValue)
    )


def _recipients(work: Work, case: m.Case, file: CaseFile) -> tuple[Recipient, ...]:
    """Where the case's data went: the Meldung to a Jugendamt, the Abgabe to another one (by name), and
    the Rückmeldung to whoever reported (not named: R36)."""
    session = work.session
    rows = session.execute(
        select(m.CaseLink.relation, m.Case.opened_at, m.Organisation.name)
        .join(m.Case, m.Case.id == m.CaseLink.linked_case_id)
        .join(m.Organisation, m.Organisation.id == m.Case.organisation_id)
        .where(m.CaseLink.case_id == case.id, m.CaseLink.relation.in_(_RECIPIENT_LINKS))
    ).all()
    out = [Recipient(_RECIPIENT_LINKS[relation], name, at) for relation, at, name in rows]
    reported = session.execute(
        select(m.CaseLink.id).where(m.CaseLink.case_id == case.id, m.CaseLink.relation == messages.RECEIVED_FROM)
    ).first()
    if reported is not None:
        process = work.catalog.load(session, case.definition_id)
        out += [
            Recipient(entry.title, "die meldende Stelle (Name zurückgehalten, § 65 SGB VIII)", entry.at)
            for entry in file.entries
            if entry.task in process.user_tasks and process.task(entry.task).sends
        ]
    return tuple(sorted(out, key=lambda r: r.at))


def _retention(case: m.Case, born: date | None, policy: RetentionPolicy) -> str:
    if case.hold is not None:
        return (
            "Für den Fall besteht eine Löschsperre: gelöscht wird er erst nach ihrer Aufhebung und dem Ende der Frist."
        )
    record_type = "fall_ohne_befund" if case.befund is False else "fall_mit_befund"
    period = policy[record_type]
    if case.status != CLOSED or case.closed_at is None:
        return f"Der Fall läuft noch. Nach seinem Abschluss wird er aufbewahrt: {period.text}."
    due = due_date(period, case.closed_at.astimezone(BERLIN), born)
    return f"Löschung vorgesehen am {due:%d.%m.%Y} ({period.label}: {period.text})."
