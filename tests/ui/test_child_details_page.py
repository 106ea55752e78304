"""Angaben zum Kind ergänzen (issue 16 item 2): from the case page of a Jugendamt's own report, the
surname and birth date the caller did not know are added later; the file shows who did it and when.
A Kita's worker never reaches the page of a Jugendamt's case."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

CALL = {"vorname": "Mia", "unbekannt": ["nachname", "geburtsdatum"], "alter_geschaetzt": 5, "wohnort_gemeinde": "Goch"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def call(world) -> int:
    return world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=CALL).case_id


def test_the_jugendamt_completes_the_childs_data_from_the_case_page(ui, call):
    ui.login("goch_fk")
    page = _text(ui.get(f"/faelle/{call}"))
    assert "Angaben zum Kind ergänzen" in page
    url = f"/faelle/{call}/angaben"
    form = _text(ui.get(url))
    assert "Bisher unbekannt: Nachname, Geburtsdatum" in form
    data = {"vorname": "Mia", "nachname": "Beispiel", "geburtsdatum": "14.09.2020", "anschrift.strasse": "Am Markt 3"}
    done = ui.post_form(url, data, token_from=url, follow_redirects=True)
    assert done.status_code == 200
    page = _text(done)
    assert "Angaben zum Kind ergänzt: Nachname, Geburtsdatum, Anschrift." in page
    assert "Mia Beispiel" in page and "14.09.2020" in page and "ungefähr" not in page
    entry = r"Angaben zum Kind ergänzt \d\d\.\d\d\.\d{4}, \d\d:\d\d · Goch Fk \(Stadtjugendamt Goch\)"
    assert re.search(entry, page), page


def test_a_wrong_birth_date_is_shown_at_the_field(ui, call):
    ui.login("goch_fk")
    url = f"/faelle/{call}/angaben"
    refused = ui.post_form(url, {"geburtsdatum": "14.09.2030"}, token_from=url)
    assert (
        refused.status_code == 422
        and "Das Geburtsdatum liegt in der Zukunft. Geben Sie ein Datum bis heute an." in _text(refused)
    )


def test_others_do_not_reach_the_page(ui, call):
    ui.login("kita_fk")
    assert ui.get(f"/faelle/{call}/angaben").status_code == 404


def test_the_sorgeberechtigte_are_added_later_on_the_same_page(ui, call):
    ui.login("goch_fk")
    url = f"/faelle/{call}/angaben"
    assert 'name="sp_aktion" value="eintrag"' in ui.get(url).get_data(as_text=True)
    more = ui.post_form(url, {"nachname": "Beispiel", "sp_aktion": "eintrag"}, token_from=url)
    assert more.status_code == 200 and 'value="Beispiel"' in more.get_data(as_text=True)  # shown again, unsaved
    assert "Sorgeberechtigte" in _text(more) and "ergänzt" not in _text(more)
    mother = {"sorgeberechtigte.0.name": "Anna Beispiel", "sorgeberechtigte.0.beziehung": "Mutter"}
    done = ui.post_form(url, {**mother, "sorgeberechtigte.0.sorgerecht": "true"}, token_from=url, follow_redirects=True)
    assert "Angaben zum Kind ergänzt: Sorgeberechtigte." in _text(done)
    assert "Anna Beispiel" in _text(done)
    again = ui.get(url).get_data(as_text=True)  # what is known is shown to be corrected
    assert 'value="Anna Beispiel"' in again and 'value="Mutter"' in again
    unchanged = ui.post_form(url, {"sorgeberechtigte.0.name": ""}, token_from=url)
    assert unchanged.status_code == 422 and "Sie haben keine Angabe ergänzt oder geändert." in _text(unchanged)
