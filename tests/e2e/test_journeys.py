"""The main journey in a real browser: a Kita's first observation to the Jugendamt's assessment.

Every person signs in through the form and works with what the page offers (labels, roles, links);
nothing is posted behind the page's back. Every page visited is checked with axe-core.

    kita_fk        Neue Meldung (child living in Goch; the Kita is in Kevelaer), Anhaltspunkte dokumentieren
    kita_leitung   Leitung informieren (another person: Mehraugenprinzip), gewichtige Anhaltspunkte: Ja
    insofa_kleve   Beratungen: the pseudonym only, never the child's name; Beratung: not avertable
    kita_leitung   Meldung an das Jugendamt: the case opens at the Jugendamt Goch
    goch_fk        Eingang: takes the case over, Eingang erfassen, Ersteinschätzung (Rot)
    goch_fk2       confirms the Ersteinschätzung (a second person), Eindruck (a Hausbesuch with goch_fk), Beteiligung,
                   Gefährdungseinschätzung
    goch_fk        confirms the Gefährdungseinschätzung: the next step is Maßnahmen festlegen

Also: a step with invalid input (values kept, error at the field and in the summary), a double
submit ("bereits erledigt"), and — only with SCHUTZPFAD_SCREENSHOTS=1 — the screenshots of the main
screens in docs/screenshots/:

    LANGUAGE=de SCHUTZPFAD_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e -k screenshots

(`LANGUAGE=de` gives Chromium's own widgets — date fields, the file chooser — German texts and the
German date layout; it needs the Debian package `chromium-l10n`.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from engine.bootstrap import build_engine, deploy_bundles, prepare
from engine.case_engine import CaseEngine
from tests.conftest import USERS, marked_version, shipped_bundles
from tests.e2e.conftest import PASSWORD
from tests.e2e.layout import NARROW, WIDE, assert_diagram_shown_whole, assert_fits
from tests.support.cases import FALLSCHILDERUNG, complete, open_task, to_meldung
from tests.support.plain_words import assert_plain_words

CHILD_FIRST, CHILD_LAST = "Lotta", "Wiesengrund"
BIRTH_DATE = "2021-03-14"
#: What identifies the child: none of it may reach a page the insoweit erfahrene Fachkraft sees.
IDENTIFYING = (CHILD_FIRST, CHILD_LAST, BIRTH_DATE, "14.03.2021")
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

#: Usernames are what people type to sign in: not internal identifiers.
USERNAMES = frozenset(username for username, _organisation, _role in USERS)

_REFERENCE = re.compile(r"\b[A-Z]{2,}-\d{4}-\d+\b")


def _named(action: str, *parts: str) -> re.Pattern[str]:
    """The accessible name of a control like „Schritt bearbeiten“ whose visually hidden rest names
    its object („: Ersteinschätzung …“); the hidden part may be set off by a space in the name."""
    return re.compile(re.escape(action) + r"\s*:?\s*" + ".*".join(re.escape(p) for p in parts))


@pytest.fixture
def case_engine(request: pytest.FixtureRequest, database_url: str, clock, instance: Path) -> Iterator[CaseEngine]:
    """The shipped procedures only (bpmn/), as a new installation has them: no test bundles, so the
    pages look as they do for the README's demo users (one procedure to start, no test processes)."""
    engine = build_engine(database_url, clock, instance, create_keys=True)
    deploy_bundles(engine, shipped_bundles(marked_version(request)), prepare(engine))
    yield engine
    engine.db.dispose()


class Person:
    """The browser in the hands of one person after another: sign in, follow links, fill, submit.
    Every page it lands on is checked with axe-core; `forbidden` texts must not be on any of them.
    `narrow=True`: each kind of page (its path without numbers, and its heading) is also looked at 390 px
    wide, a phone — axe again, nothing may stick out sideways, the diagram is shown whole
    (tests/e2e/layout.py) — before the person goes on at 1280 px. The text of every page, at either
    width, must be plain words: no internal key, ISO duration, event code or JSON
    (tests/support/plain_words.py)."""

    def __init__(self, page, check_a11y: Callable, *, narrow: bool = False) -> None:
        self.page = page
        self._check_a11y = check_a11y
        self._narrow = narrow
        self._seen_narrow: set[str] = set()
        self.forbidden: tuple[str, ...] = ()

    # ---- pages ----------------------------------------------------------------------------------
    def landed(self) -> None:
        self.page.wait_for_load_state()
        self._check_a11y(self.page)
        self.plain_words()
        kind = re.sub(r"\d+", "N", urlsplit(self.page.url).path) + " " + self.heading()
        if self._narrow and kind not in self._seen_narrow:
            self._seen_narrow.add(kind)
            assert_diagram_shown_whole(self.page)
            self.page.set_viewport_size(NARROW)
            assert_fits(self.page)
            assert_diagram_shown_whole(self.page)
            self._check_a11y(self.page)
            self.plain_words()
            self.page.set_viewport_size(WIDE)
        if self.forbidden:
            html = self.page.content()
            leaked = [text for text in self.forbidden if text in html]
            assert not leaked, f"{self.page.url} shows {leaked}"

    def plain_words(self) -> None:
        width = self.page.viewport_size["width"]
        assert_plain_words(self.page.inner_text("body"), f"{self.page.url} at {width} px", allowed=USERNAMES)

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.landed()

    def follow(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.landed()

    def link(self, name: str | re.Pattern[str], **kwargs) -> None:
        self.follow(self.page.get_by_role("link", name=name, **kwargs).first)

    def nav(self, name: str) -> None:
        self.follow(self.page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name=name))

    def submit(self, name: str = "Schritt abschließen") -> None:
        self.follow(self.page.get_by_role("button", name=name, exact=True))

    # ---- signing in and out -----------------------------------------------------------------------
    def sign_in(self, username: str) -> None:
        if "/anmelden" not in self.page.url:
            self.goto("/anmelden")
        self.page.get_by_label("Benutzername").fill(username)
        self.page.get_by_label("Passwort").fill(PASSWORD)
        self.submit("Anmelden")
        assert self.page.url.endswith("/aufgaben"), self.page.url
        assert self.heading() == "Meine Aufgaben"

    def sign_out(self) -> None:
        self.submit("Abmelden")
        assert "/anmelden" in self.page.url
        assert "Sie haben sich abgemeldet." in self.page.locator("main").inner_text()
        self.forbidden = ()

    # ---- forms ---------------------------------------------------------------------------------------
    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label).fill(value)

    def choose(self, question: str, answer: str) -> None:
        """A radio button or checkbox in the fieldset whose legend is `question`."""
        self.page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()

    def chosen(self, question: str, answer: str) -> bool:
        return self.page.get_by_role("group", name=question).get_by_label(answer, exact=True).is_checked()

    # ---- reading -------------------------------------------------------------------------------------
    def heading(self) -> str:
        return self.page.get_by_role("heading", level=1).inner_text().strip()

    def main_text(self) -> str:
        return self.page.locator("main").inner_text()

    def basis(self) -> str:
        """What the step page shows it rests on: the collapsed entries opened by a click, as a user
        would, then the text of every basis section."""
        for summary in self.page.locator("details.sp-basis:not([open]) > summary").all():
            summary.click()
        sections = self.page.locator(".sp-basis")
        return "\n".join(sections.nth(i).inner_text() for i in range(sections.count()))

    def flashed(self, text: str) -> None:
        assert text in self.page.locator(".sp-messages").inner_text(), self.page.locator(".sp-messages").inner_text()


# --------------------------------------------------------------------------------------------------


def _document_anhaltspunkte(person: Person) -> None:
    person.fill("Beobachtungen", "Hämatome an beiden Oberarmen; das Kind zuckt bei schnellen Bewegungen zusammen.")
    person.fill("Beobachtet am", "2026-03-02T08:15")
    person.choose("Quelle der Information", "Eigene Beobachtung")
    person.fill("Aussagen des Kindes (wörtlich)", "„Papa war wieder böse.“")
    person.choose("Besteht eine dringende Gefahr für das Kind?", "Nein")


def test_from_the_kitas_observation_to_the_jugendamts_assessment(page, check_a11y) -> None:
    me = Person(page, check_a11y, narrow=True)  # every page at 1280 and at 390 px

    # ---- Kita, Fachkraft: Neue Meldung and the Anhaltspunkte --------------------------------------------
    me.sign_in("kita_fk")
    me.nav("Neue Meldung")  # a Kita has one procedure to start: straight to its form
    assert me.heading() == "Neue Meldung" and me.page.url.endswith("/faelle/neu/traeger_8a")
    me.fill("Vorname", CHILD_FIRST)
    me.fill("Nachname", CHILD_LAST)
    me.fill("Geburtsdatum", BIRTH_DATE)
    me.fill("Wohnort (Gemeinde)", "Goch")
    me.submit("Fall anlegen")
    assert me.heading() == "Gewichtige Anhaltspunkte dokumentieren"
    preline = me.page.locator(".kern-preline").inner_text()
    reference, pseudonym = re.fullmatch(r"Fall (\S+) · Pseudonym (\S+)", preline.strip()).groups()
    me.flashed(f"Der Fall {reference} ist angelegt.")
    _document_anhaltspunkte(me)
    me.submit()
    me.flashed("Erledigt: „Gewichtige Anhaltspunkte dokumentieren“.")
    traeger_case = me.page.url
    assert f"{CHILD_FIRST} {CHILD_LAST}" in me.heading()
    facts = me.main_text()
    assert "Stadtjugendamt Goch" in facts  # routing by the child's residence
    # The next step is the Leitung's; the one who documented may not assess (Mehraugenprinzip).
    assert "Leitung informieren und Anhaltspunkte bewerten" in facts
    me.sign_out()

    # ---- Kita, Leitung: another person assesses --------------------------------------------------------
    me.sign_in("kita_leitung")
    me.link("Leitung informieren und Anhaltspunkte bewerten")
    assert me.heading() == "Leitung informieren und Anhaltspunkte bewerten"
    basis = me.basis()  # the Leitung assesses what the Fachkraft documented, and sees it
    assert "Hämatome an beiden Oberarmen" in basis and "„Papa war wieder böse.“" in basis
    assert "Kita Fk" in basis and "02.03.2026, 08:15 Uhr" in basis and "Eigene Beobachtung" in basis
    me.choose("Liegen gewichtige Anhaltspunkte vor?", "Ja")
    me.fill("Einschätzung der Leitung", "Die Hämatome sind nicht mit Spielunfällen zu erklären.")
    # what the insofa will read: the engine refuses the child's name in it (§ 64 Abs. 2a SGB VIII)
    me.fill("Fallschilderung für die Beratung", f"{CHILD_FIRST} hat wiederholt Hämatome an beiden Oberarmen.")
    me.submit()
    assert "enthält den Vornamen des Kindes" in me.main_text() and me.heading().startswith("Leitung informieren")
    me.fill("Fallschilderung für die Beratung", FALLSCHILDERUNG)
    me.submit()  # no insofa named: the consultation is offered to the whole pool
    me.flashed("Erledigt: „Leitung informieren und Anhaltspunkte bewerten“.")
    assert "Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft" in me.main_text()
    me.sign_out()

    # ---- insoweit erfahrene Fachkraft: the pseudonym only -----------------------------------------------
    me.forbidden = IDENTIFYING
    me.sign_in("insofa_kleve")
    me.nav("Beratungen")
    assert me.heading() == "Beratungen"
    row = me.page.get_by_role("row").filter(has_text=pseudonym)
    assert "Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft" in row.inner_text()
    me.follow(row.get_by_role("link", name=_named("Beratung dokumentieren", pseudonym)))
    assert me.heading() == "Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft"
    # § 64 Abs. 2a: the Leitung's Fallschilderung, the child's age and gender and the Kita — nothing else
    basis = me.basis()
    assert FALLSCHILDERUNG in basis and "nicht sichtbar" in basis
    assert "Hämatome an beiden Oberarmen; das Kind" not in basis and "nicht mit Spielunfällen" not in basis
    facts = me.main_text()
    assert "Alter des Kindes" in facts and "Anfragende Einrichtung" in facts and "Kita Regenbogen Kevelaer" in facts
    me.fill("Datum der Beratung", "2026-03-02")
    me.choose("Ihre Einschätzung", "Kindeswohlgefährdung, ohne das Jugendamt nicht abwendbar")
    me.fill("Empfehlung", "Meldung an das Jugendamt; die Eltern vorab informieren.")
    me.submit()
    me.flashed("Erledigt: „Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft“.")
    assert "pseudonymisiert" in me.main_text()
    me.nav("Beratungen")  # the consultation stays listed under the insofa's cases
    assert pseudonym in me.main_text()
    me.sign_out()

    # ---- Kita, Leitung: she decides, on the consultation she sees (R11) ------------------------------
    me.forbidden = ()
    me.sign_in("kita_leitung")
    me.link("Über das weitere Vorgehen entscheiden")
    basis = me.basis()
    assert "Meldung an das Jugendamt; die Eltern vorab informieren." in basis and "Insofa Kleve" in basis
    me.choose("Wie geht es weiter?", "Die Gefährdung lässt sich anders nicht abwenden: Jugendamt informieren")
    me.fill("Begründung", "Die Eltern lehnen jedes Gespräch ab; ohne das Jugendamt nicht abwendbar.")
    me.submit()
    me.flashed("Erledigt: „Über das weitere Vorgehen entscheiden“.")
    me.sign_out()

    # ---- Kita, Leitung: Meldung an das Jugendamt ------------------------------------------------------
    me.sign_in("kita_leitung")
    me.link("Meldung an das Jugendamt")
    assert me.heading() == "Meldung an das Jugendamt"
    basis = me.basis()  # the Leitung writes the Meldung on the insofa's assessment, and sees it
    assert "Meldung an das Jugendamt; die Eltern vorab informieren." in basis
    assert "Kindeswohlgefährdung, ohne das Jugendamt nicht abwendbar" in basis and "Insofa Kleve" in basis
    assert me.chosen("Wurde eine insoweit erfahrene Fachkraft beteiligt?", "Ja")  # prefilled from the history
    me.choose("Wurden die Eltern vorab über die Meldung informiert?", "Ja")
    me.choose("Gefährdungsbereiche", "Körperliche Misshandlung")
    me.fill("Zusammenfassung für das Jugendamt", "Wiederholt Hämatome; Gespräch mit den Eltern ohne Ergebnis.")
    me.submit("Weiter: prüfen, was gesendet wird")  # the check page: tests/e2e/test_transmission_check.py
    assert me.heading() == "Prüfen und an Stadtjugendamt Goch senden"
    me.submit("Jetzt an Stadtjugendamt Goch senden")
    me.flashed("Gesendet an Stadtjugendamt Goch am ")
    links = me.page.locator("section", has=me.page.get_by_role("heading", name="Verknüpfte Fälle")).inner_text()
    ja_reference = _REFERENCE.search(links.split("Meldung an das Jugendamt:", 1)[1]).group(0)
    assert ja_reference != reference
    me.sign_out()

    # ---- Jugendamt Goch, first Fachkraft: Eingang, take over, intake and triage ------------------------
    me.sign_in("goch_fk")
    me.nav("Eingang")
    row = me.page.get_by_role("row").filter(has_text=ja_reference).filter(has_text="Eingang erfassen")
    me.follow(row.get_by_role("button", name=f"Fall übernehmen {ja_reference}"))
    me.flashed("Sie haben den Fall übernommen")
    assert me.heading() == "Eingang erfassen"
    assert me.page.get_by_label("Eingegangen am").input_value()  # prefilled from the Meldung
    assert "Hämatome" in me.page.get_by_label("Inhalt der Meldung").input_value()
    assert me.page.get_by_label("Meldende Stelle").input_value() == "kita_kindertagespflege"  # from the sender
    basis = me.basis()  # the whole Meldebogen, and who to call back
    for field in (
        "Wiederholt Hämatome; Gespräch mit den Eltern ohne Ergebnis.",
        "Körperliche Misshandlung",
        "Kita Regenbogen Kevelaer",
        "Ansprechperson: Kita Leitung",
        "Telefon: 02832 93 44-12",
        "Wurden die Eltern vorab über die Meldung informiert?",
        reference,
    ):
        assert field in basis, field
    assert "nicht mit Spielunfällen" not in me.main_text()  # never the Kita's internal documentation
    if not me.chosen("Anonymer Hinweis?", "Nein"):
        me.choose("Anonymer Hinweis?", "Nein")
    me.submit()
    me.flashed("Erledigt: „Eingang erfassen“.")
    assert f"{CHILD_FIRST} {CHILD_LAST}" in me.heading()  # the Meldebogen carries the child's data
    me.link(_named("Schritt bearbeiten", "Ersteinschätzung (Dringlichkeit)"))
    me.choose("Dringlichkeit", "Rot – akut, sofort handeln")
    me.choose("Liegen gewichtige Anhaltspunkte vor?", "Ja")
    me.fill("Begründung", "Wiederholte Hämatome, Angst vor dem Vater; Meldung einer Kita nach Beratung.")
    me.choose("Ist die Familie dem Jugendamt bereits bekannt?", "Nein")
    me.choose("Leben weitere Kinder im Haushalt?", "Nein")
    me.submit()
    me.flashed("Erledigt: „Ersteinschätzung (Dringlichkeit)“.")
    ja_case = me.page.url
    overview = me.page.locator("section", has=me.page.get_by_role("heading", name="Überblick")).inner_text()
    assert "Ampel: Rot – akut, sofort handeln" in overview
    assert "noch nicht von einer zweiten Fachkraft bestätigt" in overview
    card = me.page.get_by_role("listitem").filter(
        has=me.page.get_by_role("heading", name="Ersteinschätzung bestätigen")
    )
    assert "Mehraugenprinzip" in card.inner_text()
    assert card.get_by_role("link").count() == 0  # the sign-off is not offered to the same person
    me.sign_out()

    # ---- Jugendamt Goch, second Fachkraft: sign-off, Eindruck, Beteiligung, Gefährdungseinschätzung -----
    me.sign_in("goch_fk2")
    me.nav("Eingang")
    me.link(_named("Schritt bearbeiten", "Ersteinschätzung bestätigen", ja_reference))
    assert me.heading() == "Ersteinschätzung bestätigen (zweite Fachkraft)"
    confirmed = me.page.locator(".sp-basis--confirm").inner_text()  # shown in full, not collapsed
    assert "Grundlage Ihrer Entscheidung" in confirmed and "Goch Fk" in confirmed
    assert "Rot – akut, sofort handeln" in confirmed and "Angst vor dem Vater" in confirmed
    me.choose("Ersteinschätzung bestätigt?", "Ja")
    me.submit()
    assert me.page.url == ja_case
    overview = me.page.locator("section", has=me.page.get_by_role("heading", name="Überblick")).inner_text()
    assert "Ampel: Rot – akut, sofort handeln" in overview
    assert "von einer zweiten Fachkraft bestätigt" in overview and "noch nicht" not in overview

    me.link(_named("Schritt bearbeiten", "Unmittelbaren Eindruck verschaffen"))
    me.choose("Art des unmittelbaren Eindrucks", "Hausbesuch")
    me.fill("Datum und Uhrzeit", "2026-03-02T08:30")
    # The colleague who came along: chosen among the Jugendamt's Fachkräfte, the one documenting left out.
    colleague = me.page.get_by_label("Zweite Fachkraft beim Hausbesuch")
    assert "Goch Fk2" not in colleague.inner_text()
    colleague.select_option(label="Goch Fk")
    me.choose("Wurde das Kind gesehen?", "Ja")
    me.fill("Beobachtungen", "Kind verängstigt, Hämatome bestätigt; Wohnung unauffällig.")
    me.choose("Muss das Kind jetzt in Obhut genommen werden?", "Nein")
    me.submit()
    me.link(_named("Schritt bearbeiten", "Beteiligung von Eltern"))
    me.choose("Wurden die Eltern (Erziehungsberechtigten) beteiligt?", "Ja")
    me.choose("Wurde das Kind beteiligt?", "Ja")
    me.choose("Wurde die meldende Person beteiligt?", "Ja")
    me.choose("Muss das Kind jetzt in Obhut genommen werden?", "Nein")
    me.submit()
    me.link(_named("Schritt bearbeiten", "Gefährdungseinschätzung im Zusammenwirken"))
    me.choose("Ergebnis der Gefährdungseinschätzung", "Latente Kindeswohlgefährdung")
    me.choose("Art der Gefährdung", "Körperliche Misshandlung")
    me.choose("Von wem geht die Gefährdung aus?", "Vater")
    me.fill("Tatsachen, auf die sich die Einschätzung stützt", "Hämatome, Aussage des Kindes, Hausbesuch.")
    me.choose("Muss das Kind jetzt in Obhut genommen werden?", "Nein")
    me.submit()
    me.flashed("Erledigt: „Gefährdungseinschätzung im Zusammenwirken mehrerer Fachkräfte“.")
    me.sign_out()

    # ---- Jugendamt Goch, first Fachkraft: confirms the assessment ---------------------------------------
    me.sign_in("goch_fk")
    me.link("Gefährdungseinschätzung bestätigen (zweite Fachkraft)")
    confirmed = me.page.locator(".sp-basis--confirm").inner_text()
    assert "Latente Kindeswohlgefährdung" in confirmed and "Hämatome, Aussage des Kindes, Hausbesuch." in confirmed
    assert "Goch Fk2" in confirmed
    me.choose("Gefährdungseinschätzung bestätigt?", "Ja")
    me.submit()
    assert me.page.url == ja_case
    me.flashed("Erledigt: „Gefährdungseinschätzung bestätigen (zweite Fachkraft)“.")
    steps = me.page.locator("section", has=me.page.get_by_role("heading", name="Ablauf")).inner_text()
    assert re.search(r"Gefährdungseinschätzung bestätigen \(zweite Fachkraft\)\s*erledigt", steps), steps
    assert "Maßnahmen festlegen" in me.page.locator(".sp-next").inner_text()

    # The parents ask to inspect the file: the Akte as PDF, the reporter blacked out.
    me.link("Akte als PDF ausfertigen")
    assert me.heading() == "Akte als PDF"
    me.submit("PDF erstellen")  # nothing chosen: both errors at once, nothing made
    assert "Bitte prüfen Sie Ihre Eingaben" in me.main_text() and "mindestens 5 Zeichen" in me.main_text()
    me.choose("Zweck", "Akteneinsicht der Sorgeberechtigten (geschwärzt)")
    me.fill("Anlass", "Antrag der Mutter auf Akteneinsicht")
    with me.page.expect_download() as download:
        me.page.get_by_role("button", name="PDF erstellen", exact=True).click()
    assert download.value.suggested_filename == f"Akte-{ja_reference}-akteneinsicht.pdf"

    # The Kita still sees its own case, linked, without the Jugendamt's internal work.
    me.sign_out()
    me.sign_in("kita_leitung")
    me.goto(traeger_case)
    assert ja_reference in me.main_text() and "Ampel" not in me.main_text()


def test_invalid_input_keeps_the_values_and_a_double_submit_is_refused(page, check_a11y, world) -> None:
    case = world.engine.open_case(
        world["kita_fk"],
        process_key="traeger_8a",
        child={"vorname": CHILD_FIRST, "nachname": CHILD_LAST, "geburtsdatum": BIRTH_DATE, "wohnort_gemeinde": "Goch"},
    )
    me = Person(page, check_a11y)
    me.sign_in("kita_fk")
    me.link("Gewichtige Anhaltspunkte dokumentieren")
    step_url = me.page.url

    # Two required answers missing: the form comes back with what was typed and both errors.
    me.fill("Beobachtungen", "Kind kommt seit einer Woche ohne Frühstück und in zu dünner Kleidung.")
    me.choose("Quelle der Information", "Hinweis Dritter")
    me.submit()
    assert me.page.url == step_url
    summary = me.page.get_by_role("alert").filter(has_text="Bitte prüfen Sie Ihre Eingaben")
    summary_links = summary.get_by_role("link")
    targets = {summary_links.nth(i).get_attribute("href") for i in range(summary_links.count())}
    assert {"#f-beobachtet_am", "#f-akute_gefahr"} <= targets, targets
    assert "Beobachtet am" in summary.inner_text()
    when = me.page.get_by_label("Beobachtet am")
    assert when.get_attribute("aria-invalid") == "true"
    error_id = when.get_attribute("aria-describedby").split()[-1]
    assert me.page.locator(f"#{error_id}").inner_text().strip()  # the message next to the field
    assert me.page.locator("#f-beobachtet_am ~ .kern-error").count() == 1
    assert "ohne Frühstück" in me.page.get_by_label("Beobachtungen").input_value()
    assert me.chosen("Quelle der Information", "Hinweis Dritter")
    summary.get_by_role("link", name=re.compile("Beobachtet am")).click()  # the summary leads to the field
    assert me.page.evaluate("document.activeElement.id") == "f-beobachtet_am"

    # The same form open in a second tab: the first submit completes the step, the second is refused.
    me.fill("Beobachtet am", "2026-03-01T16:45")
    me.choose("Besteht eine dringende Gefahr für das Kind?", "Nein")
    other = Person(me.page.context.new_page(), check_a11y)
    other.goto(step_url)
    _document_anhaltspunkte(other)
    me.submit()
    me.flashed("Erledigt: „Gewichtige Anhaltspunkte dokumentieren“.")
    other.submit()
    assert other.page.url.endswith(f"/faelle/{case.case_id}")
    other.flashed("Dieser Schritt wurde bereits erledigt.")
    other.page.close()
    case_file = me.page.locator("section", has=me.page.get_by_role("heading", name="Fallakte"))
    assert case_file.locator("summary").filter(has_text="Gewichtige Anhaltspunkte dokumentieren").count() == 1


# ---- screenshots of the main screens (docs/screenshots/) -------------------------------------------------


def _shoot(person: Person, name: str, *, narrow: str | None = None) -> None:
    """The page as `name`.png; `narrow`: also at 390 px (a phone) as `narrow`.png."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    person.page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled")
    if narrow is not None:
        person.page.set_viewport_size(NARROW)
        person.page.screenshot(path=str(DOCS_SCREENSHOTS / f"{narrow}.png"), full_page=True, animations="disabled")
        person.page.set_viewport_size(WIDE)


@pytest.mark.skipif(
    os.environ.get("SCHUTZPFAD_SCREENSHOTS") != "1",
    reason="writes docs/screenshots/*.png: run with SCHUTZPFAD_SCREENSHOTS=1",
)
def test_screenshots(page, check_a11y, world) -> None:
    engine = world.engine

    child = {"vorname": CHILD_FIRST, "nachname": CHILD_LAST, "geburtsdatum": BIRTH_DATE, "wohnort_gemeinde": "Goch"}
    reported = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(
        world,
        "kita_fk",
        reported.case_id,
        "anhaltspunkte_dokumentieren",
        {
            "beobachtungen": "Hämatome an beiden Oberarmen.",
            "beobachtet_am": "2026-03-02T08:15:00+01:00",
            "quelle": "eigene_beobachtung",
            "akute_gefahr": False,
        },
    )
    complete(
        world,
        "kita_leitung",
        reported.case_id,
        "leitung_informieren",
        {"gewichtige_anhaltspunkte": True, "einschaetzung_leitung": "Gewichtig.", "fallschilderung": FALLSCHILDERUNG},
    )
    consulted = engine.open_case(
        world["kita_fk"],
        process_key="traeger_8a",
        child={**child, "vorname": "Jonas", "nachname": "Feldmann", "geburtsdatum": "2019-11-02"},
    )
    complete(
        world,
        "kita_fk",
        consulted.case_id,
        "anhaltspunkte_dokumentieren",
        {
            "beobachtungen": "Kommt ohne Frühstück.",
            "beobachtet_am": "2026-03-02T07:50:00+01:00",
            "quelle": "dritte",
            "akute_gefahr": False,
        },
    )
    complete(
        world,
        "kita_leitung",
        consulted.case_id,
        "leitung_informieren",
        {"gewichtige_anhaltspunkte": True, "einschaetzung_leitung": "Gewichtig.", "fallschilderung": FALLSCHILDERUNG},
    )
    complete(
        world,
        "insofa_kleve",
        consulted.case_id,
        "insofa_beratung",
        {"beratung_am": "2026-03-02", "einschaetzung": "kwg_nicht_abwendbar", "empfehlung": "Meldung."},
    )
    vorgehen = {"vorgehen": "meldung", "begruendung": "Ohne das Jugendamt nicht abwendbar."}
    complete(world, "kita_leitung", consulted.case_id, "vorgehen_festlegen", vorgehen)
    complete(
        world,
        "kita_leitung",
        consulted.case_id,
        "meldung_jugendamt",
        {
            "eltern_vorab_informiert": True,
            "gefaehrdungsbereiche": ["vernachlaessigung"],
            "zusammenfassung": "Vernachlässigung seit Wochen.",
            "insofa_beteiligt": True,
        },
    )
    engine.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "vorname": "Ella"})

    me = Person(page, check_a11y)
    me.goto("/anmelden")
    _shoot(me, "01-anmelden")
    me.sign_in("kita_fk")
    _shoot(me, "02-meine-aufgaben", narrow="12-meine-aufgaben-390px")
    me.goto("/faelle/neu/traeger_8a")
    _shoot(me, "03-neue-meldung")
    me.goto(f"/faelle/{reported.case_id}")
    _shoot(me, "04-fall-mit-ablauf-und-diagramm", narrow="13-fall-390px")
    ella = next(c for c in engine.cases(world["kita_fk"]).rows if c["id"] not in (reported.case_id, consulted.case_id))
    [ella_task] = engine.case(world["kita_fk"], ella["id"])["open_tasks"]
    me.goto(f"/faelle/{ella['id']}/schritte/{ella_task['id']}")
    me.fill("Beobachtungen", "Kind weint beim Abholen und will nicht nach Hause.")
    me.submit()
    _shoot(me, "05-schritt-mit-fehlern", narrow="14-schritt-mit-fehlern-390px")
    me.sign_out()

    me.sign_in("goch_fk")
    me.nav("Eingang")
    _shoot(me, "06-eingang-jugendamt", narrow="15-eingang-jugendamt-390px")
    me.sign_out()

    me.sign_in("kita_leitung")  # the check before a Meldung is sent
    checked = engine.open_case(world["kita_fk"], process_key="traeger_8a", child={**child, "vorname": "Paul"})
    to_meldung(world, checked.case_id)
    meldung = open_task(world, "kita_leitung", checked.case_id, "meldung_jugendamt")
    me.goto(f"/faelle/{checked.case_id}/schritte/{meldung['id']}")
    me.choose("Wurden die Eltern vorab über die Meldung informiert?", "Ja")
    me.choose("Gefährdungsbereiche", "Körperliche Misshandlung")
    me.fill("Zusammenfassung für das Jugendamt", "Wiederholt Hämatome; Gespräch mit den Eltern ohne Ergebnis.")
    me.submit("Weiter: prüfen, was gesendet wird")
    _shoot(me, "16-pruefen-und-senden")
    me.sign_out()

    me.sign_in("insofa_kleve")
    me.nav("Beratungen")
    _shoot(me, "07-beratungen-insofa")
    me.sign_out()

    me.sign_in("kita_revision")
    me.nav("Protokoll")
    _shoot(me, "08-revision-protokoll")
    me.sign_out()

    me.sign_in("kita_admin")
    me.goto("/verwaltung/prozesse")
    _shoot(me, "09-verwaltung-prozesse")
