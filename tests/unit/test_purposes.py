"""R31 (DP-01): every data item a process collects states its purpose.

A deployed bundle's every form field carries a `zweck` (a short German sentence); a bundle with a field
without one is refused at deploy with a message naming the field. The shipped v1 bundles are immutable:
their fields get the purpose from `bpmn/manifest_defaults.json` (`felder`), their bytes stay as deployed.
The engine's own forms (the child's data) state it in their JSON. The API form carries it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.forms import check_definition, form_to_api, parse_definition
from engine.forms.builtin import child_address_form, child_form, escalation_form, transfer_form
from engine.processes import form_defaults
from engine.processes.bundles import bundle_from_files, load_bundle_dir
from engine.processes.catalog import _load_bundle
from engine.processes.validation.bundle import validate_bundle
from engine.shipped import BPMN_ROOT

MINIMAL = Path(__file__).resolve().parents[1] / "vectors" / "bundles" / "valid" / "minimal" / "1"
SHIPPED = ("traeger_8a", "kkg4", "jugendamt_8a", "kindertagespflege_8a")


def _minimal_with(change: Any) -> list[str]:
    files = dict(load_bundle_dir(MINIMAL).files)
    form = json.loads(files["forms/erfassen.json"])
    change(form["fields"][1])  # notiz
    files["forms/erfassen.json"] = json.dumps(form).encode()
    return validate_bundle(bundle_from_files(files))


@pytest.mark.parametrize("change", [lambda f: f.pop("zweck"), lambda f: f.update(zweck="  ")])
def test_a_bundle_with_a_field_without_purpose_is_refused_naming_the_field(change: Any) -> None:
    assert _minimal_with(change) == [
        "forms/erfassen.json: field 'notiz' states no purpose: give it a 'zweck', a short German sentence"
        " saying what the data item is collected for (R31, docs/bundles.md)"
    ]


def test_a_purpose_must_be_text() -> None:
    problems = check_definition(
        {
            "format": 1,
            "task": "t",
            "title": "T",
            "fields": [{"name": "a", "label": "A", "type": "text", "required": True, "zweck": ["x"]}],
        }
    )
    assert problems == ["field 'a': 'zweck' must be a string"]


@pytest.mark.parametrize("key", SHIPPED)
def test_every_field_of_the_shipped_versions_states_its_purpose_with_their_bytes_unchanged(key: str) -> None:
    bundle = load_bundle_dir(BPMN_ROOT / key / "1")
    assert validate_bundle(bundle) == []
    assert not any(b"zweck" in content for content in bundle.files.values())  # the deployed bytes
    for task in _load_bundle(1, bundle).user_tasks.values():
        for field in task.form.fields:
            assert field.zweck and field.zweck.strip().endswith("."), (key, task.key, field.name)


def test_a_v1_version_without_its_shipped_purposes_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = form_defaults.shipped_defaults

    def without_purposes(key: object, version: object) -> dict[str, Any]:
        defaults = dict(real(key, version))
        felder = {
            task: {name: {k: v for k, v in options.items() if k != "zweck"} for name, options in fields.items()}
            for task, fields in defaults.get("felder", {}).items()
        }
        defaults["felder"] = {t: {n: o for n, o in fields.items() if o} for t, fields in felder.items()}
        return defaults

    monkeypatch.setattr(form_defaults, "shipped_defaults", without_purposes)
    problems = validate_bundle(load_bundle_dir(BPMN_ROOT / "kkg4" / "1"))
    assert any(p.startswith("forms/abschluss.json: field 'abschlussvermerk' states no purpose") for p in problems)
    assert all("states no purpose" in p for p in problems) and len(problems) == 20  # every field of kkg4 v1


def test_the_engines_own_forms_state_their_purposes() -> None:
    for form in (child_form(), child_address_form(), escalation_form(), transfer_form()):
        assert all(field.zweck for field in form.fields), form.task


def test_the_api_form_carries_the_purpose() -> None:
    raw = json.loads((MINIMAL / "forms" / "erfassen.json").read_text(encoding="utf-8"))
    api = form_to_api(parse_definition(raw))
    assert [field["zweck"] for field in api["fields"]] == ["Zweck dieses Testfelds.", "Zweck dieses Testfelds."]
