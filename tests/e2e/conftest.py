"""Browser tests: Playwright drives Debian's Chromium (`/usr/bin/chromium`) against the real WSGI app
served by waitress on 127.0.0.1 (SQLite, the `world` of tests/conftest.py).

Fixtures
- `live_server` -> base URL (`http://127.0.0.1:<port>`); every world user signs in with `PASSWORD`.
- `browser`     -> the session's Chromium (Playwright `Browser`); skipped when Chromium is missing
                   locally, a failure in CI (`CI=true`).
- `page`        -> a `Page` in a fresh context (de-DE, Europe/Berlin, 1280×900, `base_url` set to the
                   live server, so `page.goto("/anmelden")` works). A failed test leaves
                   `tests/artifacts/screenshots/<test>.png` (and the page's HTML beside it).
- `check_a11y`  -> `check_a11y(page)`: axe-core on the current page; fails on "serious"/"critical".
                   Every HTML page a test loads must be checked: the `page` fixture fails a passing
                   test that visited a page it never checked.

Every test in this folder carries the `browser` marker (`pytest -m "not browser"` leaves them out).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from engine.accounts import registry as accounts
from engine.persistence import models as m
from tests.support.pg_cluster import in_ci
from web import create_app
from web.config import load_settings

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
#: Launch arguments that work headless in containers and CI (no sandbox as root, no GPU, no phoning home).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = HERE.parent / "artifacts" / "screenshots"
#: The password of every user of the world in the browser tests.
PASSWORD = "Schutzpfad-Browser-2026"
#: axe-core impacts that fail a test ("minor" and "moderate" are reported by axe but not enforced).
FAILING_IMPACTS = ("serious", "critical")
#: Milliseconds Playwright waits for an element or a navigation before it gives up: short enough that a
#: broken journey fails fast, long enough for a page of a 2-core machine under a load average of 15
#: (5 s timed out there on a page that takes 0.1 s when the machine is quiet).
TIMEOUT_MS = 15_000


# --------------------------------------------------------------------------------------------------
# Marker and outcome bookkeeping


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keeps each phase's report on the item (`item.rep_setup`, `item.rep_call`) for the `page`
    fixture's teardown, which saves a screenshot when the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(node: pytest.Item) -> bool:
    return any(getattr(getattr(node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


# --------------------------------------------------------------------------------------------------
# The live server


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the persistence layer is tested on both databases elsewhere; here speed counts."""
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Hashed once per session: argon2 is deliberately slow."""
    return accounts.hash_password(PASSWORD)


@pytest.fixture
def live_server(world, tmp_path: Path, password_hash: str) -> Iterator[str]:
    """The real app (`web.create_app`) on the world's engine, served by waitress in a background
    thread on 127.0.0.1 and a free port; yields the base URL without a trailing slash."""
    from waitress import create_server, wasyncore

    with world.engine.writing() as uow:
        for user in uow.session.query(m.User).filter(m.User.username.in_(list(world.actors))):
            user.password_hash = password_hash
        uow.commit()

    settings = load_settings(
        {
            "SCHUTZPFAD_INSTANCE": str(tmp_path / "web-instance"),
            "SCHUTZPFAD_SECRET_KEY": "browser-tests",
            "SCHUTZPFAD_ALLOW_NO_MFA": "1",
        }
    )
    app = create_app(settings, case_engine=world.engine)
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="schutzpfad-e2e")
    thread = threading.Thread(target=server.run, name="e2e-waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Close every socket (listener, keep-alive channels, trigger) from inside the loop's thread:
        # the loop ends with an empty map; then the worker threads are stopped.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=10)
        server.task_dispatcher.shutdown(timeout=5)
        assert not thread.is_alive(), "the live server did not stop"


# --------------------------------------------------------------------------------------------------
# Browser, page, axe


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (CI: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Chromium, launched once per session through Playwright."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} not found: install the Debian package 'chromium' (make test does so as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[dev]'")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


def _page_key(url: str) -> str:
    return urldefrag(url).url


class _Visits:
    """HTML pages the main frame loaded and pages axe checked, by URL (without fragment)."""

    def __init__(self) -> None:
        self.loaded: list[str] = []
        self.checked: set[str] = set()

    def on_response(self, response) -> None:
        request = response.request
        if not request.is_navigation_request() or request.frame.parent_frame is not None:
            return
        if 300 <= response.status < 400:
            return  # a redirect: the page is the one it leads to
        if "text/html" not in (response.headers.get("content-type") or ""):
            return
        key = _page_key(response.url)
        if key not in self.loaded:
            self.loaded.append(key)

    def unchecked(self) -> list[str]:
        return [url for url in self.loaded if url not in self.checked]


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} serious/critical accessibility violation(s) on {url}"]
    for v in violations:
        nodes = v.get("nodes") or []
        targets = [" ".join(map(str, n.get("target") or [])) for n in nodes[:3]]
        more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
        lines.append(f"- {v['id']} [{v.get('impact')}]: {v.get('help')}")
        lines.append(f"    at: {', '.join(targets) or '—'}{more}")
        lines.append(f"    see: {v.get('helpUrl')}")
    return "\n".join(lines)


def check_a11y(page, *, context: str | dict | None = None) -> list[dict]:
    """Runs axe-core on the current page; fails the test on "serious" or "critical" violations.
    Returns all violations (the minor and moderate ones too) for tests that want to look closer."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    violations = results.response["violations"]
    visits: _Visits | None = getattr(page, "_schutzpfad_visits", None)
    if visits is not None:
        visits.checked.add(_page_key(page.url))
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    if failing:
        pytest.fail(_format_violations(page.url, failing), pytrace=False)
    return violations


@pytest.fixture(name="check_a11y")
def _check_a11y_fixture() -> Callable[..., list[dict]]:
    """`check_a11y` as a fixture: tests request it instead of importing from conftest."""
    return check_a11y


def _artifact_name(node: pytest.Item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node.name).strip("_") or "test"


@pytest.fixture
def page(browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page in a new browser context per test: German locale, Berlin time, 1280×900."""
    context = browser.new_context(
        base_url=live_server,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    name = _artifact_name(request.node)
    for stale in SCREENSHOTS.glob(f"{name}.*"):  # a screenshot of an earlier run's failure
        stale.unlink()
    visits = _Visits()
    page._schutzpfad_visits = visits  # type: ignore[attr-defined]
    page.on("response", visits.on_response)
    try:
        yield page
    finally:
        if _failed(request.node):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
                (SCREENSHOTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
            except Exception as exc:  # a crashed page must not hide the test's own failure
                print(f"screenshot of {request.node.nodeid} failed: {exc}")
        context.close()
    unchecked = visits.unchecked()
    if unchecked and not _failed(request.node):
        pytest.fail(
            "pages visited without an axe check (call check_a11y(page) on each): " + ", ".join(unchecked),
            pytrace=False,
        )
