"""The list pages' filters and pages in the browser (issue 11, item 1): a case worker filters the
Fälle, pages on and back, sees a wrong address explained — each page checked with axe-core."""

from __future__ import annotations

from tests.e2e.conftest import PASSWORD
from tests.support.cases import sofortmeldung

CHILD = {"vorname": "Lea", "nachname": "Seite", "geburtsdatum": "2019-04-01", "wohnort_gemeinde": "Goch"}


def _rows(page) -> int:
    return page.locator("main table tbody tr").count()


def test_filter_and_page_through_the_case_list(page, world, check_a11y):
    for _ in range(3):
        world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=CHILD)
    sofortmeldung(world, CHILD)
    page.goto("/anmelden")
    check_a11y(page)
    page.get_by_label("Benutzername").fill("goch_fk")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/aufgaben")
    check_a11y(page)

    page.goto("/faelle?limit=2")
    check_a11y(page)
    assert _rows(page) == 2
    page.get_by_role("navigation", name="Seiten der Fallliste").get_by_role("link", name="Nächste Seite").click()
    page.wait_for_url("**cursor=**")
    check_a11y(page)
    assert _rows(page) == 2
    page.get_by_role("link", name="Zur ersten Seite").click()
    page.wait_for_url("**/faelle?limit=2")
    check_a11y(page)

    page.get_by_label("Dringlichkeit").select_option("akut")
    page.get_by_role("button", name="Anzeigen").focus()  # sent by keyboard
    page.keyboard.press("Enter")
    page.wait_for_url("**urgency=akut**")
    check_a11y(page)
    assert _rows(page) == 1 and "Sofortmeldung – akut" in page.locator("main table").inner_text()

    page.goto("/faelle?status=irgendwas")
    check_a11y(page)
    alert = page.get_by_role("alert")
    assert "Die Liste kann so nicht angezeigt werden" in alert.inner_text()
    alert.get_by_role("link", name="Status: Unbekannter Wert.", exact=False).click()
    assert page.evaluate("document.activeElement.id") == "f-status" or page.url.endswith("#f-status")
    alert.get_by_role("link", name="Liste ohne Filter von vorn anzeigen").click()
    page.wait_for_url("**/faelle")
    check_a11y(page)
    assert _rows(page) == 4
