"""Plain words on the pages of every role (issue 16 item 3): no internal key, ISO duration, event
code or JSON in what people read.

Each person signs in and follows the links the pages offer, from Meine Aufgaben two clicks deep
(case, step, Fallakte, lists, Verwaltung, Protokoll, Konto, Ablaufplan …), with a case at the Kita
that reached its Meldung and the Jugendamt's case it opened; the visible text of every HTML page is
scanned by tests/support/plain_words.py. The browser journey scans its pages the same way.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import USERS
from tests.support import kindertagespflege, people, quality
from tests.support.cases import open_tasks, to_meldung
from tests.support.plain_words import internal_identifiers, visible_text

#: The newer roles (issue 16 item 3): the Tagespflegeperson, the Fachberatung Kindertagespflege, the
#: quality reviewer, the network's coordination and a Jugendamt's Leitung with the § 99 statistics.
NEWER = [("koordination", "beratung-kleve", "netzwerk_koordination")]
NEWER_PEOPLE = ("tp", "goch_fb", "pruefer", "koordination", "kevelaer_leitung")
#: Their pages beyond Meine Aufgaben, crawled from too.
NEWER_PAGES = ("/qualitaet", "/netzwerk/kennzahlen", "/statistik", "/faelle/neu/kindertagespflege_8a")
USERNAMES = frozenset(
    [username for username, _organisation, _role in USERS]
    + [u for u, _o, _r in kindertagespflege.USERS + quality.USERS + NEWER]
)
#: One person per role (and per kind of organisation where the pages differ).
PEOPLE = (
    "kita_fk",
    "kita_leitung",
    "kita_admin",
    "kita_revision",
    "insofa_kleve",
    "goch_fk",
    "goch_leitung",
    "lehrerin",
)
#: Links that change something, leave the app, or download instead of showing a page.
_SKIP = re.compile(r"^/(abmelden|static/|api/)|\.pdf$|/export$|^/sprache")
_HREF = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)"')
DEPTH = 2
PER_PERSON = 40


def _crawl(ui, username: str, start: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every page `username` reaches by links from /aufgaben and `start` (DEPTH clicks), with its findings."""
    ui.login(username)
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    frontier = ["/aufgaben", *start]
    for _depth in range(DEPTH + 1):
        following: list[str] = []
        for path in frontier:
            if path in seen or len(seen) >= PER_PERSON:
                continue
            seen.add(path)
            response = ui.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            problems = internal_identifiers(visible_text(html), USERNAMES)
            if problems:
                found[path] = problems
            following += [
                link.replace("&amp;", "&") for link in _HREF.findall(html) if not _SKIP.search(urlsplit(link).path)
            ]
        frontier = following
    assert len(seen) > 3, f"{username} reached only {sorted(seen)}"
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_roles_pages_speak_plain_words(ui, world, child) -> None:
    kita = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    to_meldung(world, kita.case_id)
    world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "vorname": "Ella"})
    findings = {username: _crawl(ui, username) for username in PEOPLE}
    shown = [
        f"{username} {path}:\n    " + "\n    ".join(problems)
        for username, pages in findings.items()
        for path, problems in pages.items()
    ]
    assert not shown, "internal identifiers on pages:\n  " + "\n  ".join(shown)


@pytest.fixture
def newer_roles(world):
    """The newer roles' people in the world — before `ui` sets everybody's password."""
    kindertagespflege.add_kindertagespflege(world)
    quality.add_users(world)
    people.add_users(world, NEWER)
    return world


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_newer_roles_pages_speak_plain_words(newer_roles, ui, child) -> None:
    world = newer_roles
    quality.closed_cases(world, 2)
    case = world.engine.open_case(
        world["tp"], process_key="kindertagespflege_8a", child={**child, "wohnort_gemeinde": "Goch"}
    )
    task = open_tasks(world, "tp", case.case_id)["anhaltspunkte_dokumentieren"]["id"]
    world.engine.complete_task(
        world["tp"],
        task,
        {"beobachtungen": "Striemen am Rücken.", "beobachtet_am": "2026-03-02T08:15:00+01:00",
         "quelle": "eigene_beobachtung", "akute_gefahr": False},
    )  # fmt: skip
    findings = {username: _crawl(ui, username, NEWER_PAGES) for username in NEWER_PEOPLE}
    shown = [
        f"{username} {path}:\n    " + "\n    ".join(problems)
        for username, pages in findings.items()
        for path, problems in pages.items()
    ]
    assert not shown, "internal identifiers on pages:\n  " + "\n  ".join(shown)
