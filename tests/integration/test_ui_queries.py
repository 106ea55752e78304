"""Engine queries behind the UI pages: what a user may start, the stepper/diagram data of a case,
the auditor's metadata view — each checked against the actor."""

from __future__ import annotations

import pytest

from engine.errors import NotAllowed, NotFound


def test_startable_processes_follow_role_and_organisation_kind(world):
    engine = world.engine
    assert [p["key"] for p in engine.startable_processes(world["kita_fk"])] == ["melder", "traeger_8a"]  # + test bundle
    assert [p["key"] for p in engine.startable_processes(world["lehrerin"])] == ["kkg4"]
    assert engine.startable_processes(world["insofa_kleve"]) == []
    assert "Goch" in engine.municipalities() and "Dülmen" in engine.municipalities()


def test_case_map_has_stepper_and_diagram_but_no_content(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    data = engine.case_map(world["kita_fk"], case["id"])
    assert data["current"] == ["anhaltspunkte_dokumentieren"] and data["done"] == []
    assert data["steps"][0] == {
        "task": "anhaltspunkte_dokumentieren",
        "title": "Gewichtige Anhaltspunkte dokumentieren",
        "lane": "fachkraft",
        "state": "aktuell",
    }
    assert data["bpmn"].startswith(b"<?xml")
    assert child["nachname"] not in str(data)
    with pytest.raises(NotFound):
        engine.case_map(world["dueren_fk"], case["id"])


def test_auditor_metadata_stays_in_scope(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    events = engine.audit_events(world["kita_revision"], case_reference=case["reference"])
    assert [e["type"] for e in events] == ["case.created"] and "payload" not in events[0]
    assert engine.audit_events(world["dueren_revision"], case_reference=case["reference"]) == []
    with pytest.raises(NotAllowed):
        engine.audit_events(world["kita_fk"])
