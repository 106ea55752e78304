"""How urgent a case is, from what the engine already knows without decrypting anything at list time.

Two sources, in this order (issue 10, item 5):
- the triage Ampel (rot / gelb / gruen) once recorded (`cases.dringlichkeit`);
- before that, whether the case started with a Sofortmeldung (`cases.akut`): the Meldung that opened
  it carries `dringlichkeit_hinweis = "akut"` (the Träger's `sofortmeldung_jugendamt` step sends it,
  `engine/cases/messages.py` puts it into the case variable `meldung`).
Pure rules, no database: arming, the case state and the list queries share them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AKUT = "akut"
#: Sort order of the lists: the most urgent first, cases without any urgency last.
RANK = {AKUT: 0, "rot": 0, "gelb": 1, "gruen": 2}
UNRANKED = len(set(RANK.values()))

#: The intake steps that run on the profile key `akut` in a case started with a Sofortmeldung; a step
#: confirming one of them (its `vier_augen` names it: `ersteinschaetzung_bestaetigen`) does as well.
AKUT_TASKS = frozenset({"eingang_erfassen", "ersteinschaetzung"})
#: The Frist of a user task whose BPMN declares none: "unverzüglich" as the network defines it.
UNVERZUEGLICH = "unverzueglich"


def started_with_sofortmeldung(variables: Mapping[str, Any]) -> bool:
    """True when the Meldung that opened the case was a Sofortmeldung (`dringlichkeit_hinweis: akut`)."""
    meldung = variables.get("meldung")
    return isinstance(meldung, Mapping) and meldung.get("dringlichkeit_hinweis") == AKUT


def urgency(dringlichkeit: str | None, akut: bool) -> str | None:
    """The urgency a list shows: the Ampel once triaged, `akut` before that, else None."""
    if dringlichkeit in RANK:
        return dringlichkeit
    return AKUT if akut else None


def rank(value: str | None) -> int:
    return RANK.get(value or "", UNRANKED)


def runs_on_akut(task_key: str, properties: Mapping[str, str]) -> bool:
    """An intake step, or the confirmation paired with one (Mehraugenprinzip)."""
    paired = {p.strip() for p in properties.get("vier_augen", "").split(",")}
    return task_key in AKUT_TASKS or bool(paired & AKUT_TASKS)


def frist_key_of(task_key: str, properties: Mapping[str, str], *, akut: bool) -> str:
    """Which profile key a user task's deadline comes from (before `{field}` placeholders are filled):
    `akut` for the intake of a Sofortmeldung, else the BPMN's own `frist`, else `unverzueglich`."""
    if akut and runs_on_akut(task_key, properties):
        return AKUT
    return properties.get("frist") or UNVERZUEGLICH
