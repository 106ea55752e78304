"""Neue Meldung at a Jugendamt (issue 16 item 2): its own intro text, unknown fields marked, an
approximate age instead of the birth date; a Kita's form has neither."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_a_jugendamt_records_a_call_with_unknown_surname_and_birth_date(ui, world):
    url = "/faelle/neu/jugendamt_8a"
    ui.login("goch_fk")
    form = _text(ui.get(url))
    assert "Sie nehmen einen Hinweis" in form and "was Sie beobachtet haben" not in form
    assert "Was ist nicht bekannt?" in form and "Ungefähres Alter in Jahren" in form
    data = {"vorname": "Mia", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": "5"}
    opened = ui.post_form(url, {**data, "wohnort_gemeinde": "Goch"}, token_from=url, follow_redirects=True)
    assert opened.status_code == 200 and "Eingang erfassen" in _text(opened)
    [case] = world.engine.cases(world["goch_fk"]).rows
    page = _text(ui.get(f"/faelle/{case['id']}"))
    assert "Mia (unbekannt)" in page and "unbekannt (ungefähr 5 Jahre)" in page


def test_a_missing_age_is_asked_for_at_the_field(ui):
    url = "/faelle/neu/jugendamt_8a"
    ui.login("goch_fk")
    data = {"vorname": "Mia", "nachname": "Beispiel", "unbekannt": ["geburtsdatum"], "wohnort_gemeinde": "Goch"}
    refused = ui.post_form(url, data, token_from=url)
    assert refused.status_code == 422 and "das ungefähre Alter an (0 bis 17 Jahre)" in _text(refused)


def test_a_kitas_form_has_no_unknown_fields(ui):
    ui.login("kita_fk")
    form = _text(ui.get("/faelle/neu/traeger_8a"))
    assert "Was ist nicht bekannt?" not in form and "Ungefähres Alter" not in form
    assert "was Sie beobachtet haben" in form
