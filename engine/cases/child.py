"""The child's data at case opening (procedures.md section 2): validated server-side, always.

The fields are the built-in form `bpmn/builtin/forms/kind.json`, validated like any step's form
(`engine.forms`) and rendered by the UI like one. What the form format cannot say is checked here,
after it: the address (the object `anschrift`, validated against the built-in form `kind_anschrift`
because the format has no object type), the five-digit postcode, a birth date not in the future and
under 18 (§ 8a SGB VIII), and the default `geschlecht`. The maximum lengths and the most
Sorgeberechtigte are the forms' own (`max_length`, `max_items`).

Identifying data: never shown to an insoweit erfahrene Fachkraft, never in logs, e-mails or error
messages — messages name fields, never values.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from engine.errors import ValidationFailed
from engine.forms import FormDefinition, check_submission
from engine.forms.builtin import child_address_form, child_form

_PLZ = re.compile(r"[0-9]{5}")


#: What a Jugendamt may record as unknown when it takes a report itself (a telephone call: the caller
#: knows the child by sight, not its birth date); a Träger's Meldung names the child fully.
UNKNOWABLE = ("vorname", "nachname", "geburtsdatum")
UNKNOWN, APPROXIMATE_AGE = "unbekannt", "alter_geschaetzt"


def validate_child(raw: object, today: date, *, may_be_incomplete: bool = False) -> dict[str, Any]:
    """Clean child data as JSON-compatible values, or ValidationFailed keyed by field name."""
    child, errors = check_child(raw, today, may_be_incomplete=may_be_incomplete)
    if errors:
        raise ValidationFailed(errors)
    return child


def check_child(
    raw: object, today: date, *, may_be_incomplete: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The child's valid values and every error, found in one pass ({} errors: the clean data).

    `may_be_incomplete` (a Jugendamt's own report): the names and the birth date may be marked
    `unbekannt`; an unknown birth date needs an approximate age (`alter_geschaetzt`, 0–17), which is
    kept as such and never turned into a birth date.

    The checks beyond the format run on every value that passed the format, also when another field
    failed: a birth date in the future is reported together with a missing first name. With errors,
    the values hold only the fields without one (the opening routes by a valid `wohnort_gemeinde`).
    """
    if not isinstance(raw, dict):
        return {}, {"child": ["Geben Sie die Angaben zum Kind als Objekt an."]}
    fields = {k: v for k, v in raw.items() if k != "anschrift"}
    errors: dict[str, list[str]] = {}
    unknown = _unknown(fields.get(UNKNOWN), may_be_incomplete, errors)
    form = child_form()
    if unknown:  # an unknown field is not required; what is known stays required
        form = replace(form, fields=tuple(replace(f, required=False) if f.name in unknown else f for f in form.fields))
    child = _checked(form, fields, "", errors)
    _check_unknown(child, unknown, errors)
    address = _checked(child_address_form(), raw["anschrift"], "anschrift.", errors) if "anschrift" in raw else {}
    if "geburtsdatum" in child:
        _check_birth_date(child["geburtsdatum"], today, errors)
    if "plz" in address and not _PLZ.fullmatch(address["plz"]):
        errors.setdefault("anschrift.plz", []).append(
            "Geben Sie die Postleitzahl mit fünf Ziffern an, zum Beispiel 47574."
        )
    if errors:
        failed = {key.partition(".")[0] for key in errors}
        return {k: v for k, v in child.items() if k not in failed}, errors
    child.setdefault("geschlecht", "ohne_angabe")
    if address:
        child["anschrift"] = address
    return child, {}


def _unknown(marked: object, may_be_incomplete: bool, errors: dict[str, list[str]]) -> set[str]:
    if not marked:
        return set()
    if not may_be_incomplete:
        errors[UNKNOWN] = [
            "Unbekannte Angaben kann nur ein Jugendamt bei einem selbst aufgenommenen Hinweis markieren."
        ]
        return set()
    return {str(name) for name in marked if name in UNKNOWABLE} if isinstance(marked, list) else set()


def _check_unknown(child: dict[str, Any], unknown: set[str], errors: dict[str, list[str]]) -> None:
    """A field is either given or marked unknown; an approximate age only instead of a birth date."""
    for name in sorted(unknown & child.keys()):
        errors.setdefault(name, []).append(
            "Geben Sie diese Angabe an oder markieren Sie sie als unbekannt, nicht beides."
        )
    age = child.get(APPROXIMATE_AGE)
    if "geburtsdatum" in unknown:
        if age is None and APPROXIMATE_AGE not in errors:
            errors[APPROXIMATE_AGE] = [
                "Geben Sie bei unbekanntem Geburtsdatum das ungefähre Alter an (0 bis 17 Jahre)."
            ]
        elif age is not None and not 0 <= age <= 17:
            errors[APPROXIMATE_AGE] = ["Geben Sie ein ungefähres Alter zwischen 0 und 17 Jahren an (§ 8a SGB VIII)."]
    elif age is not None:
        errors[APPROXIMATE_AGE] = ["Geben Sie ein ungefähres Alter nur an, wenn das Geburtsdatum unbekannt ist."]


def _checked(form: FormDefinition, data: object, prefix: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The valid values of `data` against `form`; errors added under `prefix`."""
    clean, found = check_submission(form, data)
    for key, messages in found.items():
        errors.setdefault(prefix + key if key != "_schema" else prefix.rstrip(".") or key, []).extend(messages)
    return clean


def _check_birth_date(born_iso: str, today: date, errors: dict[str, list[str]]) -> None:
    born = date.fromisoformat(born_iso)
    if born > today:
        errors["geburtsdatum"] = ["Das Geburtsdatum liegt in der Zukunft. Geben Sie ein Datum bis heute an."]
    elif _age(born, today) >= 18:
        errors["geburtsdatum"] = [
            "§ 8a SGB VIII betrifft Kinder und Jugendliche: Geben Sie das Geburtsdatum eines Kindes unter 18 Jahren an."
        ]


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_years(child: dict[str, Any], today: date) -> int | None:
    """The age from the birth date, else the approximate age recorded (None: neither)."""
    if child.get("geburtsdatum"):
        return _age(date.fromisoformat(child["geburtsdatum"]), today)
    age = child.get(APPROXIMATE_AGE)
    return int(age) if age is not None else None


def child_name(child: dict[str, Any]) -> str:
    """First name and surname as people read them; an unknown one says so."""
    return " ".join(str(child.get(part) or "(unbekannt)") for part in ("vorname", "nachname"))
