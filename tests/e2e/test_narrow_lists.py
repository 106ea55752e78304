"""The lists outside the journey at 390 px (a phone): the Protokoll of the Revision and the
Verwaltung's lists (Organisationen, Benutzer, Prozessversionen) are cards — nothing sticks out
sideways (tests/e2e/layout.py), axe-core is clean. The journey's own pages are looked at 390 px in
test_journeys.py."""

from __future__ import annotations

from tests.e2e.layout import NARROW, assert_fits
from tests.e2e.test_journeys import Person


def test_the_protokoll_and_the_verwaltung_lists_fit_a_phone(page, check_a11y, world) -> None:
    page.set_viewport_size(NARROW)
    me = Person(page, check_a11y)
    me.sign_in("kita_revision")
    me.nav("Protokoll")
    assert_fits(me.page)
    cell = me.page.locator("table.sp-cards tbody tr td").nth(1)  # each value under its column's name
    assert cell.evaluate("(td) => getComputedStyle(td, '::before').content") == '"Zeit"'
    me.sign_out()

    me.sign_in("kita_admin")
    for path in ("/verwaltung/organisationen", "/verwaltung/benutzer", "/verwaltung/prozesse"):
        me.goto(path)
        assert_fits(me.page)
