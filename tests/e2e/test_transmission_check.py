"""Prüfen und senden in the browser, at 1280 and 390 px: before the Meldung and before the Rückmeldung
the page says what is sent (by label and value), to whom, and what is not; back keeps the values;
afterwards the recipient and the time are named. The cases are brought to the step through the
engine (the journey test walks the way there); from then on everything is done on the page."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_journeys import Person
from tests.process.test_paths_traeger_8a import MELDUNG
from tests.support.cases import BEOBACHTUNG, complete, to_meldung, to_rueckmeldung

GOCH, KITA = "Stadtjugendamt Goch", "Kita Regenbogen Kevelaer"
CHILD = {"vorname": "Lotta", "nachname": "Wiesengrund", "geburtsdatum": "2021-03-14", "wohnort_gemeinde": "Goch"}
WIDTHS = pytest.mark.parametrize("width", [1280, 390], ids=["1280px", "390px"])


def _at_meldung(world) -> int:
    case_id = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=CHILD).case_id
    to_meldung(world, case_id)
    return case_id


def _person(page, check_a11y, width: int) -> Person:
    page.set_viewport_size({"width": width, "height": 900})
    return Person(page, check_a11y)


def _section(me: Person, heading: str | re.Pattern[str]) -> str:
    return me.page.locator("section", has=me.page.get_by_role("heading", name=heading)).inner_text()


def _fits(me: Person) -> None:
    """Nothing scrolls sideways (390 px: a phone)."""
    assert me.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@WIDTHS
def test_the_meldung_is_checked_before_it_is_sent(page, check_a11y, world, width) -> None:
    case_id = _at_meldung(world)
    me = _person(page, check_a11y, width)
    me.sign_in("kita_leitung")
    me.goto(f"/faelle/{case_id}")
    me.link(re.compile("Meldung an das Jugendamt"))
    me.choose("Wurden die Eltern vorab über die Meldung informiert?", "Nein")
    me.fill("Warum wurden die Eltern nicht vorab informiert?", MELDUNG["grund_nicht_informiert"])
    me.choose("Gefährdungsbereiche", "Körperliche Misshandlung")
    me.fill("Zusammenfassung für das Jugendamt", MELDUNG["zusammenfassung"])
    me.submit("Weiter: prüfen, was gesendet wird")

    assert me.heading() == f"Prüfen und an {GOCH} senden"
    _fits(me)
    sent = _section(me, f"Das erhält {GOCH}")
    for text in ("Zusammenfassung für das Jugendamt", MELDUNG["zusammenfassung"], "Körperliche Misshandlung"):
        assert text in sent, text
    assert "Wiesengrund" in sent and "14.03.2021" in sent  # the child's data goes with the Meldung
    withheld = _section(me, "Das wird nicht gesendet")
    assert "Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft" in withheld and "Empfehlung" in withheld
    assert "Beobachtungen" in withheld
    assert BEOBACHTUNG["beobachtungen"] not in me.main_text()  # named as withheld, its content not shown

    me.submit("Zurück zum Formular – Ihre Eingaben bleiben erhalten")
    assert me.heading() == "Meldung an das Jugendamt"
    assert me.page.get_by_label("Zusammenfassung für das Jugendamt").input_value() == MELDUNG["zusammenfassung"]
    assert me.chosen("Gefährdungsbereiche", "Körperliche Misshandlung")
    me.submit("Weiter: prüfen, was gesendet wird")
    me.submit(f"Jetzt an {GOCH} senden")
    me.flashed(f"Gesendet an {GOCH} am 02.03.2026 um ")
    assert "Meldung an das Jugendamt:" in _section(me, "Verknüpfte Fälle")


@WIDTHS
def test_the_rueckmeldung_is_checked_before_it_is_sent(page, check_a11y, world, width) -> None:
    kita_case = _at_meldung(world)
    complete(world, "kita_leitung", kita_case, "meldung_jugendamt", MELDUNG)
    [link] = world.engine.case(world["kita_leitung"], kita_case)["links"]
    ja = link["case_id"]
    to_rueckmeldung(world, ja)

    me = _person(page, check_a11y, width)
    me.sign_in("goch_fk")
    me.goto(f"/faelle/{ja}")
    me.link(re.compile("Rückmeldung an die meldende Stelle"))
    me.choose("Wurden die Betroffenen vor der Rückmeldung informiert?", "Ja")
    me.choose("Sieht das Jugendamt die gewichtigen Anhaltspunkte bestätigt?", "Nein")
    me.choose("Ist das Jugendamt tätig geworden und noch tätig?", "Nein")
    me.submit("Weiter: prüfen, was gesendet wird")

    assert me.heading() == f"Prüfen und an {KITA} senden"
    _fits(me)
    sent = _section(me, f"Das erhält {KITA}")
    assert "Sieht das Jugendamt die gewichtigen Anhaltspunkte bestätigt?" in sent
    assert "Ist das Jugendamt tätig geworden und noch tätig?" in sent
    assert "Wiesengrund" not in sent and "Hinweise der Kita" not in sent  # exactly the two facts
    assert "Betroffenen" not in sent  # documented here, not sent (§ 64 Abs. 4 SGB VIII)
    withheld = _section(me, "Das wird nicht gesendet")
    assert "Ersteinschätzung" in withheld and "Begründung" in withheld
    me.submit(f"Jetzt an {KITA} senden")
    me.flashed(f"Gesendet an {KITA} am 02.03.2026 um ")
