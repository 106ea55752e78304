"""A decrypted audit event as the auditor reads it: labelled fields, never JSON keys or braces.

The payloads are written for machines (`{"task": "leitung_informieren", "values": {...}}`); the
Revision reads them on a page. Each payload key gets a German label (`KEY_LABELS`); a step's
values and a message's content are labelled by the case's forms like the Fallakte
(`engine/cases/file_values.py`: option titles, dates as TT.MM.JJJJ, Ja/Nein); organisations by
name, people by display name, a Frist's value in words. A nested value becomes fields of its own
("Kind – Vorname"). A key nobody has labelled yet is shown in words ("Neuer schluessel" → "Neuer
schluessel") rather than as a key. The raw JSON stays in the export (JSON Lines), which the
auditor asks for explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.cases.file_values import ENGINE_FIELDS, display_value
from engine.cases.messages import MESSAGE_TITLES
from engine.cases.transfer import transfer_labels
from engine.clock import BERLIN
from engine.deadlines.wording import frist_in_words
from engine.errors import EngineError
from engine.forms.builtin import child_form, escalation_form
from engine.forms.definition import FormField
from engine.persistence import models as m
from engine.transactions import Work

KEY_LABELS: dict[str, str] = {
    "action": "Versuchte Aktion",
    "anlass": "Anlass",
    "bis": "Zugriff bis",
    "case": "Fall",
    "changed": "Geänderte Angaben",
    "child": "Kind",
    "daten": "Übermittelte Angaben",
    "decision": "Entscheidung",
    "due_at": "Fällig am",
    "earlier": "Früherer Fall",
    "errors": "Fehler",
    "escalation_task": "Kennung der Klärungsaufgabe",
    "events": "Anzahl der Einträge",
    "frist": "Frist",
    "from": "Von",
    "from_case": "Von Fall",
    "from_jugendamt": "Von Jugendamt",
    "from_user_id": "Bisher zuständig",
    "grund": "Grund",
    "grundlage_sha256": "Prüfsumme der Entscheidungsgrundlage",
    "jugendamt": "Zuständiges Jugendamt",
    "jugendamt_ausdruecklich_gewaehlt": "Jugendamt ausdrücklich gewählt",
    "kommentar": "Ergebnis der Prüfung",
    "match": "Art der Übereinstimmung",
    "meldung_von": "Meldung von Fall",
    "message": "Nachricht",
    "payload": "Inhalt",
    "process": "Verfahren",
    "stunden": "Dauer in Stunden",
    "reason": "Grund",
    "refusal": "Art der Ablehnung",
    "task": "Schritt",
    "task_id": "Kennung des Schritts",
    "title": "Titel des Schritts",
    "to_case": "An Fall",
    "to_jugendamt": "An Jugendamt",
    "uebernommen_von": "Übernommen von Fall",
    "until": "Bis",
    "username": "Benutzername",
    "value": "Dauer der Frist",
    "values": "Eingaben",
    "version": "Version",
    "view": "Ansicht",
    "von_jugendamt": "Von Jugendamt",
    "zugriff": "Nummer des Notfallzugriffs",
}

#: Values of closed vocabularies in the payloads, in words.
VALUE_WORDS: dict[str, dict[str, str]] = {
    "view": {
        "case": "Fallseite",
        "file": "Fallakte",
        "task": "Schritt",
        "abgabe": "Abgabe prüfen",
        "notfallzugriff": "Notfallzugriff anfordern",
        "auskunft": "Auskunft an eine betroffene Person",
    },
    "action": {"complete": "Schritt abschließen"},
    "refusal": {
        "NotAllowed": "nicht erlaubt",
        "NotFound": "nicht gefunden",
        "Conflict": "Konflikt",
        "StaleCase": "inzwischen geändert",
        "ValidationFailed": "Eingaben unvollständig oder ungültig",
    },
    "decision": {"confirmed": "bestätigt", "rejected": "verworfen", "open": "offen"},
}

_ORGANISATION_KEYS = frozenset({"jugendamt", "to_jugendamt", "from_jugendamt", "von_jugendamt"})


@dataclass(frozen=True)
class ReadableField:
    label: str
    text: str


class _Reader:
    """Labels and names for one case's events (the case's process forms, its people, organisations)."""

    def __init__(self, work: Work, case: m.Case) -> None:
        self.work = work
        self.fields: dict[str, FormField] = dict(ENGINE_FIELDS)
        self.tasks: dict[str, str] = {}
        for form in (escalation_form(), transfer_labels()):
            self.fields.update({f.name: f for f in form.fields})
        self._add_process(case.definition_id)
        self.child = {f.name: f for f in child_form().fields}

    def _add_process(self, definition_id: int) -> None:
        process = self.work.catalog.load(self.work.session, definition_id)
        for key, spec in process.user_tasks.items():
            self.tasks.setdefault(key, spec.title)
            for form_field in spec.form.fields:
                self.fields.setdefault(form_field.name, form_field)

    def sender(self, reference: Any) -> None:
        """A message's content is labelled by the sending case's forms too."""
        definition = self.work.session.execute(
            select(m.Case.definition_id).where(m.Case.reference == str(reference))
        ).scalar_one_or_none()
        if definition is not None:
            self._add_process(definition)

    def person(self, username: str) -> str:
        name = self.work.session.execute(
            select(m.User.display_name).where(m.User.username == username)
        ).scalar_one_or_none()
        return name or username

    def organisation(self, key: Any) -> str:
        name = self.work.session.execute(
            select(m.Organisation.name).where(m.Organisation.key == str(key))
        ).scalar_one_or_none()
        return name or str(key)

    def user_by_id(self, user_id: Any) -> str:
        user = self.work.session.get(m.User, user_id) if isinstance(user_id, int) else None
        return user.display_name if user is not None else "niemand"

    # ---- the payload -------------------------------------------------------------------------------
    def payload(self, payload: Any) -> list[ReadableField]:
        if not isinstance(payload, Mapping):
            return [ReadableField("Inhalt", self.text(None, payload))]
        for key in ("from_case", "meldung_von", "uebernommen_von"):
            if key in payload:
                self.sender(payload[key])
        out: list[ReadableField] = []
        for key, value in payload.items():
            out.extend(self.entry(key, value, ""))
        return out

    def entry(self, key: str, value: Any, prefix: str) -> list[ReadableField]:
        label = prefix + self.label(key)
        if key == "process" and isinstance(value, Mapping):
            title = self._process_title(value)
            return [ReadableField(label, title)]
        if key == "child" and isinstance(value, Mapping):
            return [
                ReadableField(f"{label} – {_field_label(self.child.get(k), k)}", self.text(self.child.get(k), v))
                for k, v in value.items()
            ]
        if key == "errors" and isinstance(value, Mapping):
            return [
                ReadableField(f"{label} – {self.label(k)}", " ".join(map(str, v if isinstance(v, list) else [v])))
                for k, v in value.items()
            ]
        if isinstance(value, Mapping):
            inner = prefix if key in ("values", "payload") else label + " – "
            return [field for k, v in value.items() for field in self.entry(k, v, inner)]
        return [ReadableField(label, self.scalar(key, value))]

    def label(self, key: str) -> str:
        if key in KEY_LABELS:
            return KEY_LABELS[key]
        form_field = self.fields.get(key)
        return _field_label(form_field, key)

    def scalar(self, key: str, value: Any) -> str:
        if key in VALUE_WORDS and isinstance(value, str):
            return VALUE_WORDS[key].get(value, value)
        if key in _ORGANISATION_KEYS:
            return self.organisation(value)
        if key == "task" and isinstance(value, str):
            return self.tasks.get(value, _words(value))
        if key == "message" and isinstance(value, str):
            return MESSAGE_TITLES.get(value, _words(value)).removesuffix(" eingegangen")
        if key == "frist" and isinstance(value, str):
            return _words(value)
        if key == "value" and isinstance(value, str):
            return _frist_words(value)
        if key == "from_user_id":
            return self.user_by_id(value)
        if key == "bis" and isinstance(value, str):
            return _instant(value)
        if key == "daten" and isinstance(value, list):
            return ", ".join(self.label(str(v)) for v in value)
        return self.text(self.fields.get(key), value)

    def text(self, form_field: FormField | None, value: Any) -> str:
        return display_value(form_field, value, self.person)

    def _process_title(self, value: Mapping[str, Any]) -> str:
        definition = self.work.session.execute(
            select(m.ProcessDefinition.title).where(
                m.ProcessDefinition.key == str(value.get("key")), m.ProcessDefinition.version == value.get("version")
            )
        ).scalar_one_or_none()
        return f"{definition or _words(str(value.get('key')))}, Version {value.get('version')}"


def _field_label(form_field: FormField | None, key: str) -> str:
    return form_field.label if form_field is not None else _words(key)


def _words(key: str) -> str:
    """A key nobody labelled, in words rather than as a key: `neuer_wert` → „Neuer wert“."""
    return key.replace("_", " ").strip().capitalize() or "–"


def _instant(value: str) -> str:
    """An ISO instant of a payload (a break-glass access's end) as people read it, in Berlin time."""
    try:
        return datetime.fromisoformat(value).astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")
    except ValueError:
        return value


def _frist_words(value: str) -> str:
    try:
        return frist_in_words(value)
    except EngineError:
        return value


def readable_events(work: Work, case: m.Case, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events with `fields`: their payloads as labelled fields (a shredded event has none)."""
    reader = _Reader(work, case)
    return [{**event, "fields": [] if event["shredded"] else reader.payload(event["payload"])} for event in events]
