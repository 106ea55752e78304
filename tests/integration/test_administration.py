"""Comparing two versions of a process lists added, removed and changed steps (what a reviewer
checks before a deployment)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.errors import NotFound
from engine.processes.bundles import load_bundle_dir
from engine.processes.comparison import compare_versions
from engine.processes.form_defaults import amended_form

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


@pytest.mark.shipped_up_to(1)  # it deploys a version 2 of its own
def test_compare_versions_names_what_changed(case_engine, tmp_path):
    v2 = tmp_path / "traeger_8a" / "2"
    shutil.copytree(BPMN / "traeger_8a" / "1", v2)
    manifest = json.loads((v2 / "manifest.json").read_text())
    manifest["version"] = 2
    (v2 / "manifest.json").write_text(json.dumps(manifest))
    for form in (v2 / "forms").glob("*.json"):  # what v1 gets from manifest_defaults, v2 states itself
        form.write_text(json.dumps(amended_form("traeger_8a", 1, json.loads(form.read_text())), ensure_ascii=False))
    bpmn = v2 / "traeger_8a.bpmn"
    bpmn.write_text(bpmn.read_text().replace('value="leitung_informieren" />', 'value="ersteinschaetzung" />', 1))
    case_engine.deploy(load_bundle_dir(v2), deployed_by="test")
    with case_engine.reading() as uow:
        diff = compare_versions(uow.session, case_engine.catalog, "traeger_8a", 1, 2)
        with pytest.raises(NotFound):
            compare_versions(uow.session, case_engine.catalog, "traeger_8a", 1, 9)
    assert diff["added"] == [] and diff["removed"] == []
    [change] = diff["changed"]
    assert change["task"] == "leitung_informieren"
    assert change["differences"] == [
        {"aspect": "Frist", "vorher": "leitung_informieren", "nachher": "ersteinschaetzung"}
    ]
