"""Forms of tasks the engine opens itself (not part of a process version): `frist_klaeren`."""

from __future__ import annotations

import json
from functools import cache

from engine.forms import FormDefinition, parse_definition
from engine.shipped import BPMN_ROOT

BUILTIN = BPMN_ROOT / "builtin" / "forms"


@cache
def escalation_form() -> FormDefinition:
    return parse_definition(json.loads((BUILTIN / "frist_klaeren.json").read_text(encoding="utf-8")))
