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


@pytest.mark.parametrize("width", [1280, 390], ids=["1280px", "390px"])
def test_an_anonymous_call_about_two_children_of_one_household(page, check_a11y, width) -> None:
    """Two children, neither's surname nor birth date known, one anonymous call: the household and the
    call entered once, two cases opened together and linked; the birth date of one completed later."""
    page.set_viewport_size({"width": width, "height": 900})
    me = Person(page, check_a11y)
    me.sign_in("goch_fk")
    me.goto("/faelle/neu/jugendamt_8a")
    me.fill("Wohnort (Gemeinde)", "Goch")
    me.submit("Weiteres Kind desselben Haushalts")
    assert me.heading() == "Neue Meldung: 2 Kinder eines Haushalts"
    for block, name, age in (("1. Kind", "Mia", "5"), ("2. Kind", "Ben", "2")):
        child = page.get_by_role("group", name=block, exact=True)
        child.get_by_role("textbox", name="Vorname").fill(name)
        unknown = child.get_by_role("group", name="Was ist nicht bekannt?")
        unknown.get_by_label("Nachname unbekannt", exact=True).check()
        unknown.get_by_label("Geburtsdatum unbekannt", exact=True).check()
        child.get_by_label("Ungefähres Alter in Jahren").fill(age)
    assert page.get_by_label("Wohnort (Gemeinde)").input_value() == "Goch"  # kept from before the block came
    call = page.get_by_role("group", name="Eingang – für alle Kinder")
    call.get_by_label("Eingegangen am").fill("2026-03-02T08:40")
    call.get_by_label("Eingangsweg").select_option(label="Telefonisch")
    call.get_by_label("Meldende Stelle").select_option(label="Anonym")
    call.get_by_role("group", name="Anonymer Hinweis?").get_by_label("Ja", exact=True).check()
    call.get_by_label("Inhalt der Meldung").fill("Anrufer ohne Namen: zwei kleine Kinder schreien jede Nacht.")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    me.submit("2 Fälle anlegen")

    me.flashed("2 Fälle angelegt, je Kind einer:")
    assert "Mia (unbekannt)" in me.heading()
    assert "unbekannt (ungefähr 5 Jahre)" in me.main_text() and "Eingang erfassen" in me.main_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    links = page.get_by_role("region", name="Verknüpfte Fälle")
    assert "Geschwister / gleicher Haushalt" in links.inner_text()
    me.follow(links.get_by_role("link").first)
    assert "Ben (unbekannt)" in me.heading() and "ungefähr 2 Jahre" in me.main_text()

    # later the birth date becomes known: completed from the case page
    me.link("Angaben zum Kind ergänzen")
    me.fill("Geburtsdatum", "01.04.2024")
    me.submit("Angaben speichern")
    me.flashed("Angaben zum Kind ergänzt: Geburtsdatum.")
    assert "01.04.2024" in me.main_text() and "ungefähr" not in me.main_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
