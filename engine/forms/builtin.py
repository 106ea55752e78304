"""Forms the engine brings itself (not part of a process version), in bpmn/builtin/forms/:
`frist_klaeren` (the task a missed Frist opens), `kind` (the child's data when a case is opened),
`kind_anschrift` (the child's address, stored as the object `anschrift` of the child's data) and
`abgabe` (the Übergabevermerk of a transfer to another Jugendamt)."""

from __future__ import annotations

import json
from functools import cache

from engine.forms import FormDefinition, parse_definition
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
