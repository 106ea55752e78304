"""Layout checks for the browser tests: does a page fit a phone's width (390 px)?

A page fits when the document does not scroll sideways (`scrollWidth <= innerWidth`) and no visible
element reaches past the viewport's edges, except inside a *marked* scroll region: an element with
`role="region"`, an `aria-label` and `tabindex="0"` (labelled and reachable by keyboard, so that a
person sees and can operate what scrolls). An unmarked `overflow: auto` box that hides a column is
exactly what the check is meant to find, so clipping ancestors do not excuse an element — except a
visually hidden one (1 px, `overflow: hidden`: text for screen readers only).
"""

from __future__ import annotations

NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}

_OVERFLOW = """() => {
  const width = window.innerWidth;
  const found = [];
  const scroller = document.scrollingElement;
  if (scroller.scrollWidth > width) {
    found.push(`the document scrolls sideways: ${scroller.scrollWidth} px > ${width} px`);
  }
  const marked = '[role="region"][aria-label][tabindex="0"]';
  // inside a visually hidden box (1 px, overflow hidden: text for screen readers only)
  const hidden = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const box = up.getBoundingClientRect();
      if ((box.width < 2 || box.height < 2) && getComputedStyle(up).overflow === "hidden") return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;  // screen-reader-only texts, empty elements
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "contents") continue;
    if (box.right <= width + 0.5 && box.left >= -0.5) continue;
    if (el.parentElement && el.parentElement.closest(marked)) continue;
    if (hidden(el)) continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.classList.length ? "." + [...el.classList].join(".") : "");
    found.push(`${name} spans ${Math.round(box.left)}..${Math.round(box.right)} px: `
      + JSON.stringify((el.innerText || "").trim().slice(0, 60)));
    if (found.length > 8) break;
  }
  return found;
}"""


def overflowing(page) -> list[str]:
    """What sticks out sideways on the current page (empty when the page fits its viewport)."""
    return page.evaluate(_OVERFLOW)


def assert_fits(page) -> None:
    problems = overflowing(page)
    assert not problems, f"{page.url} at {page.viewport_size['width']} px:\n  " + "\n  ".join(problems)


_DIAGRAM = """() => [...document.querySelectorAll(".sp-diagram")].map((frame) => {
  const svg = frame.querySelector("svg").getBoundingClientRect();
  const box = frame.getBoundingClientRect();
  const note = document.querySelector(".sp-diagram-narrow");
  return {frame: [box.left, box.right], svg: [svg.left, svg.right], height: svg.height,
          replaced: box.height === 0 && !!note && note.getBoundingClientRect().height > 0};
})"""


def assert_diagram_shown_whole(page) -> None:
    """The process diagram, where a page has one, is drawn big enough to read (not an empty frame)
    and scaled into its frame (not cropped) — or, on a narrow screen, replaced by a note that the
    stepper shows the same steps."""
    for diagram in page.evaluate(_DIAGRAM):
        if diagram["replaced"]:
            continue
        (frame_left, frame_right), (left, right) = diagram["frame"], diagram["svg"]
        assert diagram["height"] > 100, f"{page.url}: the diagram is an empty frame or unreadably small: {diagram}"
        assert frame_left - 0.5 <= left and right <= frame_right + 0.5, f"{page.url}: the diagram is cropped: {diagram}"
