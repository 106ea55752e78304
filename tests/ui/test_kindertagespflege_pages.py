"""A Tagespflegeperson's case (kindertagespflege_8a, § 8a Abs. 5 SGB VIII) end to end through the pages:
she opens it (her only procedure), documents; the Jugendamt's Fachberatung Kindertagespflege finds the
offer under Beratungen, assesses with the pseudonym only; the insofa advises; the Tagespflegeperson
decides on a Meldung, checks what is sent and sends it to the Jugendamt Goch, whose Eingang has it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.conftest import populate_world
from tests.support.cases import open_tasks
from tests.support.kindertagespflege import add_kindertagespflege

GOCH = "Stadtjugendamt Goch"
_TOKEN = re.compile(r'name="sp_pruefung" value="([^"]+)"')


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


@pytest.fixture
def world(case_engine):
    """The shared world with the Tagespflegeperson and the Fachberatung, before the UI sets passwords."""
    return add_kindertagespflege(populate_world(case_engine))


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def _step(world, user: str, case_id: int, key: str) -> str:
    return f"/faelle/{case_id}/schritte/{open_tasks(world, user, case_id)[key]['id']}"


def _post_step(ui, world, user: str, case_id: int, key: str, values: dict):
    url = _step(world, user, case_id, key)
    done = ui.post_form(url, values, token_from=url)
    assert done.status_code == 302, _text(done)
    return done


def test_a_tagespflege_case_from_the_first_note_to_the_meldung(ui, world):
    ui.login("tp")
    assert ui.get("/faelle/neu").headers["Location"].endswith("/faelle/neu/kindertagespflege_8a")
    assert ui.get("/faelle/neu/traeger_8a").status_code == 404  # the Träger's procedure is not hers
    url = "/faelle/neu/kindertagespflege_8a"
    child = {"vorname": "Lea", "nachname": "Vorlage", "geburtsdatum": "14.06.2023", "wohnort_gemeinde": "Goch"}
    assert ui.post_form(url, child, token_from=url).status_code == 302
    [case] = world.engine.cases(world["tp"]).rows
    observation = "Das Kind hat Striemen am Rücken und weint beim Wickeln."
    _post_step(
        ui,
        world,
        "tp",
        case["id"],
        "anhaltspunkte_dokumentieren",
        {"beobachtungen": observation, "beobachtet_am": "02.03.2026 08:15", "quelle": "eigene_beobachtung",
         "aussagen_kind": "", "akute_gefahr": "false"},
    )  # fmt: skip

    waiting = _text(ui.get(f"/faelle/{case['id']}"))  # the Fachberatung's turn, said in words
    assert "Jetzt ist die Fachberatung Kindertagespflege im Jugendamt am Zug – für Sie ist nichts zu tun." in waiting

    ui.login("goch_fb")
    offers = ui.get("/beratungen")
    assert offers.status_code == 200 and case["pseudonym"] in _text(offers)
    assert "Anhaltspunkte mit der Fachberatung bewerten" in _text(offers)
    page = _text(ui.get(_step(world, "goch_fb", case["id"], "fachberatung_einschaetzung")))
    assert observation in page and "Vorlage" not in page and case["pseudonym"] in page
    _post_step(
        ui,
        world,
        "goch_fb",
        case["id"],
        "fachberatung_einschaetzung",
        {"gewichtige_anhaltspunkte": "true", "einschaetzung_fachberatung": "Gewichtig.", "insofa": ""},
    )
    assert "Vorlage" not in _text(ui.get(f"/faelle/{case['id']}"))

    ui.login("insofa_kleve")
    beratung = {"beratung_am": "02.03.2026", "einschaetzung": "kwg_nicht_abwendbar", "empfehlung": "Melden."}
    _post_step(ui, world, "insofa_kleve", case["id"], "insofa_beratung", {**beratung, "dissens": ""})

    decision = ui.get(_step(world, "tp", case["id"], "vorgehen_festlegen"))  # the link typed in by the insofa
    assert decision.status_code == 403
    assert "Jetzt ist die Tagespflegeperson am Zug – für Sie ist nichts zu tun." in _text(decision)

    ui.login("tp")
    vorgehen = {"vorgehen": "meldung", "begruendung": "Die Eltern lehnen jede Hilfe ab."}
    _post_step(ui, world, "tp", case["id"], "vorgehen_festlegen", vorgehen)
    url = _step(world, "tp", case["id"], "meldung_jugendamt")
    meldung = {
        "eltern_vorab_informiert": "true",
        "grund_nicht_informiert": "",
        "gefaehrdungsbereiche": "koerperliche_misshandlung",
        "zusammenfassung": "Striemen am Rücken, Eltern lehnen Hilfe ab.",
    }
    check = ui.post_form(url, meldung, token_from=url)
    page = _text(check)
    assert check.status_code == 200 and f"Prüfen und an {GOCH} senden" in page
    assert "Vorlage" in page[page.index(f"Das erhält {GOCH}") : page.index("Das wird nicht gesendet")]
    assert observation not in page  # her own documentation stays with her
    token = _TOKEN.search(check.get_data(as_text=True)).group(1)
    sent = ui.post_form(url, {"sp_aktion": "senden", "sp_pruefung": token}, token_from=url, follow_redirects=True)
    assert f"Gesendet an {GOCH}" in _text(sent)

    [link] = world.engine.case(world["tp"], case["id"])["links"]
    ui.login("goch_fk")
    assert link["reference"] in _text(ui.get("/eingang"))
    eingang = _text(ui.get(_step(world, "goch_fk", link["case_id"], "eingang_erfassen")))
    assert "Striemen am Rücken, Eltern lehnen Hilfe ab." in eingang
