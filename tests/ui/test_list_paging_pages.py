"""The list pages a page at a time, with filters (issue 11, item 1): "Nächste Seite" and "Zur ersten
Seite" (keyset: no page numbers), a GET form with the API's filter names, two lists of one page
(Eingang, Beratungen) paged each on its own, and a wrong address answered with the page, the
engine's German message and 422 — never a list that quietly ignores what was asked."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG, complete, sofortmeldung


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _rows(page: str) -> list[str]:
    """The body rows of the page's tables."""
    bodies = re.findall(r"<tbody.*?</tbody>", page, re.S)
    return [row for body in bodies for row in re.findall(r"<tr class=\"kern-table__row[^\"]*\">.*?</tr>", body, re.S)]


def _link(page: str, text: str, after: str = "") -> str | None:
    """The href of the first link with `text` (after the marker `after`), unescaped."""
    found = re.search(r'<a class="kern-link" href="([^"]+)"[^>]*>' + re.escape(text) + "<", page[page.index(after) :])
    return html.unescape(found[1]) if found else None


def _cases(world, child, n: int, user: str = "goch_fk") -> list[int]:
    return [world.engine.open_case(world[user], process_key="jugendamt_8a", child=child).case_id for _ in range(n)]


def test_the_case_list_pages_on_and_back_to_the_first_page(ui, world, child):
    _cases(world, child, 3)
    ui.login("goch_fk")
    first = _text(ui.get("/faelle?limit=2"))
    assert len(_rows(first)) == 2 and _link(first, "Zur ersten Seite") is None
    assert 'aria-label="Seiten der Fallliste"' in first and 'rel="next"' in first
    following = _link(first, "Nächste Seite")
    assert following is not None and parse_qs(urlsplit(following).query)["limit"] == ["2"]
    second = _text(ui.get(following))
    assert len(_rows(second)) == 1 and _link(second, "Nächste Seite") is None
    assert _link(second, "Zur ersten Seite") == "/faelle?limit=2"
    assert set(_rows(first)).isdisjoint(_rows(second))


def test_the_filter_form_of_the_case_list(ui, world, child):
    akut = sofortmeldung(world, child)
    _cases(world, child, 2)
    ui.login("goch_fk")
    page = _text(ui.get("/faelle"))
    form = page[page.index('<form method="get" action="/faelle" novalidate class="sp-list-filter">') :]
    for label in ("Status", "Dringlichkeit", "Verfahren", "Nur überfällige", "Nur mir zugeordnete"):
        assert f">{label}</label>" in form
    for field in ('name="status"', 'name="urgency"', 'name="process"', 'name="overdue"', 'name="assigned"'):
        assert field in form
    assert "csrf_token" not in form[: form.index("</form>")]
    filtered = _text(ui.get("/faelle?urgency=akut&status="))
    [row] = _rows(filtered)
    assert world.engine.case(world["goch_fk"], akut)["reference"] in row
    assert '<option value="akut" selected>' in filtered and "Filter zurücksetzen" in filtered
    assert "Keine Fälle zu diesen Filtern." in _text(ui.get("/faelle?assigned=me"))


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("/faelle?status=garbage", "Status: Unbekannter Wert."),
        ("/faelle?cursor=kaputt", "Seite: Die Angabe der Seite (cursor) ist ungültig"),
        ("/faelle?limit=500", "Einträge je Seite: Bitte eine ganze Zahl von 1 bis 200 angeben."),
        ("/eingang?status=offen", "Status: Unbekannter Filter."),  # its tasks have no status
        ("/aufgaben?urgency=orange", "Dringlichkeit: Unbekannter Wert."),
        ("/eingang?cases_cursor=kaputt", "Seite: Die Angabe der Seite"),
    ],
)
def test_a_wrong_address_shows_the_page_with_the_message_and_422(ui, world, child, address, message):
    _cases(world, child, 1)
    ui.login("goch_fk")
    response = ui.get(address)
    page = _text(response)
    assert response.status_code == 422
    assert 'role="alert"' in page and "Die Liste kann so nicht angezeigt werden" in page and message in page
    assert _link(page, "Liste ohne Filter von vorn anzeigen") == urlsplit(address).path
    assert _rows(page) == [] and "<h1" in page
    if address.startswith("/faelle?status"):
        assert 'href="#f-status"' in page and 'aria-invalid="true"' in page


def test_the_eingang_pages_its_two_lists_each_on_its_own(ui, world, child):
    _cases(world, child, 3)
    ui.login("goch_fk")
    page = _text(ui.get("/eingang?limit=2"))
    tasks_next = _link(page, "Nächste Seite", 'id="sp-inbox-title"')
    cases_next = _link(page, "Nächste Seite", 'id="sp-open-cases-title"')
    assert tasks_next and cases_next and tasks_next != cases_next
    assert "tasks_cursor" in parse_qs(urlsplit(tasks_next).query)
    assert "cases_cursor" in parse_qs(urlsplit(cases_next).query)
    for label in ("Seiten der Eingänge und Ersteinschätzungen", "Seiten der offenen Fälle"):
        assert f'aria-label="{label}"' in page
    on = _text(ui.get(tasks_next))
    tasks_part, cases_part = on.split('id="sp-open-cases-title"')
    assert len(_rows(tasks_part)) == 1 and len(_rows(cases_part)) == 2  # the cases stay on their first page
    both = _text(ui.get(_link(on, "Nächste Seite", 'id="sp-open-cases-title"')))
    tasks_part, cases_part = both.split('id="sp-open-cases-title"')
    assert len(_rows(tasks_part)) == 1 and len(_rows(cases_part)) == 1
    assert 'name="urgency"' in page and 'name="status"' not in page  # the Eingang lists open cases


def test_meine_aufgaben_pages_and_offers_all_overdue_ones(ui, world, child):
    _cases(world, child, 3)
    ui.clock.advance(timedelta(days=3))
    ui.login("goch_fk")
    page = _text(ui.get("/aufgaben?limit=2"))
    assert len(_rows(page)) == 2 and _link(page, "Nächste Seite")
    assert "Überfällige Aufgaben auf dieser Seite: 2." in page
    assert _link(page, "Alle überfälligen Aufgaben anzeigen") == "/aufgaben?overdue=true"
    overdue = _text(ui.get("/aufgaben?overdue=true"))
    assert len(_rows(overdue)) == 3 and "Überfällige Aufgaben: 3." in overdue


def test_the_beratungen_page_their_lists(ui, world, child):
    for _ in range(3):
        case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
        complete(world, "kita_fk", case, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
        values = {
            "gewichtige_anhaltspunkte": True,
            "einschaetzung_leitung": "Beratung nötig.",
            "fallschilderung": FALLSCHILDERUNG,
        }
        complete(world, "kita_leitung", case, "leitung_informieren", values)
    ui.login("insofa_kleve")
    page = _text(ui.get("/beratungen?limit=2"))
    assert len(_rows(page)) == 2
    cases_next = _link(page, "Nächste Seite", 'id="sp-consulted-title"')
    assert cases_next and "cases_cursor" in cases_next
    assert page.count("Beratung dokumentieren") == 2
    last = _text(ui.get(cases_next))
    consulted = last[last.index('id="sp-consulted-title"') :]
    assert consulted[: consulted.index("</ul>")].count("<li>") == 1
    assert _link(last, "Zur ersten Seite", 'id="sp-consulted-title"')
