"""The child's data at case opening (procedures.md section 2): validated server-side, always.

Identifying data: never shown to an insoweit erfahrene Fachkraft, never in logs, e-mails or error
messages — messages name fields, never values.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from engine.errors import ValidationFailed
from engine.forms.validation import IsoDate, StrictBoolean, flatten_errors

REQUIRED: dict[str, Any] = {"required": "Pflichtfeld", "null": "Pflichtfeld"}
TEXT: dict[str, Any] = {**REQUIRED, "invalid": "Bitte Text eingeben."}
GESCHLECHT = ("maennlich", "weiblich", "divers", "ohne_angabe")


def _text(required: bool = True, max_length: int = 200) -> fields.String:
    return fields.String(
        required=required,
        error_messages=TEXT,
        validate=[
            validate.Length(min=1, error="Pflichtfeld"),
            validate.Length(max=max_length, error=f"Höchstens {max_length} Zeichen."),
        ],
    )


class _Schema(Schema):
    class Meta:
        unknown = RAISE


_Schema.error_messages = {**Schema.error_messages, "unknown": "Unbekanntes Feld.", "type": "Ungültige Eingabe."}


class AnschriftSchema(_Schema):
    strasse = _text(required=False)
    plz = fields.String(
        required=False,
        validate=validate.Regexp(r"^\d{5}$", error="Fünfstellige Postleitzahl eingeben."),
        error_messages=TEXT,
    )
    ort = _text(required=False)


class SorgeberechtigteSchema(_Schema):
    name = _text()
    beziehung = _text(max_length=100)
    anschrift = _text(required=False, max_length=300)
    sorgerecht = StrictBoolean(required=True, error_messages={**REQUIRED, "invalid": "Bitte Ja oder Nein angeben."})


class ChildSchema(_Schema):
    vorname = _text()
    nachname = _text()
    geburtsdatum = IsoDate(required=True, error_messages={**REQUIRED, "invalid": "Kein gültiges Datum (JJJJ-MM-TT)."})
    wohnort_gemeinde = _text()
    geschlecht = fields.String(
        load_default="ohne_angabe",
        validate=validate.OneOf(GESCHLECHT, error=f"Ungültiger Wert. Erlaubt: {', '.join(GESCHLECHT)}."),
        error_messages=TEXT,
    )
    anschrift = fields.Nested(AnschriftSchema, required=False)
    sorgeberechtigte = fields.List(fields.Nested(SorgeberechtigteSchema), required=False)

    @validates_schema
    def _birth_date(self, data: dict[str, Any], **_: Any) -> None:
        born, today = data.get("geburtsdatum"), self.context_today
        if born is None:
            return
        if born > today:
            raise ValidationError("Das Geburtsdatum liegt in der Zukunft.", "geburtsdatum")
        if _age(born, today) >= 18:
            raise ValidationError(
                "§ 8a SGB VIII betrifft Kinder und Jugendliche: das Kind muss jünger als 18 sein.", "geburtsdatum"
            )

    def __init__(self, today: date) -> None:
        super().__init__()
        self.context_today = today


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate_child(raw: object, today: date) -> dict[str, Any]:
    """Clean child data as JSON-compatible values, or ValidationFailed keyed by field name."""
    if not isinstance(raw, dict):
        raise ValidationFailed({"child": ["Die Angaben zum Kind fehlen oder sind kein Objekt."]})
    try:
        data = ChildSchema(today).load(raw)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from None
    data["geburtsdatum"] = data["geburtsdatum"].isoformat()
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


def age_years(child: dict[str, Any], today: date) -> int:
    return _age(date.fromisoformat(child["geburtsdatum"]), today)
