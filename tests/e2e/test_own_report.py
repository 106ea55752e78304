"""A Jugendamt's own report in the browser, at 1280 and 390 px (issue 16 item 2): a telephone call
from an anonymous caller who knows the child's first name and age, not its surname or birth date."""

from __future__ import annotations

import pytest

from tests.e2e.test_journeys import Person


@pytest.mark.parametrize("width", [1280, 390], ids=["1280px", "390px"])
def test_an_anonymous_call_without_birth_date(page, check_a11y, width) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    me = Person(page, check_a11y)
    me.sign_in("goch_fk")
    me.goto("/faelle/neu/jugendamt_8a")
    assert me.heading() == "Neue Meldung" and "Sie nehmen einen Hinweis" in me.main_text()
    assert "was Sie beobachtet haben" not in me.main_text()
    me.page.get_by_role("textbox", name="Vorname").fill("Mia")  # not the checkbox "Vorname unbekannt"
    me.choose("Was ist nicht bekannt?", "Nachname unbekannt")
    me.choose("Was ist nicht bekannt?", "Geburtsdatum unbekannt")
    me.fill("Ungefähres Alter in Jahren", "5")
    me.fill("Wohnort (Gemeinde)", "Goch")
    me.submit("Fall anlegen")

    assert me.heading() == "Eingang erfassen"
    me.fill("Eingegangen am", "2026-03-02T08:40")
    me.page.get_by_label("Eingangsweg").select_option(label="Telefonisch")
    me.page.get_by_label("Meldende Stelle").select_option(label="Anonym")
    me.choose("Anonymer Hinweis?", "Ja")
    me.fill("Inhalt der Meldung", "Anrufer ohne Namen: Kind im dritten Stock weint jede Nacht, etwa fünf Jahre.")
    me.submit()
    me.flashed("Erledigt: „Eingang erfassen“.")
    assert "Mia (unbekannt)" in me.heading()
    assert "unbekannt (ungefähr 5 Jahre)" in me.main_text()
    assert me.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
