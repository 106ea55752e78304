"""Abgabe an ein anderes Jugendamt in the UI (R37): the case page offers it to the Jugendamt's case
workers only, the confirm page lists what is sent, to whom and what stays, back keeps the values, and
after sending the sender's case is closed while Jugendamt Kevelaer finds the new case in its Eingang."""

from __future__ import annotations

import re

import pytest

#: The pages on SQLite; the transfer runs on both databases in tests/integration/test_transfer.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

NOTE = "Familie zieht nach Kevelaer; Hausbesuch steht aus."
FORM = {"jugendamt": "ja-kevelaer", "anlass": "umzug", "uebergabevermerk": NOTE}


def test_check_then_hand_over_and_the_receiver_finds_it_in_its_eingang(ui, world, child):
    case_id = world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child).case_id
    page, form = f"/faelle/{case_id}", f"/faelle/{case_id}/abgabe"
    ui.login("goch_fk")
    assert "An ein anderes Jugendamt abgeben" in ui.get(page).get_data(as_text=True)
    offered = ui.get(form).get_data(as_text=True)
    assert "Stadtjugendamt Kevelaer" in offered and 'value="ja-goch"' not in offered

    empty = ui.post_form(form, {"sp_aktion": "pruefen"}, token_from=form)
    assert empty.status_code == 422 and "Bitte wählen Sie das Jugendamt" in empty.get_data(as_text=True)

    check = ui.post_form(form, {**FORM, "sp_aktion": "pruefen"}, token_from=form)
    shown = check.get_data(as_text=True)
    assert check.status_code == 200 and "Prüfen und an Stadtjugendamt Kevelaer abgeben" in shown
    assert NOTE in shown and "Umzug der Familie (§ 86 SGB VIII)" in shown and child["nachname"] in shown
    assert "Das wird nicht gesendet" in shown and "die Identität der meldenden Person" in shown

    back = ui.post_form(form, {**FORM, "sp_aktion": "zurueck"}, token_from=form)
    assert back.status_code == 200 and NOTE in back.get_data(as_text=True)

    sent = ui.post_form(form, {**FORM, "sp_aktion": "senden"}, token_from=form)
    assert sent.status_code == 302
    closed = ui.get(page).get_data(as_text=True)
    [new_reference] = re.findall(r"\(dort (KS-[0-9-]+)\)", closed)
    assert "an Stadtjugendamt Kevelaer abgegeben" in closed and "Fall abgegeben an Stadtjugendamt Kevelaer" in closed
    assert "An ein anderes Jugendamt abgeben" not in closed
    ui.logout()

    ui.login("kevelaer_fk")
    eingang = ui.get("/eingang").get_data(as_text=True)
    assert new_reference in eingang and "Eingang erfassen" in eingang


def test_the_traeger_and_another_jugendamt_get_no_transfer(ui, world, child):
    case_id = world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child).case_id
    ui.login("kevelaer_fk")
    assert ui.get(f"/faelle/{case_id}/abgabe").status_code == 404
    ui.logout()
    ui.login("kita_fk")
    assert ui.get(f"/faelle/{case_id}/abgabe").status_code == 404
    ui.logout()
    kita = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    ui.login("kita_fk")
    assert ui.get(f"/faelle/{kita}/abgabe").status_code == 403
    assert "An ein anderes Jugendamt abgeben" not in ui.get(f"/faelle/{kita}").get_data(as_text=True)
    form = f"/faelle/{kita}/abgabe"
    refused = ui.post_form(form, {**FORM, "sp_aktion": "pruefen"}, token_from=f"/faelle/{kita}")
    assert refused.status_code == 403 and "Nur Fachkräfte und die Leitung des Jugendamts" in refused.get_data(
        as_text=True
    )
