"""The coded facts a completed step leaves beside its sealed values, for the network's indicators.

The indicators (R34) must be computed without decrypting any case, yet two of them count what a
form recorded: why a participation did not take place and which kind of reporter a Meldung came
from. So a step whose form has one of these fields keeps that field's option value — a code of a
closed list, never free text, a name or a date — unsealed in `task_history.kennzahlen`. A code on
its own says nothing about a child; the pages show it only as counts of at least five.
"""

from __future__ import annotations

import json
from typing import Any

from engine.forms.definition import FormDefinition

#: The participation step's reason field (jugendamt_8a `beteiligung`, traeger_8a `beteiligung_familie`).
PARTICIPATION_FIELD = "grund_keine_beteiligung"
#: The Jugendamt's Eingang: the § 99 category of whoever reported.
REPORTER_FIELD = "meldende_stelle"
#: Key of the participation fact; its value is the reason code, or `INVOLVED` when nobody was left out.
PARTICIPATION = "beteiligung"
INVOLVED = "beteiligt"


def step_codes(form: FormDefinition, clean: dict[str, Any]) -> str | None:
    """The JSON of the facts this step's form records, None if it records none."""
    codes: dict[str, str] = {}
    if _is_choice(form, PARTICIPATION_FIELD):
        codes[PARTICIPATION] = clean.get(PARTICIPATION_FIELD) or INVOLVED
    if _is_choice(form, REPORTER_FIELD) and clean.get(REPORTER_FIELD):
        codes[REPORTER_FIELD] = clean[REPORTER_FIELD]
    return json.dumps(codes, sort_keys=True) if codes else None


def read_codes(raw: str | None) -> dict[str, str]:
    return json.loads(raw) if raw else {}


def _is_choice(form: FormDefinition, name: str) -> bool:
    """Only a field with a closed list of options: its value is one of them (validated on completion)."""
    field = form.field(name)
    return field is not None and field.type == "enum"
