"""Malformed input is refused with 4xx and problem+json, never a 500 (issue 13, finding 6): lone
surrogates, deep nesting, ids beyond the id columns, invalid UTF-8, bodies above the configured limit.

What is refused before the engine runs does not depend on the database: SQLite only (`ON_SQLITE`).
The ids do (PostgreSQL's `integer` ends at 2^31 − 1, SQLite's at 2^63 − 1): both."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_audit_trail import BEOBACHTUNG
from web import create_app
from web.config import load_settings

ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def _with_lone_surrogate(body: dict, marker: str) -> str:
    """JSON text whose `marker` string became a lone surrogate (json.dumps would escape it correctly)."""
    return json.dumps(body).replace(f'"{marker}"', '"\\ud800"')


@ON_SQLITE
def test_a_lone_surrogate_in_any_text_field_is_refused(api, child):
    opened = api.call("POST", "/cases", json={"process": "traeger_8a", "child": child}).get_json()
    task = opened["open_tasks"][0]["id"]
    body = _with_lone_surrogate({"process": "traeger_8a", "child": {**child, "vorname": "X"}}, "X")
    problem = _problem(api.call("POST", "/cases", data=body, content_type="application/json"), 400)
    assert "child.vorname" in problem["detail"]
    body = _with_lone_surrogate({**BEOBACHTUNG, "beobachtungen": "X"}, "X")
    _problem(api.call("POST", f"/tasks/{task}/complete", data=body, content_type="application/json"), 400)
    # the task is untouched: the refusal changed nothing
    assert api.call("GET", f"/tasks/{task}").status_code == 200


@ON_SQLITE
def test_deeply_nested_json_is_refused(api):
    for depth in (50_000, 40):  # beyond Python's recursion; beyond the 32 levels allowed
        body = '{"process": "traeger_8a", "child": ' + "[" * depth + "]" * depth + "}"
        problem = _problem(api.call("POST", "/cases", data=body, content_type="application/json"), 400)
        assert "verschachtelt" in problem["detail"]


def test_ids_beyond_the_id_columns_are_not_found(api):
    for path in ("/cases/{big}", "/cases/{big}/file", "/cases/{big}/audit?reason=Prüfung 2026"):
        for big in (2**31, 2**63, 2**64 + 1, 10**30):
            _problem(api.call("GET", path.format(big=big), user="kita_revision"), 404)
    _problem(api.call("POST", f"/cases/{2**31}/fruehere-faelle/{2**63}", json={"decision": "verworfen"}), 404)


@ON_SQLITE
def test_invalid_utf8_is_refused(api):
    response = api.call("POST", "/cases", data=b'{"process": "\xff\xfe"}', content_type="application/json")
    problem = _problem(response, 400)
    assert "UTF-8" in problem["detail"]


@ON_SQLITE
def test_bodies_above_the_configured_limit_are_refused_with_413(world, tmp_path):
    settings = load_settings(
        {
            "SCHUTZPFAD_INSTANCE": str(tmp_path / "instance"),
            "SCHUTZPFAD_SECRET_KEY": "test",
            "SCHUTZPFAD_MAX_CONTENT_LENGTH": "4096",
        }
    )
    assert settings.max_content_length == 4096
    client = create_app(settings, case_engine=world.engine).test_client()
    headers = {"Authorization": f"Bearer {world.token('kita_fk')}"}
    body = json.dumps({"process": "traeger_8a", "child": {"vorname": "x" * 5000}})
    response = client.post("/api/v1/cases", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    page = client.post("/anmelden", data={"username": "x" * 5000, "password": "y"})
    assert page.status_code == 413 and "zu groß" in page.get_data(as_text=True)


def test_a_wrong_size_limit_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="SCHUTZPFAD_MAX_CONTENT_LENGTH"):
        load_settings({"SCHUTZPFAD_INSTANCE": str(tmp_path), "SCHUTZPFAD_MAX_CONTENT_LENGTH": "2MB"})


@ON_SQLITE
def test_implausible_input_is_refused_with_422_naming_the_field(api, child):
    """Finding 8 through the API: the form engine's limits hold for every client."""
    carers = [{"name": "Anna Muster", "beziehung": "Mutter", "sorgerecht": True}] * 20_000
    for changed, field in (
        ({"sorgeberechtigte": carers}, "sorgeberechtigte"),
        ({"vorname": "Mi\u0000a"}, "vorname"),
        ({"vorname": "   "}, "vorname"),
        ({"nachname": "x" * 1_000_000}, "nachname"),
    ):
        problem = _problem(
            api.call("POST", "/cases", json={"process": "traeger_8a", "child": {**child, **changed}}), 422
        )
        assert list(problem["errors"]) == [field]
    task = api.call("POST", "/cases", json={"process": "traeger_8a", "child": child}).get_json()["open_tasks"][0]["id"]
    for changed in ({"beobachtungen": "x" * 1_000_000}, {"beobachtet_am": "2099-01-01T08:00:00+01:00"}):
        problem = _problem(api.call("POST", f"/tasks/{task}/complete", json={**BEOBACHTUNG, **changed}), 422)
        assert list(problem["errors"]) == list(changed)
