"""`migration.json` checked with the rest of a bundle (validate_bundle, no database): its shape, the
targets among this version's tasks, the defaults against the fields' types."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.processes.bundles import bundle_from_files, load_bundle_dir
from engine.processes.migration_map import MIGRATION, read_migration
from engine.processes.validation.bundle import validate_bundle
from tests.support.migration import BUNDLES

V2 = load_bundle_dir(BUNDLES / "2")


def _with(migration: object) -> list[str]:
    files = dict(V2.files)
    files[MIGRATION] = json.dumps(migration).encode()
    return validate_bundle(bundle_from_files(files))


def _valid(**changes: Any) -> dict[str, Any]:
    return {**json.loads(V2.files[MIGRATION]), **changes}


def test_the_fixture_map_is_valid_and_read_as_written():
    assert validate_bundle(V2) == []
    mapping = read_migration(V2)
    assert mapping is not None and mapping.from_version == 1
    assert dict(mapping.tasks)["bewerten"] == "einschaetzen" and dict(mapping.defaults) == {"dringend": False}
    assert read_migration(load_bundle_dir(BUNDLES / "1")) is None


@pytest.mark.parametrize(
    ("migration", "problem"),
    [
        ([], "must be a JSON object"),
        (_valid(format=2), "'format' must be 1"),
        (_valid(from_version=2), "'from_version' must be an earlier version"),
        (_valid(from_version=True), "'from_version' must be an earlier version"),
        (_valid(tasks={}), "'tasks' must map"),
        (_valid(tasks={"bewerten": 3}), "'tasks' must map"),
        (_valid(tasks={"bewerten": "bewerten"}), "'bewerten' is mapped to 'bewerten', which is no user task"),
        (_valid(defaults=[]), "'defaults' must map"),
        (_valid(defaults={"dringlich": False}), "default 'dringlich' is no field"),
        (_valid(defaults={"dringend": "ja"}), "default 'dringend': "),
        (_valid(extra=1), "unknown key 'extra'"),
    ],
)
def test_a_wrong_map_is_refused_naming_the_problem(migration, problem):
    problems = _with(migration)
    assert any(p.startswith(MIGRATION) and problem in p for p in problems), problems


def test_a_map_that_is_no_json_is_refused():
    files = {**V2.files, MIGRATION: b"{"}
    assert any(p.startswith(f"{MIGRATION}: not valid UTF-8 JSON") for p in validate_bundle(bundle_from_files(files)))
