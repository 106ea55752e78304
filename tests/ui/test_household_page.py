"""Neue Meldung with several children of one household (issue 16 item 2), without JavaScript: a
button adds a child block, another removes one; the household and the call are entered once; errors
stand in the child's block; nothing is created while anything is wrong."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

URL = "/faelle/neu/jugendamt_8a"
CALL = {
    "eingang.eingegangen_am": "02.03.2026 08:40",
    "eingang.kanal": "telefon",
    "eingang.meldende_stelle": "anonym",
    "eingang.anonym": "true",
    "eingang.inhalt": "Anonymer Anruf: zwei kleine Kinder schreien jede Nacht.",
}
TWO = {
    "kinder": "2",
    "wohnort_gemeinde": "Goch",
    "kinder.0.vorname": "Mia",
    "kinder.0.unbekannt": ["nachname", "geburtsdatum"],
    "kinder.0.alter_geschaetzt": "5",
    "kinder.1.vorname": "Ben",
    "kinder.1.unbekannt": ["nachname", "geburtsdatum"],
    "kinder.1.alter_geschaetzt": "2",
    **CALL,
}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_a_second_child_is_added_and_removed_without_javascript(ui):
    ui.login("goch_fk")
    assert "Weiteres Kind desselben Haushalts" in _text(ui.get(URL))
    one = {"vorname": "Mia", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": "5"}
    one["wohnort_gemeinde"] = "Goch"
    two = ui.post_form(URL, {**one, "sp_aktion": "kind_hinzufuegen"}, token_from=URL)
    assert two.status_code == 200
    page = two.get_data(as_text=True)
    shown = _text(two)
    assert "2 Kinder eines Haushalts" in shown and "2. Kind" in shown and "Eingang – für alle Kinder" in shown
    assert 'name="kinder.0.vorname"' in page and 'value="Mia"' in page and 'name="kinder" value="2"' in page
    back = ui.post_form(URL, {**TWO, "sp_aktion": "kind_entfernen-0"}, token_from=URL)
    assert back.status_code == 200 and "Eingang – für alle Kinder" not in _text(back)
    assert 'name="vorname"' in back.get_data(as_text=True) and 'value="Ben"' in back.get_data(as_text=True)


def test_two_children_open_two_linked_cases_at_once(ui, world):
    ui.login("goch_fk")
    opened = ui.post_form(URL, TWO, token_from=URL, follow_redirects=True)
    assert opened.status_code == 200, _text(opened)
    page = _text(opened)
    assert re.search(r"2 Fälle angelegt, je Kind einer: KS-2026-\d+, KS-2026-\d+\.", page)
    assert "Geschwister / gleicher Haushalt" in page
    rows = world.engine.cases(world["goch_fk"]).rows
    assert sorted(r["child_name"] for r in rows) == ["Ben (unbekannt)", "Mia (unbekannt)"]


def test_an_error_stands_in_the_childs_block_and_nothing_is_created(ui, world):
    ui.login("goch_fk")
    refused = ui.post_form(URL, {**TWO, "kinder.1.alter_geschaetzt": ""}, token_from=URL)
    assert refused.status_code == 422
    message = "2. Kind: Ungefähres Alter in Jahren: Geben Sie bei unbekanntem Geburtsdatum das ungefähre Alter an"
    assert message in _text(refused)
    assert 'id="f-kinder-1-alter_geschaetzt-fehler"' in refused.get_data(as_text=True)
    assert world.engine.cases(world["goch_fk"]).rows == []


def test_a_kita_has_no_household_form(ui):
    ui.login("kita_fk")
    assert "Weiteres Kind desselben Haushalts" not in _text(ui.get("/faelle/neu/traeger_8a"))
