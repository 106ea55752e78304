"""What operators see of a node: the probes, /metrics (deny by default, no personal data in any
label) and the JSON request log (no names, case references or form values in any line)."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command

from engine.bootstrap import build_engine
from engine.persistence.migrate import alembic_config
from tests.support.cases import open_task
from web import create_app
from web.config import load_settings
from web.operations.request_log import JsonLines

METRICS_TOKEN = "metrics-token-for-tests"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


@pytest.fixture
def scraper(world, tmp_path: Path):
    """A test client of an app that lets the token and the network 10.1.2.0/24 scrape /metrics."""
    settings = load_settings(
        {
            "SCHUTZPFAD_INSTANCE": str(tmp_path / "ops-instance"),
            "SCHUTZPFAD_SECRET_KEY": "test",
            "SCHUTZPFAD_METRICS_TOKEN": METRICS_TOKEN,
            "SCHUTZPFAD_METRICS_FROM": "10.1.2.0/24",
        }
    )
    return create_app(settings, case_engine=world.engine).test_client()


def test_healthz_answers_and_readyz_names_a_missing_scheduler(ui, world):
    assert ui.get("/healthz").json == {"status": "ok"}
    not_ready = ui.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json["failing"] == ["scheduler"]
    assert not_ready.json["checks"]["database"] == "ok" and not_ready.json["checks"]["keys"] == "ok"

    world.engine.record_heartbeat("worker-1:42")  # what every tick of the scheduler writes
    ready = ui.get("/readyz")
    assert ready.status_code == 200 and ready.json["failing"] == []

    world.engine.clock.advance(timedelta(minutes=5))  # the scheduler stopped beating
    stale = ui.get("/readyz")
    assert stale.status_code == 503 and "vor 300 s" in stale.json["checks"]["scheduler"]


def test_readyz_names_key_material_that_does_not_fit_and_a_schema_behind(ui, world, database_url, tmp_path):
    world.engine.record_heartbeat("worker-1:42")
    stranger = build_engine(database_url, world.engine.clock, tmp_path / "other-instance", create_keys=True)
    try:
        checks = stranger.readiness()  # a node whose instance folder holds another installation's keys
    finally:
        stranger.db.dispose()
    assert [name for name, result in checks.items() if result != "ok"] == ["keys"]

    command.downgrade(alembic_config(world.engine.db), "-1")  # a release newer than the database
    behind = ui.get("/readyz")
    assert behind.status_code == 503 and behind.json["failing"] == ["scheduler", "schema"]
    assert "schutzpfad init" in behind.json["checks"]["schema"]


def test_metrics_are_refused_without_the_token_or_an_allowed_address(ui, scraper):
    assert ui.get("/metrics").status_code == 403  # nothing configured: nobody
    assert scraper.get("/metrics").status_code == 403  # 127.0.0.1 is not in 10.1.2.0/24
    assert scraper.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert scraper.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200
    assert scraper.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.7"}).status_code == 200


def test_metrics_count_steps_and_deadlines_by_process_without_case_references(scraper, world, child):
    opened = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    task = open_task(world, "kita_fk", opened.case_id, "anhaltspunkte_dokumentieren")
    world.engine.complete_task(
        world["kita_fk"],
        task["id"],
        {
            "beobachtungen": "Kind weint oft.",
            "beobachtet_am": "2026-03-02T08:15:00+01:00",
            "quelle": "eigene_beobachtung",
            "akute_gefahr": False,
        },
    )
    scraper.get(f"/faelle/{opened.case_id}")  # one request with an id in its path
    world.engine.clock.advance(timedelta(days=30))  # the Leitung's step is now overdue
    body = scraper.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).get_data(as_text=True)

    assert 'schutzpfad_steps_completed_total{process="traeger_8a"} 1.0' in body
    assert re.search(r"^schutzpfad_deadlines_overdue [1-9]", body, re.M), body
    assert re.search(r"^schutzpfad_scheduler_lag_seconds [1-9]", body, re.M)  # nothing fired them
    assert "schutzpfad_outbox_backlog 0.0" in body
    assert 'route="/faelle/<int:case_id>"' in body
    case = world.engine.case(world["kita_fk"], opened.case_id)
    for secret in (case["reference"], str(child["vorname"]), str(child["nachname"]), f'/faelle/{opened.case_id}"'):
        assert secret not in body


def test_one_json_line_per_request_without_names_references_or_form_values(ui, world, caplog):
    marker_first, marker_last, marker_text = "Zqxvorname", "Zqxnachname", "Zqxbeobachtung"
    ui.login("kita_fk")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        created = ui.post_form(
            "/faelle/neu/traeger_8a",
            {
                "vorname": marker_first,
                "nachname": marker_last,
                "geburtsdatum": "17.05.2020",
                "wohnort_gemeinde": "goch",
            },
            token_from="/faelle/neu/traeger_8a",
        )
        step_url = created.headers["Location"]
        done = ui.post_form(
            step_url,
            {
                "beobachtungen": marker_text,
                "beobachtet_am": "2026-03-02T08:15",
                "quelle": "eigene_beobachtung",
                "akute_gefahr": "false",
            },
            token_from=step_url,
        )
        assert done.status_code == 302
    [case] = world.engine.cases(world["kita_fk"]).rows

    formatter = JsonLines()
    lines = [formatter.format(record) for record in caplog.records]
    requests = [json.loads(line) for line in lines if '"message": "request"' in line]
    assert [(r["method"], r["route"], r["status"]) for r in requests] == [
        ("GET", "/faelle/neu/<process_key>", 200),
        ("POST", "/faelle/neu/<process_key>", 302),
        ("GET", "/faelle/<int:case_id>/schritte/<task_id>", 200),
        ("POST", "/faelle/<int:case_id>/schritte/<task_id>", 302),
    ]
    assert {r["user_id"] for r in requests} == {world["kita_fk"].user_id}
    assert all(re.fullmatch(r"[0-9a-f]{32}", r["request_id"]) and r["duration_ms"] >= 0 for r in requests)
    logged = "\n".join(lines)
    for secret in (marker_first, marker_last, marker_text, case["reference"], "kita_fk", world["kita_fk"].display_name):
        assert secret not in logged


def test_the_request_id_is_in_the_response_header_and_a_proxys_id_is_kept(ui):
    generated = ui.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert ui.get("/healthz", headers={"X-Request-Id": "proxy-id-1234"}).headers["X-Request-Id"] == "proxy-id-1234"
    smuggled = ui.get("/healthz", headers={"X-Request-Id": "Mia Beispielkind"}).headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", smuggled)
