"""The quality review pages (LKSG § 8): the Leitung draws a sample on a form (TT.MM.JJJJ), the reviewer
reads each sampled case with no identifying data on the page (searched for every marker of the test
child), free texts only after the Kita's Leitung released them on the case page; the review form
with its errors and the counts on the sample's page; every other person gets a 404."""

from __future__ import annotations

import re

import pytest

from tests.support.cases import BEOBACHTUNG
from tests.support.quality import MARKERS, REVIEW, add_users, closed_cases, sample_request

#: The pages on SQLite; the engine's side runs on both databases in tests/integration/test_quality_review.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def quality_ui(world, request):
    add_users(world)  # before the app gives every user the test password
    world.cases = closed_cases(world, 2)
    return request.getfixturevalue("ui")


def _html(response) -> str:
    return response.get_data(as_text=True)


def _leaks(html: str) -> list[str]:
    return [marker for marker in MARKERS if marker in html]


def test_draw_review_release_and_results_through_the_pages(quality_ui, world):
    ui = quality_ui
    ui.login("kevelaer_leitung")
    assert "Neue Stichprobe ziehen" in _html(ui.get("/qualitaet"))
    empty = ui.post_form("/qualitaet/neu", {"bereich": "jugendamt"}, token_from="/qualitaet/neu")
    assert empty.status_code == 422 and "Bitte prüfen Sie Ihre Eingaben" in _html(empty)
    day = world.engine.clock.now().strftime("%d.%m.%Y")
    form = {"bereich": "jugendamt", "schluessel_jugendamt": "ja-kevelaer", "von": day, "bis": day, "anzahl": "2"}
    drawn = ui.post_form("/qualitaet/neu", {**form, "pruefer": "pruefer"}, token_from="/qualitaet/neu")
    assert drawn.status_code == 302
    sample = drawn.headers["Location"]
    owner_view = _html(ui.get(sample))
    assert "Startwert" in owner_view and "2 von 2 abgeschlossenen Fällen gezogen" in owner_view
    assert "/faelle/1" not in owner_view  # the owner sees progress and results, not the files
    ui.logout()

    ui.login("pruefer")
    assert sample in _html(ui.get("/qualitaet"))
    case_page = f"{sample}/faelle/1"
    before = _html(ui.get(case_page))
    assert not _leaks(before) and "Person A" in before and "6 Jahre" in before
    assert BEOBACHTUNG["beobachtungen"] not in before and "Freitexte sind nicht freigegeben" in before
    wrong = ui.post_form(case_page, {**REVIEW, "fristen": ""}, token_from=case_page)
    assert wrong.status_code == 422 and "Fristen eingehalten" in _html(wrong) and not _leaks(_html(wrong))
    saved = ui.post_form(case_page, REVIEW, token_from=case_page)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"{sample}/faelle/2")
    results = _html(ui.get(sample))
    assert re.search(r"Lückenhaft</th><td>1</td>", results) and "1 von 2 Fällen geprüft" in results
    assert not _leaks(results)
    ui.logout()

    ui.login("kita_leitung")
    for case_id in world.cases:
        shown = _html(ui.get(f"/faelle/{case_id}"))
        assert "Freitexte zur Qualitätsprüfung freigeben" in shown
        assert ui.post_form(f"/faelle/{case_id}/qualitaet-freigabe", token_from=f"/faelle/{case_id}").status_code == 302
    assert "Die Freitexte dieses Falls sind zur Qualitätsprüfung freigegeben" in _html(
        ui.get(f"/faelle/{world.cases[0]}")
    )
    ui.logout()

    ui.login("pruefer")
    after = _html(ui.get(case_page))
    assert BEOBACHTUNG["beobachtungen"] in after and not _leaks(after)
    assert "Die Beobachtung ist knapp." in after  # the stored comment is shown again
    ui.logout()

    ui.login("kita_leitung")  # the release withdrawn: the reviewer's next reading is without free texts
    for case_id in world.cases:
        page = f"/faelle/{case_id}"
        assert "Freigabe zurücknehmen" in _html(ui.get(page))
        assert ui.post_form(f"{page}/qualitaet-freigabe/zuruecknehmen", token_from=page).status_code == 302
        assert "Freitexte zur Qualitätsprüfung freigeben" in _html(ui.get(page))
    ui.logout()
    ui.login("pruefer")
    withdrawn = _html(ui.get(case_page))
    assert BEOBACHTUNG["beobachtungen"] not in withdrawn and "Freitexte sind nicht freigegeben" in withdrawn


def test_deny_by_default(quality_ui, world):
    ui = quality_ui
    today = world.engine.clock.now().date().isoformat()
    request = {"bereich": "jugendamt", "schluessel": "ja-kevelaer", "von": today, "bis": today, "anzahl": 1}
    sample = world.engine.draw_quality_sample(world["kevelaer_leitung"], {**request, "pruefer": "pruefer"})
    page = f"/faelle/{world.cases[0]}"
    for user in ("goch_leitung", "pruefer_dueren", "kita_fk"):
        ui.login(user)
        assert ui.get(f"/qualitaet/{sample}").status_code == 404, user
        assert ui.get(f"/qualitaet/{sample}/faelle/1").status_code == 404, user
        assert f"/qualitaet/{sample}" not in _html(ui.get("/qualitaet"))
        assert ui.get("/qualitaet/neu").status_code == (200 if user == "goch_leitung" else 404), user
    # another Jugendamt's Leitung cannot draw from Kevelaer's cases; a Fachkraft cannot release
    day = world.engine.clock.now().strftime("%d.%m.%Y")
    form = {"bereich": "jugendamt", "schluessel_jugendamt": "ja-kevelaer", "von": day, "bis": day, "anzahl": "1"}
    assert "Freitexte zur Qualitätsprüfung freigeben" not in _html(ui.get(page))
    assert ui.post_form(f"{page}/qualitaet-freigabe", token_from=page).status_code == 403
    ui.login("goch_leitung")
    drawn = ui.post_form("/qualitaet/neu", {**form, "pruefer": "pruefer"}, token_from="/qualitaet/neu")
    assert drawn.status_code == 403


def test_results_per_period_exact_for_the_leitung_suppressed_for_the_network(quality_ui, world):
    ui, engine = quality_ui, world.engine
    sample = engine.draw_quality_sample(world["kevelaer_leitung"], sample_request(world, anzahl=2))
    for position in (1, 2):
        engine.save_quality_review(world["pruefer"], sample, position, REVIEW)
    pseudonyms = [c.pseudonym for c in engine.quality_results(world["pruefer"], sample).sample.cases]
    references = [engine.case(world["kita_leitung"], case_id)["reference"] for case_id in world.cases]

    ui.login("kevelaer_leitung")
    assert 'href="/qualitaet/ergebnisse"' in _html(ui.get("/qualitaet"))
    own = _html(ui.get("/qualitaet/ergebnisse"))  # its Jugendamt, the current quarter: exact
    assert "1. Quartal 2026" in own and re.search(r"Lückenhaft</th><td[^>]*>2</td>", own)
    assert '<svg class="sp-chart" role="img"' in own and own.count('<table class="kern-table sp-kz-table') == 5
    year = _html(ui.get("/qualitaet/ergebnisse?auswahl=jugendamt:ja-kevelaer&zeitraum=2026"))
    assert '<option value="2026" selected>Jahr 2026</option>' in year and re.search(
        r"Lückenhaft</th><td[^>]*>2</td>", year
    )
    assert ui.get("/qualitaet/ergebnisse?zeitraum=irgendwann").status_code == 422
    assert ui.get("/qualitaet/ergebnisse?auswahl=jugendamt:ja-goch").status_code == 404
    ui.logout()

    network = engine.quality_draw_options(world["kevelaer_leitung"]).netzwerke[0][0]
    across = {"bereich": "netzwerk", "schluessel": network, "pruefer": "pruefer"}
    shared = engine.draw_quality_sample(world["kevelaer_leitung"], sample_request(world, **across))
    engine.save_quality_review(world["pruefer"], shared, 1, REVIEW)
    ui.login("pruefer")  # the reviewer reads the network's figures only, its own sample exactly
    reviewer = _html(ui.get("/qualitaet/ergebnisse"))
    assert f'<option value="netzwerk:{network}" selected>' in reviewer
    assert re.search(r"Lückenhaft</th><td[^>]*>1</td>", reviewer)
    assert ui.get("/qualitaet/ergebnisse?auswahl=jugendamt:ja-kevelaer").status_code == 404
    ui.logout()
    ui.login("goch_leitung")  # another Jugendamt's Leitung: the network's small counts hidden
    found = ui.get(f"/qualitaet/ergebnisse?auswahl=netzwerk:{network}")
    html = _html(found)
    assert found.status_code == 200 and re.search(r"Lückenhaft</th><td[^>]*>&lt; 5</td>", html)
    assert ">1</td>" not in html and "Zahlen unter 5" in html
    for page in (own, year, reviewer, html):  # nothing that points to the child or a case
        assert not _leaks(page) and not [m for m in pseudonyms + references if m in page]
    ui.logout()

    ui.login("kita_leitung")
    assert ui.get("/qualitaet/ergebnisse").status_code == 403
    assert 'href="/qualitaet/ergebnisse"' not in _html(ui.get("/qualitaet"))
