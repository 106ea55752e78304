"""One language per page in the browser (issue 16 item 6): a person switches to English and opens a case
page. Its frame is English; every text node holding a German text of the shipped bundles (step names
in the stepper, the open step, the Fallakte's entries and labels, the diagram) has `lang="de"` as the
language the browser resolves for it (the nearest `[lang]`), which is what a screen reader reads it
with. axe checks the page in English too."""

from __future__ import annotations

import re

from tests.conftest import ORGANISATIONS
from tests.e2e.test_journeys import Person
from tests.support.cases import to_meldung
from tests.support.page_language import unmarked

CHILD = {"vorname": "Lotta", "nachname": "Wiesengrund", "geburtsdatum": "2021-03-14", "wohnort_gemeinde": "Goch"}
#: Every text node of the body with the language the browser resolves for it.
_TEXT_BY_LANGUAGE = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest("script, style")) continue;
    nodes.push([parent.closest("[lang]").getAttribute("lang"), text]);
  }
  return nodes;
}"""


def test_a_case_page_in_english_marks_the_bundle_s_german(page, check_a11y, world) -> None:
    case_id = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=CHILD).case_id
    to_meldung(world, case_id)
    me = Person(page, check_a11y)
    me.sign_in("kita_leitung")
    me.submit("English")
    me.goto(f"/faelle/{case_id}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="What to do now").is_visible()

    nodes = [(lang, text) for lang, text in page.evaluate(_TEXT_BY_LANGUAGE)]
    assert not unmarked(nodes, [name for _key, name, *_rest in ORGANISATIONS])
    german = " | ".join(text for lang, text in nodes if lang == "de")
    for text in ("Gewichtige Anhaltspunkte dokumentieren", "Meldung an das Jugendamt", "Beobachtungen"):
        assert text in german, text
    step = page.locator(".sp-stepper .sp-step__title").first
    assert step.evaluate("e => e.querySelector('[lang]').getAttribute('lang')") == "de"
    diagram = page.locator(".sp-diagram svg")
    assert diagram.evaluate("e => e.closest('[lang]').getAttribute('lang')") == "de"
    me.link(re.compile("Work on step"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).locator("[lang=de]").inner_text() == "Meldung an das Jugendamt"
