"""`GET /api/v1/cases` and `/tasks` a page at a time (issue 11, item 1): still a JSON array, the next
page in a `Link` header (RFC 8288) that keeps the filters, and 422 problem+json for every wrong
parameter (it used to be ignored: `status=garbage` answered 200)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.test_api import _open, _problem

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def _next(response) -> str | None:
    header = response.headers.get("Link")
    if header is None:
        return None
    match = LINK.match(header)
    assert match, header
    return match["url"]


def _follow(api, path: str, user: str = "kita_fk") -> tuple[list[dict], list[str]]:
    """Every row of a list, following the Link headers; and the links followed."""
    rows, links = [], []
    response = api.call("GET", path, user=user)
    while True:
        assert response.status_code == 200 and isinstance(response.get_json(), list)
        rows += response.get_json()
        url = _next(response)
        if url is None:
            return rows, links
        links.append(url)
        assert url.startswith("/api/v1/")  # relative to the request (RFC 8288 § 3.1), like Location
        response = api.call("GET", url.removeprefix("/api/v1"), user=user)


def test_the_lists_are_paged_with_a_link_to_the_next_page(api, child):
    opened = [_open(api, child)["id"] for _ in range(5)]
    whole = api.call("GET", "/cases?limit=200")
    assert "Link" not in whole.headers
    assert sorted(c["id"] for c in whole.get_json()) == sorted(opened)

    rows, links = _follow(api, "/cases?status=offen&limit=2")
    assert rows == whole.get_json() and len(links) == 2
    for url in links:
        query = parse_qs(urlsplit(url).query)
        assert query["status"] == ["offen"] and query["limit"] == ["2"] and len(query["cursor"]) == 1

    assert len(api.call("GET", "/cases").get_json()) == 5  # 50 by default
    tasks, links = _follow(api, "/tasks?limit=3")
    assert len(tasks) == 5 and len(links) == 1
    assert tasks == api.call("GET", "/tasks").get_json()


@pytest.mark.parametrize(
    ("path", "wrong"),
    [
        ("/cases?status=garbage", "status"),
        ("/cases?urgency=orange", "urgency"),
        ("/cases?overdue=vielleicht", "overdue"),
        ("/cases?assigned=kita_fk", "assigned"),
        ("/cases?process=gibt_es_nicht", "process"),
        ("/cases?limit=0", "limit"),
        ("/cases?limit=201", "limit"),
        ("/cases?cursor=abc", "cursor"),
        ("/cases?sortierung=name", "sortierung"),
        ("/cases?status=offen&status=abgebrochen", "status"),
        ("/tasks?status=offen", "status"),
        ("/tasks?limit=x", "limit"),
        ("/tasks?cursor=eyJsIjoiY2FzZXMiLCJrIjpbXX0", "cursor"),
    ],
)
def test_a_wrong_parameter_is_422_naming_it(api, path, wrong):
    body = _problem(api.call("GET", path), 422)
    assert list(body["errors"]) == [wrong]
    assert body["errors"][wrong][0][0].isupper()  # a German sentence


def test_a_cursor_of_another_list_or_changed_is_422(api, child):
    for _ in range(2):
        _open(api, child)
    url = _next(api.call("GET", "/cases?limit=1"))
    assert url is not None
    cursor = parse_qs(urlsplit(url).query)["cursor"][0]
    body = _problem(api.call("GET", f"/tasks?cursor={cursor}"), 422)
    assert "ersten Seite" in body["errors"]["cursor"][0]
    _problem(api.call("GET", f"/cases?cursor={cursor[:-3]}"), 422)
    assert len(api.call("GET", f"/cases?cursor={cursor}").get_json()) == 1


def test_the_openapi_document_names_the_parameters_and_the_link(api):
    document = api.call("GET", "/openapi.json", user=None).get_json()
    for path, names in (
        ("/api/v1/cases", ["status", "q", "process", "overdue", "urgency", "assigned", "limit", "cursor"]),
        ("/api/v1/tasks", ["process", "overdue", "urgency", "assigned", "limit", "cursor"]),
    ):
        get = document["paths"][path]["get"]
        parameters = {p["name"]: p for p in get["parameters"]}
        assert list(parameters) == names
        assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
        assert parameters["urgency"]["schema"]["enum"] == ["akut", "rot", "gelb", "gruen"]
        assert "Link" in get["responses"]["200"]["headers"] and "422" in get["responses"]
    status = document["paths"]["/api/v1/cases"]["get"]["parameters"][0]
    assert status["schema"]["enum"] == ["offen", "abgeschlossen", "abgebrochen"]
