"""The OpenAPI document (issue 13, "Done when"): every operation has an operationId and a summary,
every schema its `required` list, every list filter an enum — and every API route is documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

FILTERS = {"status", "process", "overdue", "urgency", "assigned"}


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """The document and the shape of the answers do not depend on the database: SQLite only."""
    yield f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _document(api) -> dict:
    return api.call("GET", "/openapi.json", user=None).get_json()


def test_every_operation_has_an_operation_id_and_a_summary(api):
    operations = [op for ops in _document(api)["paths"].values() for op in ops.values()]
    ids = [op.get("operationId") for op in operations]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(op.get("summary", "").strip() for op in operations)


def test_every_api_route_is_in_the_document(api):
    documented = {(path, method.upper()) for path, ops in _document(api)["paths"].items() for method in ops}
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in api.app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_every_schema_lists_what_is_required(api):
    schemas = _document(api)["components"]["schemas"]
    missing = sorted(name for name, schema in schemas.items() if not schema.get("required"))
    assert missing == []
    assert {"id", "reference", "open_tasks", "history"} <= set(schemas["CaseView"]["required"])
    assert "child" not in schemas["CaseView"]["required"]  # never sent to the insofa


def test_every_filter_has_an_enum(api, world):
    document = _document(api)
    for path in ("/api/v1/cases", "/api/v1/tasks"):
        filters = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] in FILTERS]
        assert filters and all(p["schema"].get("enum") for p in filters), path
    process = next(p for p in document["paths"]["/api/v1/cases"]["get"]["parameters"] if p["name"] == "process")
    assert {"traeger_8a", "kkg4", "jugendamt_8a"} <= set(process["schema"]["enum"])


def _missing(document: dict, schema: dict, value, where: str) -> list[str]:
    """Where `value` lacks a property the document says is required (following $ref, arrays, objects)."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if schema.get("type") == "array" and isinstance(value, list):
        return [m for i, item in enumerate(value) for m in _missing(document, schema["items"], item, f"{where}[{i}]")]
    if not isinstance(value, dict):
        return []
    found = [f"{where}.{name}" for name in schema.get("required", []) if name not in value]
    for name, sub in schema.get("properties", {}).items():
        if name in value and value[name] is not None:
            found += _missing(document, sub, value[name], f"{where}.{name}")
    return found


def test_the_answers_carry_every_required_property(api, reported):
    """The `required` lists are what the API sends: for the own organisation and for the insofa."""
    document = _document(api)
    kita, _ = reported
    task = api.call("GET", "/tasks", user="goch_fk").get_json()[0]["id"]
    case, one_task = "/cases/{case_id}", "/tasks/{task_id}"
    calls = [  # who, the documented path, the address
        ("kita_fk", "/processes", "/processes"),
        ("kita_fk", "/cases", "/cases"),
        ("kita_fk", case, f"/cases/{kita}"),
        ("insofa_kleve", case, f"/cases/{kita}"),
        ("insofa_kleve", "/cases", "/cases"),
        ("kita_fk", case + "/file", f"/cases/{kita}/file"),
        ("goch_fk", "/tasks", "/tasks"),
        ("goch_fk", one_task, f"/tasks/{task}"),
        ("kita_revision", case + "/audit", f"/cases/{kita}/audit?reason=Prüfung 2026"),
        ("kita_revision", "/audit/verify", "/audit/verify"),
        ("kita_fk", case, f"/cases/{2**40}"),
    ]
    for user, path, url in calls:
        response = api.call("GET", url, user=user)
        answers = document["paths"]["/api/v1" + path]["get"]["responses"][str(response.status_code)]["content"]
        schema = next(iter(answers.values()))["schema"]
        assert _missing(document, schema, response.get_json(), url) == [], (user, url)
