"""Forms the engine brings itself (not part of a process version), in bpmn/builtin/forms/:
`frist_klaeren` (the task a missed Frist opens), `kind` (the child's data when a case is opened),
`kind_anschrift` (the child's address, stored as the object `anschrift` of the child's data) and
`abgabe` (the Übergabevermerk of a transfer to another Jugendamt); and, made of `kind` and
`kind_anschrift`, the entry of a `kinder` field (`sibling_form`)."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache

from engine.forms.definition import FormDefinition, FormField, parse_definition
from engine.shipped import BPMN_ROOT

BUILTIN = BPMN_ROOT / "builtin" / "forms"


def _builtin(task: str) -> FormDefinition:
    return parse_definition(json.loads((BUILTIN / f"{task}.json").read_text(encoding="utf-8")))


@cache
def escalation_form() -> FormDefinition:
    return _builtin("frist_klaeren")


@cache
def child_form() -> FormDefinition:
    return _builtin("kind")


@cache
def child_address_form() -> FormDefinition:
    return _builtin("kind_anschrift")


@cache
def transfer_form() -> FormDefinition:
    """What the sending Fachkraft writes when handing a case to another Jugendamt (R37)."""
    return _builtin("abgabe")


#: The child's fields a sibling's entry may leave empty: the household's, taken from the case's child.
HOUSEHOLD_FIELDS = ("wohnort_gemeinde", "anschrift")
#: The child's fields an entry does not carry: the sibling's Sorgeberechtigte are entered on its own case
#: ("Angaben zum Kind ergänzen"), not guessed from the case the entry is made in.
_NOT_IN_ENTRY = ("sorgeberechtigte",)


@cache
def sibling_form() -> FormDefinition:
    """One entry of a `kinder` field (engine/cases/siblings.py): the child's fields of a case opening —
    the same labels, help, purposes and checks — with the address as the object `anschrift` (as the
    child's data stores it) and the household's fields optional (empty: those of the case's child)."""
    child = child_form()
    address = FormField(
        "anschrift",
        "Anschrift des Kindes",
        "object",
        help="Leer lassen, wenn das Kind bei dem Kind dieses Falls wohnt: Dann gilt dessen Anschrift.",
        zweck=child_address_form().fields[0].zweck,
        fields=child_address_form().fields,
    )
    own = tuple(
        replace(f, required=False, help=_HOUSEHOLD_HELP) if f.name in HOUSEHOLD_FIELDS else f
        for f in child.fields
        if f.name not in _NOT_IN_ENTRY
    )
    return replace(child, task="kinder_eintrag", fields=(*own, address))


_HOUSEHOLD_HELP = (
    "Leer lassen, wenn das Kind in derselben Gemeinde wohnt wie das Kind dieses Falls: Dann gilt dessen Wohnort."
    " Der Fall wird in jedem Fall beim Jugendamt dieses Falls angelegt (ein Haushalt, § 86 SGB VIII)."
)
