"""Keyboard only (WCAG 2.1.1, 2.4.3, 2.4.7): sign in, find the task and complete a whole Träger step
(Gewichtige Anhaltspunkte dokumentieren) with Tab, Shift+Tab, arrow keys, Space, Enter and typing —
no click anywhere — and see where the focus is on every kind of control on the way.
"""

from __future__ import annotations

from tests.e2e.conftest import PASSWORD

CHILD = {"vorname": "Emil", "nachname": "Tastatur", "geburtsdatum": "2020-09-30", "wohnort_gemeinde": "Goch"}
#: More Tab presses than any page of the journey has stops before the one sought.
MAX_TABS = 60

_FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.type || null, id: el.id || null,
    text: (el.innerText || el.value || "").trim().slice(0, 80),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow, width: box.width, height: box.height,
    inView: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
  };
}"""


#: KERN scrolls smoothly: a field Tab reached below the fold is in view once the scrolling stopped.
_SETTLED = """() => new Promise((done) => {
  let last = null, still = 0;
  const look = () => {
    const top = document.activeElement.getBoundingClientRect().top;
    still = top === last ? still + 1 : 0;
    last = top;
    still >= 3 ? done(true) : requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})"""


def _focused(page) -> dict:
    page.evaluate(_SETTLED)
    return page.evaluate(_FOCUS)


def _tab_to(page, selector: str, *, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return _focused(page)
    raise AssertionError(f"{key} never reached {selector}; the focus is on {_focused(page)}")


def _type_datetime(page, selector: str, value: str) -> None:
    """Type a `datetime-local` value part by part, as a person would. Chromium lays the parts out in
    the browser's own language (not the page's): 02.03.2026, 08:15 in a German browser,
    03/02/2026, 08:15 AM in an English one. Typing a complete day, month, hour or minute moves on to the
    next part; the year takes up to six digits, so → leaves it. The layouts are tried one after the
    other (each attempt overwrites every part) until the input holds the value."""
    date, _, time = value.partition("T")
    year, month, day = date.split("-")
    hour, minute = time.split(":")
    layouts = {"Tag zuerst": [day, month], "Monat zuerst": [month, day]}
    for keys in layouts.values():
        while page.evaluate("(s) => document.activeElement.matches(s)", selector):
            page.keyboard.press("Shift+Tab")  # out of the input …
        page.keyboard.press("Tab")  # … and back in: its first part
        for key in [*keys, year, "ArrowRight", hour, minute, "A"]:  # "A": AM where there is such a part
            if key == "ArrowRight":
                page.keyboard.press(key)
            else:
                page.keyboard.type(key)
        if page.locator(selector).input_value() == value:
            return
    raise AssertionError(f"typing {value} into {selector} gave {page.locator(selector).input_value()!r}")


def _assert_visible_focus(focus: dict) -> None:
    """The focused element is on screen, has a size, and shows an outline or a box-shadow."""
    outlined = focus["outlineStyle"] not in ("none", "") and focus["outlineWidth"] >= 2
    shadowed = focus["boxShadow"] not in ("none", "")
    assert outlined or shadowed, f"no visible focus indicator: {focus}"
    assert focus["inView"] and focus["width"] >= 8 and focus["height"] >= 8, f"focus not visible on screen: {focus}"


def test_a_whole_traeger_step_by_keyboard_alone_with_visible_focus(page, check_a11y, world) -> None:
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=CHILD)
    keyboard = page.keyboard

    # Sign in: the skip link comes first and shows its focus; then the two fields and Enter.
    page.goto("/anmelden")
    check_a11y(page)
    keyboard.press("Tab")
    skip = _focused(page)
    assert skip["tag"] == "a" and skip["text"] == "Zum Inhalt springen"
    _assert_visible_focus(skip)
    _assert_visible_focus(_tab_to(page, "#f-username"))
    keyboard.type("kita_fk")
    keyboard.press("Tab")
    assert _focused(page)["id"] == "f-password"
    keyboard.type(PASSWORD)
    keyboard.press("Enter")
    page.wait_for_url("**/aufgaben")
    check_a11y(page)

    # Meine Aufgaben: skip to the content, then Tab to the task and open it with Enter.
    keyboard.press("Tab")
    keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    link = _tab_to(page, "main a[href*='/schritte/']")
    assert link["text"] == "Gewichtige Anhaltspunkte dokumentieren"
    _assert_visible_focus(link)
    with page.expect_navigation():
        keyboard.press("Enter")
    check_a11y(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Gewichtige Anhaltspunkte dokumentieren"

    # The step, field by field in the order of the form.
    _assert_visible_focus(_tab_to(page, "#f-beobachtungen"))
    keyboard.type("Das Kind hat eine frische Brandwunde am Handrücken und sagt, es sei „selbst schuld“.")
    when = _tab_to(page, "#f-beobachtet_am")
    _assert_visible_focus(when)
    _type_datetime(page, "#f-beobachtet_am", "2026-03-02T08:15")
    source = _tab_to(page, "input[name=quelle]")
    assert source["type"] == "radio" and source["id"] == "f-quelle"
    _assert_visible_focus(source)
    keyboard.press("Space")  # Eigene Beobachtung …
    keyboard.press("ArrowDown")  # … no: Aussage des Kindes (arrows move the choice within the group)
    assert page.get_by_label("Aussage des Kindes", exact=True).is_checked()
    _tab_to(page, "#f-aussagen_kind")
    keyboard.type("„Ich war selbst schuld, ich hab den Topf angefasst.“")
    # Tab on (past the field's "Zweck" disclosure, a tab stop of its own) into the Ja/Nein group: nothing
    # chosen yet, so the focus lands on its first radio, Ja …
    assert _tab_to(page, "input[name=akute_gefahr]")["id"] == "f-akute_gefahr"
    button = _tab_to(page, ".sp-actions button[type=submit]")  # … past it to the button
    assert button["text"] == "Schritt abschließen"
    _assert_visible_focus(button)
    # back into the group (Chromium: its first radio, Ja) …
    assert _tab_to(page, "input[name=akute_gefahr]", backwards=True)["id"] == "f-akute_gefahr"
    keyboard.press("ArrowRight")  # … and on to Nein, which the arrow key also chooses
    assert page.get_by_role("group", name="Besteht eine dringende Gefahr").get_by_label("Nein", exact=True).is_checked()
    _assert_visible_focus(_focused(page))
    assert _tab_to(page, ".sp-actions button[type=submit]") == button
    # What the keyboard put in, just before sending it.
    assert "Brandwunde" in page.locator("#f-beobachtungen").input_value()
    assert "Topf" in page.locator("#f-aussagen_kind").input_value()
    with page.expect_navigation():
        keyboard.press("Enter")
    check_a11y(page)

    assert page.url.endswith(f"/faelle/{case.case_id}")
    assert "Erledigt: „Gewichtige Anhaltspunkte dokumentieren“." in page.locator(".sp-messages").inner_text()
    [done] = [h for h in world.engine.case(world["kita_fk"], case.case_id)["history"] if h["completed_by"] == "kita_fk"]
    assert done["task"] == "anhaltspunkte_dokumentieren"
