"""The lists through the browser's eyes (issue 10, items 5 and 6): the Eingang, Fälle and Meine
Aufgaben show the urgency in colour and word, urgent first; the own organisation sees the child's
name and age, the current step and its due time; the insofa's lists keep pseudonyms; the Verlauf
names people by display name."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.process.conftest import EINGANG
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG, complete, sofortmeldung


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _sofortmeldung(world, child) -> dict:
    return world.engine.case(world["goch_fk"], sofortmeldung(world, child))


def _rows(html: str) -> list[str]:
    body = html[html.index("<tbody") :]
    return re.findall(r"<tr class=\"kern-table__row[^\"]*\">.*?</tr>", body, re.S)


def test_the_eingang_shows_a_sofortmeldung_first_in_colour_and_word(ui, world, child):
    plain = world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child={**child, "vorname": "Ben"})
    akut = _sofortmeldung(world, child)
    ui.login("goch_fk")
    html = _text(ui.get("/eingang"))
    tasks = _rows(html)
    assert akut["reference"] in tasks[0] and "Sofortmeldung – akut" in tasks[0] and "sp-ampel--akut" in tasks[0]
    assert "sp-row--akut" in tasks[0] and "Mia Beispielkind (5 Jahre)" in tasks[0]
    assert "keine Frist" not in html
    assert html.index(akut["reference"]) < html.index(world.engine.case(world["goch_fk"], plain.case_id)["reference"])
    assert "nicht eingestuft" in html

    ui.clock.advance(timedelta(hours=2))
    ui.login("goch_fk")  # the session expired meanwhile
    overdue = _rows(_text(ui.get("/eingang")))[0]
    assert "überfällig" in overdue and "sp-row--overdue" in overdue


def test_the_case_list_shows_child_step_due_and_responsible_by_name(ui, world, child):
    akut = _sofortmeldung(world, child)
    world.engine.take_over(world["goch_fk"], akut["id"])
    ui.login("goch_fk2")
    [row, *_] = _rows(_text(ui.get("/faelle")))
    for expected in (akut["reference"], "Sofortmeldung – akut", "Mia Beispielkind", "Eingang erfassen", "Goch Fk"):
        assert expected in row
    assert "goch_fk" not in row
    meine = _text(ui.get("/aufgaben"))
    assert "Sofortmeldung – akut" in meine and "Mia Beispielkind" in meine


def test_the_verlauf_names_people_by_display_name(ui, world, child):
    akut = _sofortmeldung(world, child)
    complete(world, "goch_fk", akut["id"], "eingang_erfassen", EINGANG)
    ui.login("goch_fk2")
    html = _text(ui.get(f"/faelle/{akut['id']}"))
    history = html[html.index('id="sp-file-title"') :]  # the Fallakte
    assert "Goch Fk" in history and "goch_fk" not in history


def test_the_insofa_lists_keep_pseudonyms(ui, world, child):
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(world, "kita_fk", case.case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    values = {
        "gewichtige_anhaltspunkte": True,
        "einschaetzung_leitung": "Beratung nötig.",
        "fallschilderung": FALLSCHILDERUNG,
    }
    complete(world, "kita_leitung", case.case_id, "leitung_informieren", values)
    ui.login("insofa_kleve")
    for page in ("/beratungen", "/aufgaben"):
        html = _text(ui.get(page))
        assert world.engine.case(world["kita_fk"], case.case_id)["pseudonym"] in html
        assert "Mia" not in html and "Beispielkind" not in html and "Jahre)" not in html
