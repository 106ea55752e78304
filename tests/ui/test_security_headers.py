"""Every route of the app — UI, API and static, whoever registered it — answers with the security
headers, signed out and signed in: a CSP without 'unsafe-inline' that forbids framing, nosniff,
Referrer-Policy, X-Frame-Options, `Cache-Control: no-store` on everything but static files, and HSTS
exactly when the request came over HTTPS (directly, or from a trusted reverse proxy)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.routing import Rule

from web import create_app
from web.config import load_settings

#: Values for URL arguments: junk on purpose — a route must answer junk with an error page, not crash.
SAMPLE_ARGS = {
    "IntegerConverter": 1,
    "IdConverter": 1,  # web/ids.py: the app's bounded <int>
    "FloatConverter": 1.5,
    "UnicodeConverter": "x",
    "PathConverter": "x/y",
    "UUIDConverter": "00000000-0000-0000-0000-000000000000",
}


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """The headers do not depend on the database: SQLite only (the walk is long)."""
    yield f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _url(rule: Rule) -> str:
    if rule.endpoint == "static":
        return "/static/kern/kern.min.css"
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]  # noqa: SLF001 - the converter decides a usable sample
        values[name] = SAMPLE_ARGS.get(type(converter).__name__, "x")
    path = rule.build(values, append_unknown=False)
    assert path is not None
    return path[1]


def _requests(app) -> list[tuple[str, str, str]]:
    """(method, url, endpoint) for every rule and each of its methods."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, _url(rule), rule.endpoint))
    return found


def _check(response, method: str, url: str, endpoint: str, *, https: bool) -> None:
    where = f"{method} {url} → {response.status_code}"
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy") in {"same-origin", "no-referrer", "strict-origin"}, where
    hsts = response.headers.get("Strict-Transport-Security")
    if https:
        assert hsts and "max-age=" in hsts, where
    else:
        assert hsts is None, where
    if endpoint != "static":
        assert response.headers.get("Cache-Control") == "no-store", where
    # /readyz answers 503 by design while no scheduler beats (none runs in these tests)
    assert response.status_code < 500 or (endpoint, response.status_code) == ("probes.readyz", 503), where


def _walk(ui, *, token: str | None, https: bool = False, headers: dict | None = None) -> int:
    count = 0
    base_url = "https://schutzpfad.example" if https else "http://localhost"
    for method, url, endpoint in _requests(ui.app):
        sent = dict(headers or {})
        if token and url.startswith("/api/"):
            sent["Authorization"] = f"Bearer {token}"
        with ui.open(url, method=method, headers=sent, base_url=base_url) as response:
            _check(response, method, url, endpoint, https=https)
        count += 1
    return count


def test_the_walk_covers_ui_api_and_static(ui):
    endpoints = {endpoint for _, _, endpoint in _requests(ui.app)}
    assert {
        "static",
        "auth.sign_in",
        "auth.sign_out",
        "pages.index",
        "pages.accessibility",
        "tasks.my_tasks",
    } <= endpoints
    assert {e for e in endpoints if e.startswith("api.")} >= {"api.list_tasks", "api.get_case", "api.openapi"}


def test_every_route_signed_out(ui):
    assert _walk(ui, token=None) > 10


def test_every_route_signed_in(ui, world):
    ui.login("kita_fk")
    assert _walk(ui, token=world.token("kita_fk")) > 10
    # an HTML page with case data of a signed-in user
    page = ui.get("/aufgaben")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_every_route_over_https(ui, world):
    ui.login("kita_fk")
    assert _walk(ui, token=world.token("kita_fk"), https=True) > 10


def test_hsts_behind_a_trusted_proxy_only(world, tmp_path):
    for trusted, expected in ((1, True), (0, False)):
        environ = {
            "SCHUTZPFAD_INSTANCE": str(tmp_path / f"i{trusted}"),
            "SCHUTZPFAD_SECRET_KEY": "test",
            "SCHUTZPFAD_TRUSTED_PROXIES": str(trusted),
        }
        app = create_app(load_settings(environ), case_engine=world.engine)
        response = app.test_client().get("/anmelden", headers={"X-Forwarded-Proto": "https"})
        assert ("Strict-Transport-Security" in response.headers) is expected
        assert ("Secure" in response.headers["Set-Cookie"]) is expected


def test_static_files_are_served_locally_and_are_not_no_store(ui):
    for path in ("/static/kern/kern.min.css", "/static/kern/fonts.css", "/static/schutzpfad.css", "/static/session.js"):
        with ui.get(path) as response:
            assert response.status_code == 200, path
            assert response.headers.get("Cache-Control") != "no-store"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = ui.get("/anmelden").get_data(as_text=True)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page  # no CDN, nothing from elsewhere


def test_error_pages_are_german_html_outside_the_api(ui, world):
    missing = ui.get("/gibt-es-nicht")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "Seite nicht gefunden" in missing.get_data(as_text=True)
    api_missing = ui.get("/api/v1/gibt-es-nicht", headers={"Authorization": f"Bearer {world.token('kita_fk')}"})
    assert api_missing.status_code == 404 and api_missing.mimetype == "application/problem+json"
    wrong_method = ui.delete("/barrierefreiheit")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
