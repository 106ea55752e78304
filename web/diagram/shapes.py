"""Drawing the flow nodes: tasks, events and gateways, their names and the done/current marks.

One group per node (``<g class="bpmn-node bpmn-task bpmn-user-task bpmn-current" data-bpmn-id=…>``)
with a ``<title>`` tooltip that names the step and its state, so that the shape, the state classes
a stylesheet may use and the text for assistive technology stay together. A current step gets a
thick outline, a dashed outer frame, a bold name and the "aktuell" badge; a done step the check
badge — never colour alone. Names wrap into their box with German hyphenation (`fit`).
"""

from __future__ import annotations

import math
import re

from lxml import etree

from web.diagram.layout import EVENTS, GATEWAYS, TASKS, Box, Node
from web.diagram.linebreak import fit
from web.diagram.svg import (
    CURRENT_FILL,
    CURRENT_STROKE,
    DONE_BADGE,
    DONE_FILL,
    DONE_STROKE,
    INK,
    MUTED_INK,
    add,
    fmt,
    text_block,
)


def _badge_current(group: etree._Element, cx: float, top: float) -> None:
    """A dark pill "▶ aktuell" centred on (cx, top) — the non-colour marker of the position."""
    width, height = 72.0, 17.0
    x, y = cx - width / 2, top - height / 2
    badge = add(group, "g", class_="bpmn-current-badge")
    add(badge, "rect", x=x, y=y, width=width, height=height, rx=8.5, fill=CURRENT_STROKE)
    tx, ty = x + 9, y + height / 2
    add(
        badge,
        "polygon",
        points=f"{fmt(tx)},{fmt(ty - 4.5)} {fmt(tx + 7)},{fmt(ty)} {fmt(tx)},{fmt(ty + 4.5)}",
        fill="#ffffff",
    )
    label = add(badge, "text", x=x + 20, y=y + 12.5, font_size=11, font_weight="bold", fill="#ffffff")
    label.text = "aktuell"


def _badge_done(group: etree._Element, cx: float, cy: float) -> None:
    """A round check-mark badge — the non-colour marker of a done step."""
    badge = add(group, "g", class_="bpmn-done-badge")
    add(badge, "circle", cx=cx, cy=cy, r=8, fill=DONE_BADGE, stroke="#ffffff", stroke_width=1.5)
    add(
        badge,
        "polyline",
        points=f"{fmt(cx - 4)},{fmt(cy)} {fmt(cx - 1)},{fmt(cy + 3.2)} {fmt(cx + 4.2)},{fmt(cy - 3.5)}",
        fill="none",
        stroke="#ffffff",
        stroke_width=2,
        stroke_linecap="round",
        stroke_linejoin="round",
    )


def _colours(state: str) -> tuple[str, str, float]:
    """fill, stroke, stroke-width of a node's outline."""
    if state == "current":
        return CURRENT_FILL, CURRENT_STROKE, 4.0
    if state == "done":
        return DONE_FILL, DONE_STROKE, 1.5
    return "#ffffff", INK, 2.0


#: The tooltip of a shape without a name: what it is, in words (its BPMN id is no word for people).
_UNNAMED = {"bpmn-task": "Schritt", "bpmn-event": "Ereignis", "bpmn-gateway": "Verzweigung"}


def _state_word(state: str) -> str:
    return {"current": " (aktuell)", "done": " (erledigt)"}.get(state, "")


def _current_frame(group: etree._Element, tag: str, **geometry: object) -> None:
    """The dashed outer frame around a current step (`tag` with `geometry` a little outside its shape)."""
    add(
        group,
        tag,
        class_="bpmn-current-frame",
        **geometry,
        fill="none",
        stroke=CURRENT_STROKE,
        stroke_width=1.5,
        stroke_dasharray="5 3",
    )


def _draw_task(group: etree._Element, node: Node) -> None:
    box = node.box
    fill, stroke, width = _colours(node.state)
    if node.state == "current":
        _current_frame(group, "rect", x=box.x - 6, y=box.y - 6, width=box.w + 12, height=box.h + 12, rx=14)
    add(
        group,
        "rect",
        class_="bpmn-shape",
        x=box.x,
        y=box.y,
        width=box.w,
        height=box.h,
        rx=10,
        fill=fill,
        stroke=stroke,
        stroke_width=width,
    )
    if node.kind in ("subProcess", "callActivity", "transaction", "adHocSubProcess"):
        add(
            group,
            "rect",
            x=box.cx - 7,
            y=box.y + box.h - 16,
            width=14,
            height=14,
            fill="none",
            stroke=stroke,
            stroke_width=1.5,
        )
        add(
            group,
            "path",
            d=f"M{fmt(box.cx - 4)},{fmt(box.y + box.h - 9)} h8 M{fmt(box.cx)},{fmt(box.y + box.h - 13)} v8",
            stroke=stroke,
            stroke_width=1.5,
        )
    bold = node.state == "current"
    top_pad = 10.0 if node.state == "current" else 3.0
    size, lines = fit(node.name, box.w - 10, box.h - top_pad - 3, bold=bold, fewer_lines=True)
    block = size + (len(lines) - 1) * size * 1.2 if lines else 0
    area_top, area_height = box.y + top_pad, box.h - top_pad - 3
    top = area_top + (area_height - block) / 2 - size * 0.2
    text_block(
        group, lines, box.cx, top, size, css="bpmn-name", fill=MUTED_INK if node.state == "done" else INK, bold=bold
    )
    if node.state == "current":
        _badge_current(group, box.cx, box.y)
    elif node.state == "done":
        _badge_done(group, box.x + box.w - 2, box.y + 2)


def _draw_event_icon(group: etree._Element, node: Node, stroke: str) -> None:
    cx, cy = node.box.cx, node.box.cy
    throw = node.kind in ("intermediateThrowEvent", "endEvent")
    for definition in node.definitions:
        if definition == "messageEventDefinition":
            x0, y0, w, h = cx - 8.5, cy - 6, 17.0, 12.0
            add(
                group,
                "rect",
                class_="bpmn-icon",
                x=x0,
                y=y0,
                width=w,
                height=h,
                fill=stroke if throw else "none",
                stroke=stroke,
                stroke_width=1.5,
            )
            add(
                group,
                "polyline",
                points=f"{fmt(x0)},{fmt(y0)} {fmt(cx)},{fmt(cy + 1)} {fmt(x0 + w)},{fmt(y0)}",
                fill="none",
                stroke="#ffffff" if throw else stroke,
                stroke_width=1.5,
            )
        elif definition == "timerEventDefinition":
            add(
                group, "circle", class_="bpmn-icon", cx=cx, cy=cy, r=10, fill="#ffffff", stroke=stroke, stroke_width=1.5
            )
            for angle in range(0, 360, 30):
                rad = math.radians(angle)
                add(
                    group,
                    "line",
                    x1=cx + 8 * math.cos(rad),
                    y1=cy + 8 * math.sin(rad),
                    x2=cx + 10 * math.cos(rad),
                    y2=cy + 10 * math.sin(rad),
                    stroke=stroke,
                    stroke_width=1,
                )
            add(
                group,
                "polyline",
                points=f"{fmt(cx)},{fmt(cy - 7)} {fmt(cx)},{fmt(cy)} {fmt(cx + 5)},{fmt(cy + 2)}",
                fill="none",
                stroke=stroke,
                stroke_width=1.5,
                stroke_linecap="round",
            )
        elif definition == "signalEventDefinition":
            add(
                group,
                "polygon",
                class_="bpmn-icon",
                points=f"{fmt(cx)},{fmt(cy - 9)} {fmt(cx + 8)},{fmt(cy + 6)} {fmt(cx - 8)},{fmt(cy + 6)}",
                fill=stroke if throw else "none",
                stroke=stroke,
                stroke_width=1.5,
            )
        elif definition == "terminateEventDefinition":
            add(group, "circle", class_="bpmn-icon", cx=cx, cy=cy, r=node.box.w / 2 - 7, fill=stroke)


def _draw_event(group: etree._Element, node: Node) -> None:
    box = node.box
    fill, stroke, width = _colours(node.state)
    r = min(box.w, box.h) / 2
    if node.kind == "endEvent":
        width = max(width, 4.0)
    if node.state == "current":
        _current_frame(group, "circle", cx=box.cx, cy=box.cy, r=r + 7)
    add(group, "circle", class_="bpmn-shape", cx=box.cx, cy=box.cy, r=r, fill=fill, stroke=stroke, stroke_width=width)
    if node.kind in ("intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent"):
        add(group, "circle", cx=box.cx, cy=box.cy, r=r - 3.5, fill="none", stroke=stroke, stroke_width=1.2)
    _draw_event_icon(group, node, INK if node.state != "done" else DONE_STROKE)
    _outer_label(group, node)
    _status_badges(group, node)


def _draw_gateway(group: etree._Element, node: Node) -> None:
    box = node.box
    fill, stroke, width = _colours(node.state)
    cx, cy, hw, hh = box.cx, box.cy, box.w / 2, box.h / 2
    if node.state == "current":
        _current_frame(
            group,
            "polygon",
            points=f"{fmt(cx)},{fmt(cy - hh - 9)} {fmt(cx + hw + 9)},{fmt(cy)} {fmt(cx)},{fmt(cy + hh + 9)} "
            f"{fmt(cx - hw - 9)},{fmt(cy)}",
        )
    add(
        group,
        "polygon",
        class_="bpmn-shape",
        points=f"{fmt(cx)},{fmt(box.y)} {fmt(box.x + box.w)},{fmt(cy)} "
        f"{fmt(cx)},{fmt(box.y + box.h)} {fmt(box.x)},{fmt(cy)}",
        fill=fill,
        stroke=stroke,
        stroke_width=width,
        stroke_linejoin="round",
    )
    mark = INK if node.state != "done" else DONE_STROKE
    arm = min(hw, hh) * 0.38
    if node.kind == "exclusiveGateway":
        add(
            group,
            "path",
            class_="bpmn-icon",
            d=f"M{fmt(cx - arm)},{fmt(cy - arm)} L{fmt(cx + arm)},{fmt(cy + arm)} "
            f"M{fmt(cx + arm)},{fmt(cy - arm)} L{fmt(cx - arm)},{fmt(cy + arm)}",
            stroke=mark,
            stroke_width=3.5,
            stroke_linecap="round",
        )
    elif node.kind in ("parallelGateway", "complexGateway"):
        plus = arm * 1.3
        add(
            group,
            "path",
            class_="bpmn-icon",
            d=f"M{fmt(cx)},{fmt(cy - plus)} V{fmt(cy + plus)} M{fmt(cx - plus)},{fmt(cy)} H{fmt(cx + plus)}",
            stroke=mark,
            stroke_width=3.5,
            stroke_linecap="round",
        )
        if node.kind == "complexGateway":
            add(
                group,
                "path",
                d=f"M{fmt(cx - arm)},{fmt(cy - arm)} L{fmt(cx + arm)},{fmt(cy + arm)} "
                f"M{fmt(cx + arm)},{fmt(cy - arm)} L{fmt(cx - arm)},{fmt(cy + arm)}",
                stroke=mark,
                stroke_width=3.5,
                stroke_linecap="round",
            )
    elif node.kind == "inclusiveGateway":
        add(group, "circle", class_="bpmn-icon", cx=cx, cy=cy, r=arm * 1.2, fill="none", stroke=mark, stroke_width=2.5)
    elif node.kind == "eventBasedGateway":
        add(group, "circle", class_="bpmn-icon", cx=cx, cy=cy, r=arm * 1.3, fill="none", stroke=mark, stroke_width=1.2)
        add(group, "circle", cx=cx, cy=cy, r=arm * 1.05, fill="none", stroke=mark, stroke_width=1.2)
    _outer_label(group, node)
    _status_badges(group, node)


def _outer_label(group: etree._Element, node: Node) -> None:
    if not node.name:
        return
    box = node.label or Box(node.box.cx - 50, node.box.y + node.box.h + 6, 100, 40)
    bold = node.state == "current"
    size, lines = fit(node.name, max(box.w + 6, 70), max(box.h + 14, 28), sizes=(11, 10), bold=bold)
    text_block(
        group,
        lines,
        box.cx,
        box.y,
        size,
        css="bpmn-name",
        fill=MUTED_INK if node.state == "done" else INK,
        bold=bold,
        halo=True,
    )


def _status_badges(group: etree._Element, node: Node) -> None:
    box = node.box
    if node.state == "current":  # on the side away from the name
        label_above = node.label is not None and node.label.cy < box.cy
        _badge_current(group, box.cx, box.y + box.h + 20 if label_above else box.y - 20)
    elif node.state == "done" and node.kind in GATEWAYS:  # on the upper right edge of the diamond
        _badge_done(group, box.x + box.w * 0.75 + 3, box.y + box.h * 0.25 - 3)
    elif node.state == "done":  # on the circle, upper right
        _badge_done(group, box.cx + box.w * 0.3536 + 2, box.cy - box.h * 0.3536 - 2)


def draw_node(parent: etree._Element, node: Node) -> None:
    """`node` as a group in `parent`, classed by family, kind and state, with its name as tooltip."""
    if node.kind in TASKS:
        family = "bpmn-task"
    elif node.kind in EVENTS:
        family = "bpmn-event"
    else:
        family = "bpmn-gateway"
    kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", node.kind).lower()
    classes = ["bpmn-node", family, f"bpmn-{kebab}"]
    if node.state:
        classes.append(f"bpmn-{node.state}")
    group = add(parent, "g", class_=" ".join(classes), data_bpmn_id=node.id)
    tooltip = add(group, "title")
    tooltip.text = (node.name or _UNNAMED[family]) + _state_word(node.state)
    if family == "bpmn-task":
        _draw_task(group, node)
    elif family == "bpmn-event":
        _draw_event(group, node)
    else:
        _draw_gateway(group, node)
