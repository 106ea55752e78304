"""The network's pages in the browser: a member of the network finds the Ablaufplan in the main
navigation, its flows pass axe and fit a phone's width (390 px); the Netzwerkkoordination finds its
Kennzahlen, the page passes axe and fits a phone's width with its charts, and — only with
SCHUTZPFAD_SCREENSHOTS=1 — the screenshots of the Ablaufplan and the Kennzahlen in docs/screenshots/
(README: Screenshots), on a busy quarter written by tests/support/indicators.py:

    LANGUAGE=de SCHUTZPFAD_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e -k screenshots
"""

from __future__ import annotations

import os
from datetime import datetime

from engine.accounts import registry as accounts
from engine.clock import BERLIN
from engine.indicators.facade import COORDINATION_ROLE
from tests.e2e.test_journeys import CHILD_FIRST, CHILD_LAST, DOCS_SCREENSHOTS, Person
from tests.e2e.test_journeys import case_engine as case_engine  # the shipped procedures only
from tests.support.indicators import busy_quarter

COORDINATOR = "koordination"
KLEVE = "kreis-kleve"


def _coordinator(world, password_hash: str) -> None:
    with world.engine.writing() as uow:
        user = accounts.create_user(
            uow.session,
            username=COORDINATOR,
            organisation_key="ja-kreis-kleve",
            role=COORDINATION_ROLE,
            password=None,
            now=world.engine.clock.now(),
            display_name="Rita Reinders",
            mfa_required=False,
        )
        user.password_hash = password_hash
        uow.commit()


def _shoot(person: Person, name: str) -> None:
    if os.environ.get("SCHUTZPFAD_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        person.page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled")


def test_screenshots_of_the_network_pages(page, check_a11y, world, password_hash) -> None:
    child = {"vorname": CHILD_FIRST, "nachname": CHILD_LAST, "geburtsdatum": "2021-03-14", "wohnort_gemeinde": "Goch"}
    busy_quarter(world, child, datetime(2026, 1, 5, tzinfo=BERLIN))
    _coordinator(world, password_hash)
    offices = [o["key"] for o in world.engine.organisations() if (o["kind"], o["network"]) == ("jugendamt", KLEVE)]
    for i, key in enumerate(offices):  # invented numbers: the plan shows every Jugendamt's Bereitschaft
        contact = {"telefon": f"02800 10{i}-0", "bereitschaft": f"0170 000 10{i}", "email": f"{key}@example.org"}
        world.engine.set_organisation_contact(key, contact, operator="tests")

    me = Person(page, check_a11y, narrow=True)
    me.sign_in("kita_fk")
    me.nav("Ablaufplan")
    assert page.locator("ol.sp-flow").count() == len(world.engine.ablaufplan(world["kita_fk"]).procedures)
    _shoot(me, "10-netzwerk-ablaufplan")
    me.sign_out()

    me = Person(page, check_a11y, narrow=True)
    me.forbidden = (CHILD_FIRST, CHILD_LAST, "14.03.2021", "2021-03-14")
    me.sign_in(COORDINATOR)
    me.nav("Kennzahlen")
    assert me.heading() == "Kennzahlen: Netzwerk Kinderschutz Kreis Kleve"
    charts = page.get_by_role("img")
    assert charts.count() == 6 and "Fristentreue" in page.get_by_role("table").first.inner_text()
    _shoot(me, "11-netzwerk-kennzahlen")
