"""Process versions: immutable once deployed, a running case stays on its version, new cases get
the newest, the same bytes twice is a no-op (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.errors import DefinitionInvalid
from engine.processes.bundles import load_bundle_dir
from tests.conftest import FIXTURE_BUNDLES


def _melder_v2(tmp_path: Path) -> Path:
    """v2 of the test process: the first task is renamed (an observable difference)."""
    target = tmp_path / "melder" / "2"
    shutil.copytree(FIXTURE_BUNDLES / "melder" / "1", target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["version"] = 2
    (target / "manifest.json").write_text(json.dumps(manifest))
    bpmn = target / "melder.bpmn"
    bpmn.write_text(bpmn.read_text().replace('name="Frage stellen"', 'name="Frage formulieren"'))
    return target


def test_running_case_stays_on_its_version_new_cases_get_the_newest(world, child, tmp_path):
    engine = world.engine
    old = engine.open_case(world["kita_fk"], process_key="melder", child=child)
    result = engine.deploy(load_bundle_dir(_melder_v2(tmp_path)), deployed_by="test")
    assert result.created and result.definition.version == 2

    new = engine.open_case(world["kita_fk"], process_key="melder", child=child)
    versions = [engine.case(world["kita_fk"], c.case_id)["process"]["version"] for c in (old, new)]
    assert versions == [1, 2]
    assert engine.case(world["kita_fk"], old.case_id)["open_tasks"][0]["title"] == "Frage stellen"
    assert new.open_tasks[0].title == "Frage formulieren"
    # The old case still runs to its next step on version 1.
    engine.complete_task(world["kita_fk"], old.open_tasks[0].id, {"frage": "F"})
    after = engine.case(world["kita_fk"], old.case_id)
    assert after["process"]["version"] == 1 and after["history"][0]["title"] == "Frage stellen"


def test_same_bytes_twice_is_a_no_op_and_versions_are_immutable(world, tmp_path):
    engine = world.engine
    v1 = load_bundle_dir(FIXTURE_BUNDLES / "melder" / "1")
    again = engine.deploy(v1, deployed_by="test")
    assert not again.created
    changed = tmp_path / "melder" / "1"
    shutil.copytree(FIXTURE_BUNDLES / "melder" / "1", changed)
    (changed / "forms" / "fragen.json").write_text(
        (changed / "forms" / "fragen.json").read_text().replace("Was gefragt wird.", "Geändert.")
    )
    with pytest.raises(DefinitionInvalid) as refused:
        engine.deploy(load_bundle_dir(changed), deployed_by="test")
    assert "immutable" in refused.value.problems[0]
    assert [p["version"] for p in engine.processes() if p["key"] == "melder"] == [1]


def test_broken_bundle_is_refused_and_nothing_is_deployed(world, tmp_path):
    engine = world.engine
    target = _melder_v2(tmp_path)
    (target / "forms" / "fragen.json").unlink()
    with pytest.raises(DefinitionInvalid) as refused:
        engine.deploy(load_bundle_dir(target), deployed_by="test")
    assert any("forms/fragen.json" in p for p in refused.value.problems)
    assert [p["version"] for p in engine.processes() if p["key"] == "melder"] == [1]
