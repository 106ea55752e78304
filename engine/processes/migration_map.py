"""`migration.json` of a bundle version: how running cases of an older version move onto this one.

```json
{"format": 1, "from_version": 1,
 "tasks": {"bewerten": "einschaetzen", "abschliessen": "abschliessen"},
 "defaults": {"dringend": false}}
```
`tasks` maps the flow nodes a case of `from_version` can stand at (user tasks, catch events) to the
node of this version where it goes on; a node left out has no successor, and a case standing there
stays on its version. `defaults` gives the value of a field this version requires earlier on (a case
that passed that step on the old version never filled it in): it is set where the case's data lacks it.

Checked at deploy — the shape and this version's side here (`migration_problems`, with the rest of
`validate_bundle`), the source version's side by the catalog, which holds the deployed versions
(`source_problems`): a mapping that names a task which does not exist would only show up when an
administrator migrates, case by case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from engine.forms import FormDefinition
from engine.forms.definition import FormField
from engine.forms.validation import check_submission
from engine.processes.bundles import Bundle, parse_json

MIGRATION = "migration.json"
FORMAT = 1
_KEYS = frozenset({"format", "from_version", "tasks", "defaults"})


@dataclass(frozen=True)
class MigrationMap:
    """A checked `migration.json` (build it with `read_migration` after validation passed)."""

    from_version: int
    tasks: Mapping[str, str]
    defaults: Mapping[str, Any]


def read_migration(bundle: Bundle) -> MigrationMap | None:
    """The bundle's migration map; None if it carries none. Assumes a validated bundle."""
    if MIGRATION not in bundle.files:
        return None
    raw, _problem = parse_json(MIGRATION, bundle.files[MIGRATION])
    assert isinstance(raw, dict), "read_migration on an unvalidated bundle"
    return MigrationMap(
        from_version=raw["from_version"],
        tasks=MappingProxyType(dict(raw["tasks"])),
        defaults=MappingProxyType(dict(raw.get("defaults", {}))),
    )


def migration_problems(bundle: Bundle, positions: Iterable[str], form_fields: Mapping[str, FormField]) -> list[str]:
    """Every problem of the bundle's `migration.json` on this version's side: its shape, each target a
    node a case can stand at (`positions`: user tasks and catch events), each default a field of one of
    this version's forms (`form_fields` by name) with a value that field accepts."""
    if MIGRATION not in bundle.files:
        return []
    raw, problem = parse_json(MIGRATION, bundle.files[MIGRATION])
    if problem is not None:
        return [problem]
    if not isinstance(raw, dict):
        return [f"{MIGRATION}: must be a JSON object"]
    problems = [f"{MIGRATION}: unknown key '{k}'" for k in sorted(set(raw) - _KEYS)]
    if raw.get("format") != FORMAT or isinstance(raw.get("format"), bool):
        problems.append(f"{MIGRATION}: 'format' must be {FORMAT}")
    source = raw.get("from_version")
    if isinstance(source, bool) or not isinstance(source, int) or not 1 <= source < bundle.version:
        problems.append(
            f"{MIGRATION}: 'from_version' must be an earlier version of {bundle.key} (1 … {bundle.version - 1})"
        )
    tasks = raw.get("tasks")
    known = set(positions)
    if not isinstance(tasks, dict) or not tasks or not all(isinstance(v, str) for v in tasks.values()):
        problems.append(f"{MIGRATION}: 'tasks' must map task ids of the old version to task ids of this one")
    else:
        problems += [
            f"{MIGRATION}: task '{old}' is mapped to '{new}', "
            f"which is no user task or catch event of version {bundle.version}"
            for old, new in tasks.items()
            if new not in known
        ]
    defaults = raw.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.append(f"{MIGRATION}: 'defaults' must map field names to values")
    else:
        problems += [p for name, value in defaults.items() for p in _default_problems(name, value, form_fields)]
    return problems


def _default_problems(name: str, value: object, form_fields: Mapping[str, FormField]) -> list[str]:
    field = form_fields.get(name)
    if field is None:
        return [f"{MIGRATION}: default '{name}' is no field of this version's forms"]
    # The value must pass the field's own check, as if a person had entered it (a rule about the
    # entry's moment, "not in the future", does not apply to a value fixed in the bundle).
    alone = dataclasses.replace(field, required=True, required_if=None, nicht_in_zukunft=False, max_frist=None)
    _clean, errors = check_submission(FormDefinition("migration", "", "", (alone,)), {name: value})
    return [f"{MIGRATION}: default '{name}': {message}" for messages in errors.values() for message in messages]


def source_problems(mapping: MigrationMap, key: str, source_positions: Iterable[str] | None) -> list[str]:
    """The source version's side: it is deployed (`source_positions` None: it is not) and every mapped
    task id is a node a case of it can stand at."""
    if source_positions is None:
        return [f"{MIGRATION}: 'from_version' {mapping.from_version} of {key} is not deployed"]
    known = set(source_positions)
    return [
        f"{MIGRATION}: task '{old}' is no user task or catch event of version {mapping.from_version}"
        for old in mapping.tasks
        if old not in known
    ]
