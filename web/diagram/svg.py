"""SVG writing primitives shared by the diagram's shapes and its document: palette, elements, text.

Everything is written as elements with presentation attributes through lxml, never as strings and
never with ``style`` (the Content-Security-Policy forbids inline styles), so that text from a bundle
is always escaped and a stylesheet may refine the look through the CSS classes.
"""

from __future__ import annotations

from lxml import etree

SVG = "http://www.w3.org/2000/svg"

# Palette (contrast of text on its fill ≥ 4.5:1, of outlines on white ≥ 3:1).
INK = "#212529"
MUTED_INK = "#495057"
LINE = "#495057"
HEADER_FILL = "#f1f3f5"
DONE_FILL = "#eef0f2"
DONE_STROKE = "#868e96"
DONE_BADGE = "#2b7a3d"
CURRENT_FILL = "#dbe8ff"
CURRENT_STROKE = "#1948b8"


def fmt(value: float) -> str:
    """A coordinate as short text: at most two decimals, no trailing zeros."""
    return f"{round(value, 2):g}"


def add(parent: etree._Element, tag: str, **attrs: object) -> etree._Element:
    """A new SVG child of `parent`; ``stroke_width=2`` becomes ``stroke-width="2"``, None is left out."""
    el = etree.SubElement(parent, f"{{{SVG}}}{tag}")
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        el.set(name, fmt(value) if isinstance(value, float | int) and not isinstance(value, bool) else str(value))
    return el


def text_block(
    parent: etree._Element,
    lines: list[str],
    cx: float,
    top: float,
    size: float,
    *,
    css: str,
    fill: str = INK,
    bold: bool = False,
    halo: bool = False,
) -> None:
    """Centered lines starting at `top` (first baseline at top + size)."""
    if not lines:
        return
    text = add(
        parent,
        "text",
        class_=css,
        x=cx,
        y=top,
        font_size=size,
        text_anchor="middle",
        fill=fill,
        font_weight="bold" if bold else None,
        # A white outline behind the glyphs keeps labels readable where they cross a line.
        stroke="#ffffff" if halo else None,
        stroke_width=3 if halo else None,
        stroke_linejoin="round" if halo else None,
        paint_order="stroke" if halo else None,
    )
    for i, line in enumerate(lines):
        span = add(text, "tspan", x=cx, dy=size if i == 0 else size * 1.2)
        span.text = line
