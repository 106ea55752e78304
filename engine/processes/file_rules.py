"""What the case file shows whom, and what each step rests on — declared per process version.

Two optional manifest entries (docs/bundles.md):
- `sichtbarkeit`: per user task, which *further* audience sees which of its fields. The case's own
  organisation (`fall`: its case workers) always sees its own documentation; every other audience
  sees nothing unless a task names it here (deny by default). The one other audience today is
  `beratung`: the network's pool member who advises on the case (the insoweit erfahrene Fachkraft,
  § 8a Abs. 4 SGB VIII), who never sees identifying data (§ 64 Abs. 2a SGB VIII) — so only fields a
  version declares for the consultation reach them. `"*"` means every field of the task's form.
- `grundlage`: per user task, the earlier tasks whose entries its page shows above the form (default:
  every earlier entry the person may see). A task paired for the Mehraugenprinzip (`vier_augen`)
  always shows the paired tasks' entries in full.
- `schwaerzung`: per user task, the fields blacked out in an Akte for the parents' inspection
  (`Akteneinsicht`): data that identifies the reporter or concerns third parties (§ 65 SGB VIII,
  § 25 Abs. 3 SGB X). The Meldebogen's reporter (organisation, contact person, their case) is
  blacked out by the engine whatever a version declares (engine/cases/redaction.py).
Versions deployed before these entries existed get them from `bpmn/manifest_defaults.json`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

#: The case's own organisation (always) and the advising pool member (only where declared).
OWN, CONSULTATION = "fall", "beratung"
AUDIENCES = (OWN, CONSULTATION)
ALL_FIELDS = "*"

#: task → audience → the visible field names (None: every field)
Visibility = Mapping[str, Mapping[str, frozenset[str] | None]]


def parse_visibility(raw: Mapping[str, Any]) -> Visibility:
    return MappingProxyType(
        {
            task: MappingProxyType(
                {audience: None if fields == ALL_FIELDS else frozenset(fields) for audience, fields in rule.items()}
            )
            for task, rule in raw.items()
        }
    )


def parse_basis(raw: Mapping[str, Any]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({task: tuple(tasks) for task, tasks in raw.items()})


def parse_redaction(raw: Mapping[str, Any]) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({task: frozenset(fields) for task, fields in raw.items()})


def visibility_problems(value: object, tasks: set[str], fields: set[str] | None) -> list[str]:
    """The shape of `sichtbarkeit` and that it names user tasks, audiences and form fields that exist."""
    where = "manifest.json: 'sichtbarkeit'"
    if not isinstance(value, Mapping):
        return [f'{where} must be an object: task id → {{audience → list of fields or "*"}}']
    problems = []
    for task, rule in value.items():
        if task not in tasks:
            problems.append(f"{where}: '{task}' is not a user task of this bundle")
        if not isinstance(rule, Mapping):
            problems.append(f"{where}: the rule of '{task}' must be an object")
            continue
        for audience, names in rule.items():
            if audience not in AUDIENCES or audience == OWN:
                problems.append(
                    f"{where}: '{task}': unknown audience '{audience}' (the case's own organisation "
                    f"always sees its documentation; known further audiences: {CONSULTATION})"
                )
            if names == ALL_FIELDS:
                continue
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                problems.append(f"{where}: '{task}'/'{audience}' must be a list of field names or \"*\"")
            elif fields is not None:
                problems += [f"{where}: '{task}'/'{audience}': unknown field '{n}'" for n in names if n not in fields]
    return problems


def basis_problems(value: object, tasks: set[str]) -> list[str]:
    """The shape of `grundlage`: task id → list of task ids, all of them user tasks of the bundle."""
    where = "manifest.json: 'grundlage'"
    if not isinstance(value, Mapping):
        return [f"{where} must be an object: task id → list of earlier task ids"]
    problems = []
    for task, earlier in value.items():
        if task not in tasks:
            problems.append(f"{where}: '{task}' is not a user task of this bundle")
        if not isinstance(earlier, list) or not all(isinstance(t, str) for t in earlier):
            problems.append(f"{where}: the basis of '{task}' must be a list of task ids")
            continue
        problems += [f"{where}: '{task}': '{t}' is not a user task of this bundle" for t in earlier if t not in tasks]
    return problems


def redaction_problems(value: object, tasks: set[str], fields: set[str] | None) -> list[str]:
    """The shape of `schwaerzung`: task id → list of its form's field names to black out."""
    where = "manifest.json: 'schwaerzung'"
    if not isinstance(value, Mapping):
        return [f"{where} must be an object: task id → list of field names"]
    problems = []
    for task, names in value.items():
        if task not in tasks:
            problems.append(f"{where}: '{task}' is not a user task of this bundle")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(f"{where}: the fields of '{task}' must be a list of field names")
        elif fields is not None:
            problems += [f"{where}: '{task}': unknown field '{n}'" for n in names if n not in fields]
    return problems
