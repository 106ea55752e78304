"""Form-field options a deployed version predates, from `bpmn/manifest_defaults.json` (entry `felder`).

A deployed version's bytes never change: its SHA-256 identifies it, and an installation that has it
deployed refuses changed bytes under the same version (docs/bundles.md). What was learnt later about its
forms — that the date of an observation cannot lie in the future, a help text that says what really
starts a Frist — reaches such a version from the one data file that already completes its manifest,
keyed `<key>/<version>`:

    "felder": {"<task>": {"<field>": {"nicht_in_zukunft": true, "help": "…", "zweck": "…"}}}

Only options that change neither the shape of the stored values nor the route of a case may be added
(`AMENDABLE`), so running cases carry on: a step still open merely refuses an impossible date from now
on. `auswahl` (a list of options) turns a `text` field that the process prefills with a code into a
choice among those codes: the stored value stays the same string, but people read the option's label
instead of the code (jugendamt_8a v1's Ergebnis showed `keine_gewichtigen_anhaltspunkte`). The amended
form passes the same deploy-time check as any form (`engine.forms.check_definition`); a new version
writes the options into its own forms, and the file never applies to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import DefinitionInvalid
from engine.processes.manifest import shipped_defaults

ENTRY = "felder"
#: What an immutable version's fields may get: a plausibility rule, the explanation shown with it, the
#: purpose of the data item (R31), which every deployed field must state, and the labelled codes of a
#: coded text field (`auswahl`).
AMENDABLE = frozenset({"nicht_in_zukunft", "help", "zweck", "auswahl"})

#: task → field → option → value
Amendments = Mapping[str, Mapping[str, Mapping[str, Any]]]


def amended_form(key: str, version: int, raw: object) -> object:
    """The raw form definition with the shipped amendments of its task (a copy; `raw` stays as it is).

    A malformed `felder` entry for this version → DefinitionInvalid (the shipped file is broken).
    """
    amendments = _amendments(key, version)
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list):
        return raw
    by_field = amendments.get(str(raw.get("task")), {})
    if not by_field:
        return raw
    return {
        **raw,
        "fields": [
            _amended_field(field, by_field.get(str(field.get("name")), {})) if isinstance(field, dict) else field
            for field in raw["fields"]
        ],
    }


def _amended_field(field: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """The field with its amendments; `auswahl` makes a coded `text` field an `enum` of those options."""
    amended = {**field, **options}
    choices = amended.pop("auswahl", None)
    if choices is None:
        return amended
    if field.get("type") != "text":
        raise DefinitionInvalid(
            [f"manifest_defaults.json: '{field.get('name')}': 'auswahl' applies to a text field only"]
        )
    return {**amended, "type": "enum", "options": choices}


def amendment_problems(key: str, version: int, fields_by_task: Mapping[str, set[str] | None]) -> list[str]:
    """The version's `felder` entry: of the documented shape, naming tasks with a form (`fields_by_task`:
    task → its field names, None where the form could not be read) and fields of those forms."""
    where = f"manifest_defaults.json: {key}/{version}: '{ENTRY}'"
    try:
        amendments = _amendments(key, version)
    except DefinitionInvalid as exc:
        return exc.problems
    problems = []
    for task, by_field in amendments.items():
        if task not in fields_by_task:
            problems.append(f"{where}: '{task}' is not a user task with a form in this bundle")
            continue
        names = fields_by_task[task]
        if names is not None:
            problems += [f"{where}: '{task}': unknown field '{name}'" for name in by_field if name not in names]
    return problems


def _amendments(key: str, version: int) -> Amendments:
    """The `felder` entry of one version, checked for its shape (it is data, shipped beside the code)."""
    raw = shipped_defaults(key, version).get(ENTRY, {})
    where = f"manifest_defaults.json: {key}/{version}: '{ENTRY}'"
    if not isinstance(raw, Mapping) or not all(isinstance(rule, Mapping) for rule in raw.values()):
        raise DefinitionInvalid([f"{where} must be an object: task → {{field → {{option: value}}}}"])
    problems = []
    for task, by_field in raw.items():
        for name, options in by_field.items():
            if not isinstance(options, Mapping) or not options:
                problems.append(f"{where}: '{task}'/'{name}' must be a non-empty object of options")
            elif unknown := sorted(set(options) - AMENDABLE, key=str):
                problems.append(
                    f"{where}: '{task}'/'{name}': {', '.join(map(repr, unknown))} cannot be added to a deployed"
                    f" version (only {', '.join(sorted(AMENDABLE))})"
                )
    if problems:
        raise DefinitionInvalid(problems)
    return raw
