"""Prüfen und senden (issue 16): a step that sends something to another organisation shows what,
to whom and what stays, before anything is sent or saved; back keeps the values; a changed case or
an altered form is refused; afterwards the recipient and the time are named."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import update

from engine.persistence import models as m
from tests.process.test_paths_traeger_8a import MELDUNG
from tests.support.cases import BEOBACHTUNG, complete, open_tasks, to_meldung, to_rueckmeldung

GOCH = "Stadtjugendamt Goch"
_TOKEN = re.compile(r'name="sp_pruefung" value="([^"]+)"')


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


@pytest.fixture
def at_meldung(world, child) -> int:
    """A Kita case whose consultation found the danger not avertable: the Meldung is the next step."""
    case_id = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    to_meldung(world, case_id)
    return case_id


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _form(values: dict) -> dict:
    """The step's fields as the browser posts them (booleans as the radio values, lists repeated)."""
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in values.items()}


def _meldung_url(world, case_id: int) -> str:
    return f"/faelle/{case_id}/schritte/{open_tasks(world, 'kita_leitung', case_id)['meldung_jugendamt']['id']}"


def _linked(world, case_id: int) -> list:
    return world.engine.case(world["kita_leitung"], case_id)["links"]


def test_the_meldung_is_checked_before_it_is_sent_and_the_recipient_and_time_are_named(ui, world, at_meldung):
    url = _meldung_url(world, at_meldung)
    ui.login("kita_leitung")
    form = ui.get(url)
    assert "Weiter: prüfen, was gesendet wird" in _text(form) and "Schritt abschließen" not in _text(form)

    check = ui.post_form(url, _form(MELDUNG), token_from=url)
    page = " ".join(_text(check).split())
    assert check.status_code == 200 and f"Prüfen und an {GOCH} senden" in page
    sent = page[page.index(f"Das erhält {GOCH}") : page.index("Das wird nicht gesendet")]
    assert MELDUNG["zusammenfassung"] in sent and "Körperliche Misshandlung" in sent and "Beispielkind" in sent
    withheld = page[page.index("Das wird nicht gesendet") :]
    assert "Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft" in withheld and "Empfehlung" in withheld
    assert "Beobachtungen" in withheld and BEOBACHTUNG["beobachtungen"] not in page
    assert f"Jetzt an {GOCH} senden" in page
    assert not _linked(world, at_meldung) and "meldung_jugendamt" in open_tasks(world, "kita_leitung", at_meldung)

    token = _TOKEN.search(check.get_data(as_text=True)).group(1)
    back = ui.post_form(url, {"sp_aktion": "zurueck", "sp_pruefung": token}, token_from=url)
    assert back.status_code == 200 and MELDUNG["grund_nicht_informiert"] in _text(back)  # the values are kept
    assert not _linked(world, at_meldung)

    done = ui.post_form(url, {"sp_aktion": "senden", "sp_pruefung": token}, token_from=url, follow_redirects=True)
    assert f"Gesendet an {GOCH} am 02.03.2026 um 09:00 Uhr." in _text(done)
    [link] = _linked(world, at_meldung)
    assert link["relation"] == "meldung_an"


def test_an_altered_or_foreign_check_sends_nothing(ui, world, at_meldung):
    url = _meldung_url(world, at_meldung)
    ui.login("kita_leitung")
    token = _TOKEN.search(ui.post_form(url, _form(MELDUNG), token_from=url).get_data(as_text=True)).group(1)
    altered = ui.post_form(url, {"sp_aktion": "senden", "sp_pruefung": token[:-2] + "xx"}, token_from=url)
    assert altered.status_code == 400 and "es wurde nichts gesendet" in _text(altered)
    ui.login("kita_leitung2")  # the same Leitung role, another person: the check is not theirs
    foreign = ui.post_form(url, {"sp_aktion": "senden", "sp_pruefung": token}, token_from=url)
    assert foreign.status_code == 400 and not _linked(world, at_meldung)


def test_a_case_changed_since_the_check_is_refused_with_the_values_kept(ui, world, at_meldung):
    url = _meldung_url(world, at_meldung)
    ui.login("kita_leitung")
    token = _TOKEN.search(ui.post_form(url, _form(MELDUNG), token_from=url).get_data(as_text=True)).group(1)
    with world.engine.writing() as uow:  # somebody else's change meanwhile
        uow.session.execute(update(m.Case).where(m.Case.id == at_meldung).values(version=m.Case.version + 1))
        uow.commit()
    stale = ui.post_form(url, {"sp_aktion": "senden", "sp_pruefung": token}, token_from=url)
    assert stale.status_code == 409 and "es wurde nichts gesendet" in _text(stale)
    assert MELDUNG["zusammenfassung"] in _text(stale) and not _linked(world, at_meldung)


def test_invalid_values_show_the_form_not_the_check(ui, world, at_meldung):
    url = _meldung_url(world, at_meldung)
    ui.login("kita_leitung")
    refused = ui.post_form(url, _form({**MELDUNG, "zusammenfassung": ""}), token_from=url)
    assert refused.status_code == 422 and "Prüfen und an" not in _text(refused)


def test_the_rueckmeldung_check_names_the_kita_and_the_two_facts_only(ui, world, at_meldung):
    complete(world, "kita_leitung", at_meldung, "meldung_jugendamt", MELDUNG)
    [link] = _linked(world, at_meldung)
    ja = link["case_id"]
    to_rueckmeldung(world, ja)
    url = f"/faelle/{ja}/schritte/{open_tasks(world, 'goch_fk', ja)['rueckmeldung_melder']['id']}"
    ui.login("goch_fk")
    check = ui.post_form(
        url, {"betroffene_informiert": "true", "anhaltspunkte_bestaetigt": "true", "ja_taetig": "false"}, token_from=url
    )
    page = " ".join(_text(check).split())
    kita = "Kita Regenbogen Kevelaer"
    assert f"Prüfen und an {kita} senden" in page
    sent = page[page.index(f"Das erhält {kita}") : page.index("Das wird nicht gesendet")]
    assert "Beispielkind" not in sent and "Angaben zum Kind" not in sent
    assert "Ersteinschätzung" in page[page.index("Das wird nicht gesendet") :]
    token = _TOKEN.search(check.get_data(as_text=True)).group(1)
    done = ui.post_form(url, {"sp_aktion": "senden", "sp_pruefung": token}, token_from=url, follow_redirects=True)
    assert f"Gesendet an {kita} am 02.03.2026 um 09:00 Uhr." in _text(done)
    assert "rueckmeldung_zur_kenntnis" in open_tasks(world, "kita_leitung", at_meldung)
