"""Forms of tasks the engine opens itself (not part of a process version): `frist_klaeren`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from engine.forms import FormDefinition, parse_definition

BUILTIN = Path(__file__).resolve().parent.parent / "bpmn" / "builtin" / "forms"


@cache
def escalation_form() -> FormDefinition:
    return parse_definition(json.loads((BUILTIN / "frist_klaeren.json").read_text(encoding="utf-8")))
