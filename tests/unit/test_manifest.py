"""The typed manifest: parsed from a validated manifest.json, completed by the shipped defaults of
versions that predate an entry; the `ampel` entry's shape is checked at deploy time."""

from __future__ import annotations

import json

import pytest

from engine.errors import DefinitionInvalid
from engine.processes.bundles import bundle_from_files, load_bundle_dir
from engine.processes.manifest import Ampel, Manifest
from engine.processes.validation.bundle import validate_bundle
from engine.shipped import BPMN_ROOT

RAW = {
    "format": 1,
    "key": "demo",
    "version": 3,
    "title": "Demo",
    "bpmn": ["demo.bpmn"],
    "organisation_kinds": ["traeger"],
    "starter_roles": ["fachkraft", "leitung"],
    "lanes": {"fachkraft": ["fachkraft", "leitung"], "leitung": ["leitung"]},
}


def test_parse_gives_typed_values_with_defaults_for_optional_entries() -> None:
    manifest = Manifest.parse(RAW)
    assert (manifest.key, manifest.version, manifest.bpmn, manifest.dmn) == ("demo", 3, ("demo.bpmn",), ())
    assert manifest.starter_roles == frozenset({"fachkraft", "leitung"})
    assert manifest.started_by_messages == () and manifest.ampel is None
    assert manifest.lane_roles("leitung") == frozenset({"leitung"}) and manifest.lane_roles("x") == frozenset()


def test_a_declared_ampel_is_read() -> None:
    manifest = Manifest.parse({**RAW, "ampel": {"field": "stufe", "confirmed_by": "pruefen"}})
    assert manifest.ampel == Ampel("stufe", "pruefen")
    assert Manifest.parse({**RAW, "ampel": {"field": "stufe"}}).ampel == Ampel("stufe", None)


def test_shipped_v1_gets_its_ampel_from_the_defaults_file_and_its_bytes_stay() -> None:
    bundle = load_bundle_dir(BPMN_ROOT / "jugendamt_8a" / "1")
    assert "ampel" not in bundle.manifest  # deployed bytes (and hash) unchanged
    assert Manifest.parse(bundle.manifest).ampel == Ampel("dringlichkeit", "ersteinschaetzung_bestaetigen")
    assert Manifest.parse({**bundle.manifest, "version": 2}).ampel is None  # a new version declares it
    assert Manifest.parse(load_bundle_dir(BPMN_ROOT / "traeger_8a" / "1").manifest).ampel is None


@pytest.mark.parametrize("broken", [{"bpmn": 3}, {"lanes": []}, {"ampel": {"feld": "x"}}])
def test_a_manifest_not_of_the_validated_shape_is_refused(broken: dict) -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        Manifest.parse({**RAW, **broken})
    assert caught.value.problems[0].startswith("manifest.json: ")


@pytest.mark.parametrize(
    "ampel", ["dringlichkeit", {"field": ""}, {"field": "x", "confirmed_by": 1}, {"field": "x", "y": 1}]
)
def test_deploy_validation_reports_a_malformed_ampel(ampel: object) -> None:
    folder = BPMN_ROOT / "traeger_8a" / "1"
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    files["manifest.json"] = json.dumps({**json.loads(files["manifest.json"]), "ampel": ampel}).encode()
    assert validate_bundle(bundle_from_files(files)) == [
        "manifest.json: 'ampel' must be an object with a 'field' name and optionally a 'confirmed_by' task id"
    ]
