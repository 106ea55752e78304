"""A step whose process expression overruns its limits (issue 13, finding 1), on SQLite and
PostgreSQL: the completion is refused with 422 problem+json and changes nothing but the audited
refusal; a timer whose following steps overrun is escalated, and the scheduler goes on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.processes.bundles import load_bundle_dir
from tests.support.power_bundle import HUGE, power_bundle


@pytest.fixture
def power_case(api, world, child, tmp_path):
    """A case of the power bundle, opened by kita_fk: (case id, its open task id)."""
    world.engine.deploy(load_bundle_dir(power_bundle(tmp_path / "power")), deployed_by="tests")
    opened = api.call("POST", "/cases", json={"process": "minimal", "child": child})
    assert opened.status_code == 201, opened.get_data(as_text=True)
    case = opened.get_json()
    return case["id"], case["open_tasks"][0]["id"]


def _audit_types(engine, reference):
    """What the case's audit trail recorded, without the reads of the test itself."""
    with engine.work() as (uow, _work):
        events = engine.vault.read(uow.session.connection(), case_ref=reference)
        return [e.type for e in events if e.type != "case.read"]


def test_a_completion_whose_condition_overruns_is_422_and_changes_nothing(api, world, power_case):
    case_id, task_id = power_case
    before = api.call("GET", f"/cases/{case_id}").get_json()
    refused = api.call("POST", f"/tasks/{task_id}/complete", json={"akute_gefahr": True, "anzahl": HUGE})
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["title"] == "Rechengrenze überschritten"
    assert body["detail"].startswith("Der Schritt wurde abgelehnt, es wurde nichts gespeichert: Ein Ausdruck")
    assert "„Akute Gefahr?“" in body["detail"] and "die Potenz ergäbe" in body["detail"]
    after = api.call("GET", f"/cases/{case_id}").get_json()
    assert after == before  # same open task, no history, same status
    assert _audit_types(world.engine, after["reference"])[-1] == "task.rejected"
    done = api.call("POST", f"/tasks/{task_id}/complete", json={"akute_gefahr": True, "anzahl": 3})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["status"] == "abgeschlossen"


def test_a_timer_whose_step_overruns_is_escalated_and_fires_once(api, world, clock, power_case):
    case_id, task_id = power_case
    waiting = api.call(
        "POST", f"/tasks/{task_id}/complete", json={"akute_gefahr": False, "anzahl": HUGE, "datum": "2026-03-10"}
    )
    assert waiting.status_code == 200, waiting.get_data(as_text=True)
    later = clock.now() + timedelta(days=30)
    fired = world.engine.run_due(later)
    assert [line.split(": ", 1)[1] for line in fired] == ["timer refused (limit exceeded), escalated"]
    assert world.engine.run_due(later) == []  # not retried at every wake-up
    case = api.call("GET", f"/cases/{case_id}", user="kita_leitung").get_json()
    assert case["status"] == "offen"
    [escalation] = case["open_tasks"]
    assert escalation["title"].startswith("Zeitgesteuerter Schritt abgelehnt (Rechengrenze) – klären")
    assert _audit_types(world.engine, case["reference"])[-1] == "deadline.escalated"
