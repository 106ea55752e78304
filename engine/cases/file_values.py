"""Documented values as people read them: with the form's label and the option's title, never a raw
key (`akute_kwg`, `keine_gewichtigen_anhaltspunkte`, `meldung_8a`), dates in German notation and
Berlin time, yes/no as Ja/Nein, named people by their display name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from engine.clock import BERLIN
from engine.forms.builtin import sibling_form
from engine.forms.definition import FormDefinition, FormField, Option

#: Fields the engine and the sending BPMN write into a Meldebogen (engine/cases/messages.py), as form
#: fields so that they read like the rest: with a label and option titles.
ENGINE_FIELDS = {
    f.name: f
    for f in (
        FormField("melder", "Meldende Stelle", "object"),
        FormField("organisation_name", "Organisation", "text"),
        FormField("kontakt", "Ansprechperson", "text"),
        FormField("telefon", "Telefon", "text"),
        FormField("bezug", "Aktenzeichen der meldenden Stelle", "text"),
        FormField("eingegangen_am", "Eingegangen am", "datetime"),
        FormField(
            "melder_typ",
            "Meldung nach",
            "enum",
            options=(
                Option("traeger", "§ 8a Abs. 4 SGB VIII (Träger der Jugendhilfe)"),
                Option("kkg4", "§ 4 Abs. 3 KKG (Berufsgeheimnisträger)"),
                Option("kindertagespflege", "§ 8a Abs. 5 SGB VIII (Kindertagespflege)"),
            ),
        ),
        FormField("dringlichkeit_hinweis", "Dringlichkeit", "enum", options=(Option("akut", "Akut (Sofortmeldung)"),)),
    )
}
#: Parts of the reporter's data that are for routing only, not for people: left out of the display.
_NOT_SHOWN = frozenset({"organisation"})


def display_value(field: FormField | None, value: Any, person: Callable[[str], str]) -> str:
    """One value as text: `person` names a user field's username."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Ja" if value else "Nein"
    kind = field.type if field is not None else None
    if kind in ("enum", "multi") and field is not None:
        titles = {o.value: o.label for o in field.options}
        items = value if isinstance(value, list) else [value]
        return ", ".join(titles.get(str(v), str(v)) for v in items)
    if kind == "user":
        return person(str(value))
    if kind == "kinder" and field is not None and isinstance(value, list):
        return "; ".join(_item(sibling_form(), item, person) for item in value)
    if kind == "list" and field is not None and isinstance(value, list):
        return "; ".join(_item(field, item, person) for item in value)
    if kind == "object" and field is not None and field.fields and isinstance(value, Mapping):
        return f"({_item(field, value, person)})"
    if isinstance(value, Mapping):
        return "; ".join(
            f"{ENGINE_FIELDS[k].label if k in ENGINE_FIELDS else k}: {display_value(ENGINE_FIELDS.get(k), v, person)}"
            for k, v in value.items()
            if k not in _NOT_SHOWN
        )
    if isinstance(value, list):
        return ", ".join(display_value(None, v, person) for v in value)
    return _moment(value) if isinstance(value, str) and kind in ("date", "datetime", None) else str(value)


def _item(field: FormField | FormDefinition, item: Any, person: Callable[[str], str]) -> str:
    if not isinstance(item, Mapping):
        return display_value(None, item, person)
    subfields = {f.name: f for f in field.fields}
    return ", ".join(
        f"{subfields[k].label if k in subfields else k}: {display_value(subfields.get(k), v, person)}"
        for k, v in item.items()
        if v not in (None, "")
    )


def _moment(text: str) -> str:
    """An ISO date or instant in German notation (Berlin time); other text unchanged."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text).strftime("%d.%m.%Y")
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return moment.strftime("%d.%m.%Y, %H:%M Uhr")
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")
