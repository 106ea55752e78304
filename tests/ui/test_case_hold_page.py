"""The Löschsperre on the case page (R25): the Jugendamt's Leitung sets and releases it with a reason,
a Fachkraft of the Jugendamt sees that the case is held but has no form, and a refusal is shown."""

from __future__ import annotations

import pytest

#: The page on SQLite; the engine's holds run on both databases in tests/integration/test_retention.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_leitung_sets_and_releases_a_hold_on_the_case_page(ui, world, child):
    case_id = world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child).case_id
    page = f"/faelle/{case_id}"
    ui.login("goch_leitung")
    assert "Löschsperre setzen" in ui.get(page).get_data(as_text=True)
    empty = ui.post_form(f"{page}/loeschsperre", {"grund": ""}, token_from=page)
    assert empty.status_code == 422 and "mindestens 5 Zeichen" in empty.get_data(as_text=True)
    done = ui.post_form(f"{page}/loeschsperre", {"grund": "Verfahren Az. 12 F 34/26 anhängig"}, token_from=page)
    assert done.status_code == 302
    shown = ui.get(page).get_data(as_text=True)
    assert "Löschsperre gesetzt" in shown and "Grund: Verfahren Az. 12 F 34/26 anhängig" in shown
    assert "Löschsperre aufheben" in shown
    ui.logout()

    ui.login("goch_fk")
    held = ui.get(page).get_data(as_text=True)
    assert "Für diesen Fall besteht eine Löschsperre" in held and "12 F 34/26" not in held
    assert 'action="/faelle/' not in held.split("sp-hold-title")[1].split("</section>")[0]
    refused = ui.post_form(f"{page}/loeschsperre/aufheben", {"grund": "Nicht mehr nötig"}, token_from=page)
    assert refused.status_code == 403 and "Leitung des Jugendamts" in refused.get_data(as_text=True)
    ui.logout()

    ui.login("goch_leitung")
    released = ui.post_form(f"{page}/loeschsperre/aufheben", {"grund": "Verfahren abgeschlossen"}, token_from=page)
    assert released.status_code == 302
    assert "Keine Löschsperre" in ui.get(page).get_data(as_text=True)
