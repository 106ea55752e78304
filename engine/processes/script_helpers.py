"""The approved helpers that BPMN expressions may call — and nothing else.

SpiffWorkflow evaluates gateway conditions, timer expressions and message payloads with plain
`eval` on the task data: not a sandbox (spiffworkflow-notes.md §3). Deployment therefore rejects any
script that calls a function not listed in `APPROVED_HELPERS` (engine/validation.py), and the script
engine only offers these names plus a few harmless builtins.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

#: Local time of day at which a review date becomes due: the start of a working day.
REVIEW_TIME = time(8, 0)


def ueberpruefung_faellig(datum: str) -> str:
    """Due instant of a Schutzplan review date: 08:00 Europe/Berlin on that day, as ISO with offset.

    SpiffWorkflow reads a naive timeDate in the server's zone with an offset fixed at import time
    (DST-unsafe), so the expression must always yield an aware instant.
    """
    day = date.fromisoformat(str(datum))
    return datetime.combine(day, REVIEW_TIME, tzinfo=BERLIN).isoformat()


APPROVED_HELPERS: dict[str, Callable[..., Any]] = {
    "ueberpruefung_faellig": ueberpruefung_faellig,
}

#: Builtins an expression may use: pure functions on values, nothing that reaches the system.
SAFE_BUILTINS: dict[str, Any] = {
    name: getattr(builtins, name)
    for name in (
        "len",
        "min",
        "max",
        "any",
        "all",
        "sorted",
        "sum",
        "abs",
        "bool",
        "int",
        "str",
        "list",
        "dict",
        "set",
        "tuple",
        "True",
        "False",
        "None",
    )
}
