"""Notfallzugriffe (R35) in the browser: the Bereitschaftsdienst asks with a reason (a word is refused
with the field's message), the case page opens with "Notfallzugriff bis HH:MM Uhr" and closes again
when the clock passes the end; the Leitung reviews the ended access with a comment; a Fachkraft has
no such page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.break_glass import COMMENT, REASON, arrange

#: The pages on SQLite; the engine's side runs on both databases in tests/integration/test_break_glass.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PAGE = "/notfallzugriffe"


@pytest.fixture
def bg(world, child):
    return arrange(world, child)  # before `ui`: its users get the test password


def test_ask_read_until_the_end_and_review(bg, ui):
    case_page = f"/faelle/{bg.goch_case.case_id}"
    ui.login("goch_bereitschaft")
    assert ui.get(case_page).status_code == 404
    form = {"aktenzeichen": bg.goch_case.reference, "grund": "Notfall", "stunden": "3"}
    refused = ui.post_form(PAGE, form, token_from=PAGE)
    assert refused.status_code == 422 and "in einem ganzen Satz" in refused.get_data(as_text=True)
    foreign = ui.post_form(PAGE, {**form, "aktenzeichen": bg.kevelaer_case.reference, "grund": REASON}, token_from=PAGE)
    assert foreign.status_code == 404 and "gibt es in Ihrem Jugendamt nicht" in foreign.get_data(as_text=True)

    granted = ui.post_form(PAGE, {**form, "grund": REASON}, token_from=PAGE)  # 09:00 + 3 hours
    assert granted.status_code == 302 and granted.headers["Location"].endswith(case_page)
    shown = ui.get(case_page).get_data(as_text=True)
    assert "Notfallzugriff bis 12:00 Uhr" in shown and "Beispielkind" in shown
    assert "Löschsperre" not in shown
    listed = ui.get(PAGE).get_data(as_text=True)
    assert REASON in listed and f'href="{case_page}"' in listed

    ui.clock.advance(timedelta(hours=3))  # the session has ended too: sign in again
    ui.login("goch_bereitschaft")
    assert ui.get(case_page).status_code == 404

    ui.login("goch_leitung")
    review = f"{PAGE}/1/pruefung"  # the only access
    empty = ui.post_form(review, {"kommentar_1": "ok"}, token_from=PAGE)
    assert empty.status_code == 422 and "was die Prüfung ergeben hat" in empty.get_data(as_text=True)
    assert ui.post_form(review, {"kommentar_1": COMMENT}, token_from=PAGE).status_code == 302
    done = ui.get(PAGE).get_data(as_text=True)
    assert "Geprüft am" in done and COMMENT in done and "Als geprüft vermerken" not in done


def test_a_fachkraft_has_no_notfallzugriff(bg, ui):
    ui.login("goch_fk")
    assert ui.get(PAGE).status_code == 403
    asked = ui.post_form(PAGE, {"aktenzeichen": bg.goch_case.reference, "grund": REASON}, token_from="/konto")
    assert asked.status_code == 403
    assert "Notfallzugriffe" not in ui.get("/aufgaben").get_data(as_text=True)
