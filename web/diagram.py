"""The process diagram as server-rendered SVG, with the case's position marked.

`render_process_svg` draws a BPMN file from its diagram interchange (BPMN DI: shape bounds,
edge waypoints, label bounds) as a standalone SVG for inline embedding in an HTML page:

* accessible: ``role="img"``, ``<title>`` and a German ``<desc>`` that names the done and the
  current steps, so the position is available without the picture;
* position never by colour alone (WCAG 1.4.1): done steps get a check-mark badge, current steps
  a thick outline, a dashed outer frame, bold name and an "aktuell" badge with a ▶ triangle;
* no inline styles (the Content-Security-Policy forbids them): only presentation attributes
  plus CSS classes (``bpmn-task``, ``bpmn-done``, ``bpmn-current``, …) a stylesheet may refine;
* safe with bundle content: the XML is parsed without entities, network or DOCTYPE, and all
  text is written through lxml, which escapes it.

Elements without DI are not drawn.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from lxml import etree

from engine.permissions import ROLE_LABELS

__all__ = ["DiagramError", "render_process_svg"]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SVG = "http://www.w3.org/2000/svg"

FONT_FAMILY = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif"

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

TASKS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "transaction",
        "adHocSubProcess",
    }
)
EVENTS = frozenset({"startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent"})
GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"})
FLOW_NODES = TASKS | EVENTS | GATEWAYS

#: Characters XML 1.0 cannot carry (only relevant for the caller's title).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class DiagramError(ValueError):
    """The BPMN file cannot be drawn (not well-formed, or a DOCTYPE)."""


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Node:
    id: str
    kind: str  # BPMN local name
    name: str
    box: Box
    label: Box | None
    definitions: tuple[str, ...] = ()  # eventDefinition local names
    state: str = ""  # "", "done" or "current"


@dataclass
class Edge:
    id: str
    kind: str  # sequenceFlow / messageFlow
    name: str
    points: list[tuple[float, float]]
    label: Box | None


@dataclass
class Band:
    id: str
    kind: str  # participant / lane
    name: str
    box: Box


@dataclass
class Diagram:
    title: str
    names: dict[str, str] = field(default_factory=dict)  # every named flow node, drawn or not, in file order
    bands: list[Band] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _num(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _bounds(el: etree._Element | None) -> Box | None:
    if el is None:
        return None
    values = [v for v in (_num(el.get(a)) for a in ("x", "y", "width", "height")) if v is not None]
    if len(values) != 4 or values[2] < 0 or values[3] < 0:
        return None
    return Box(*values)


def _clean(text: str | None) -> str:
    return _INVALID_XML.sub("", text or "").strip()


def _parse(bpmn_xml: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(bpmn_xml, parser)
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in bpmn_xml:  # e.g. an undefined (unresolved) entity: name the real cause
            raise DiagramError("BPMN-Datei mit DOCTYPE-Deklaration wird nicht verarbeitet") from exc
        raise DiagramError(f"BPMN-Datei ist kein wohlgeformtes XML: {exc.msg}") from exc
    if root.getroottree().docinfo.doctype:
        raise DiagramError("BPMN-Datei mit DOCTYPE-Deklaration wird nicht verarbeitet")
    return root


def _read(root: etree._Element, done: set[str], current: set[str]) -> Diagram:
    by_id: dict[str, etree._Element] = {}
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).namespace == BPMN and el.get("id"):
            by_id.setdefault(el.get("id", ""), el)

    diagram = Diagram(title="")
    for node_id, el in by_id.items():
        if _local(el) in FLOW_NODES and _clean(el.get("name")):
            diagram.names[node_id] = _clean(el.get("name"))
    process = root.find(f"{{{BPMN}}}process")
    participant = root.find(f"{{{BPMN}}}collaboration/{{{BPMN}}}participant")
    for candidate in (process, participant):
        if candidate is not None and _clean(candidate.get("name")):
            diagram.title = _clean(candidate.get("name"))
            break

    plane = root.find(f"{{{BPMNDI}}}BPMNDiagram/{{{BPMNDI}}}BPMNPlane")
    if plane is None:
        return diagram
    boundary: list[Node] = []
    for di in plane:
        if not isinstance(di.tag, str):
            continue
        element = by_id.get(di.get("bpmnElement", ""))
        if element is None:
            continue
        kind = _local(element)
        name = _clean(element.get("name"))
        label_el = di.find(f"{{{BPMNDI}}}BPMNLabel/{{{DC}}}Bounds")
        label = _bounds(label_el)
        if di.tag == f"{{{BPMNDI}}}BPMNShape":
            box = _bounds(di.find(f"{{{DC}}}Bounds"))
            if box is None:
                continue
            if kind in ("participant", "lane"):
                diagram.bands.append(Band(element.get("id", ""), kind, name, box))
            elif kind in FLOW_NODES:
                node_id = element.get("id", "")
                definitions = tuple(_local(child) for child in element if _local(child).endswith("EventDefinition"))
                state = "current" if node_id in current else "done" if node_id in done else ""
                node = Node(node_id, kind, name, box, label, definitions, state)
                (boundary if kind == "boundaryEvent" else diagram.nodes).append(node)
        elif di.tag == f"{{{BPMNDI}}}BPMNEdge" and kind in ("sequenceFlow", "messageFlow"):
            points = []
            for wp in di.findall(f"{{{DI}}}waypoint"):
                x, y = _num(wp.get("x")), _num(wp.get("y"))
                if x is not None and y is not None:
                    points.append((x, y))
            if len(points) >= 2:
                diagram.edges.append(Edge(element.get("id", ""), kind, name, points, label))
    diagram.nodes.extend(boundary)  # drawn on top of their activities
    # Participants first, then lanes, so that lanes paint over their pool.
    diagram.bands.sort(key=lambda b: b.kind != "participant")
    return diagram


# --------------------------------------------------------------------------- text layout

_NARROW = set("iljtfrI.,:;!|'()[]/-·")
_WIDE = set("mwMWÄÖÜ@%—–")


def _char_width(ch: str) -> float:
    """Rough advance widths in em, on the wide side (DejaVu Sans rather than Arial)."""
    if ch == " ":
        return 0.32
    if ch in _NARROW:
        return 0.32
    if ch in _WIDE:
        return 0.86
    if ch.isupper():
        return 0.72
    if ch.isdigit():
        return 0.64
    return 0.6


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(_char_width(c) for c in text) * size * (1.12 if bold else 1.0)


_VOWELS = set("aeiouäöüyAEIOUÄÖÜY")
#: Endings of the left part of a German compound ("Gefährdungs|einschätzung").
_JOINTS = ("ungs", "heits", "keits", "schafts", "tions", "täts", "ings", "lings", "nis")
#: Stems that often start the right part of a compound in this domain ("Statistik|meldung").
# fmt: off
_STEMS = (
    "einschätz", "meld", "wirk", "nahme", "punkt", "teil", "gefähr", "gericht", "plan", "prüf", "bogen", "kraft",
    "stelle", "hilfe", "termin", "pflege", "geheim", "fall", "amt", "wohl", "träger", "dokument", "beteilig",
    "bestätig", "frist", "kind", "eltern", "schutz", "auftrag", "beratung",
)
# fmt: on


def _break_score(rest: str, p: int) -> int:
    head, tail = rest[:p], rest[p:].lower()
    if head[-1] in "-/":
        return 4
    if len(head) >= 3 and (head.lower().endswith(_JOINTS) or tail.startswith(_STEMS)):
        return 3
    nxt = rest[p]
    if nxt not in _VOWELS and p + 1 < len(rest) and rest[p + 1] in _VOWELS and head[-1].lower() != "c":
        return 1  # before a consonant-vowel pair, never inside ch/ck: a rough syllable ("Zusam-men")
    return 0


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Split a word that is wider than `width` into hyphenated pieces (rough German heuristics)."""
    pieces: list[str] = []
    rest = word
    while text_width(rest, size, bold) > width and len(rest) > 5:
        fitting = [p for p in range(3, len(rest) - 2) if text_width(rest[:p] + "-", size, bold) <= width]
        if not fitting:
            break
        scored = [(_break_score(rest, p), p) for p in fitting]
        best = max(scored)[1]
        head = rest[:best]
        pieces.append(head if head[-1] in "-/" else head + "-")
        rest = rest[best:]
    pieces.append(rest)
    return pieces


def wrap(text: str, width: float, size: float, bold: bool = False) -> tuple[list[str], int]:
    """Lines of at most `width` (estimated); also the number of words that had to be hyphenated."""
    lines: list[str] = []
    broken = 0
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size, bold) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if text_width(word, size, bold) <= width:
                current = word
                continue
            pieces = _break_word(word, width, size, bold)
            broken += 1
            lines.extend(pieces[:-1])
            current = pieces[-1]
        if current:
            lines.append(current)
    return lines, broken


def fit(
    text: str,
    width: float,
    height: float,
    sizes: tuple[float, ...] = (12, 11, 10),
    bold: bool = False,
    fewer_lines: bool = False,
) -> tuple[float, list[str]]:
    """Font size and wrapped lines that fit the box, else the smallest size truncated with "…".

    The largest size that fits without hyphenation wins; with `fewer_lines`, among the two largest
    sizes the one with fewer lines (a slightly smaller font beats an orphaned "das" on a line of its
    own). Smaller sizes only when needed.
    """
    options = []
    for size in sizes:
        lines, broken = wrap(text, width, size, bold)
        if len(lines) * size * 1.2 <= height:
            options.append((broken, len(lines) if fewer_lines else 0, -size, lines))
    preferred = [o for o in options if -o[2] in sizes[:2]]
    if preferred or options:
        broken, _, negative_size, lines = min(preferred or options, key=lambda o: o[:3])
        return -negative_size, lines
    size = sizes[-1]
    lines, _ = wrap(text, width, size, bold)
    keep = max(1, int(height // (size * 1.2)))
    if len(lines) > keep:
        lines = lines[:keep]
        last = lines[-1]
        while last and text_width(last + "…", size, bold) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return size, lines


# --------------------------------------------------------------------------- SVG writing


def _f(value: float) -> str:
    return f"{round(value, 2):g}"


def _el(parent: etree._Element, tag: str, **attrs: object) -> etree._Element:
    el = etree.SubElement(parent, f"{{{SVG}}}{tag}")
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        el.set(name, _f(value) if isinstance(value, float | int) and not isinstance(value, bool) else str(value))
    return el


def _text_block(
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
    text = _el(
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
        span = _el(text, "tspan", x=cx, dy=size if i == 0 else size * 1.2)
        span.text = line


def _badge_current(group: etree._Element, cx: float, top: float) -> None:
    """A dark pill "▶ aktuell" centred on (cx, top) — the non-colour marker of the position."""
    width, height = 72.0, 17.0
    x, y = cx - width / 2, top - height / 2
    badge = _el(group, "g", class_="bpmn-current-badge")
    _el(badge, "rect", x=x, y=y, width=width, height=height, rx=8.5, fill=CURRENT_STROKE)
    tx, ty = x + 9, y + height / 2
    _el(
        badge,
        "polygon",
        points=f"{_f(tx)},{_f(ty - 4.5)} {_f(tx + 7)},{_f(ty)} {_f(tx)},{_f(ty + 4.5)}",
        fill="#ffffff",
    )
    label = _el(badge, "text", x=x + 20, y=y + 12.5, font_size=11, font_weight="bold", fill="#ffffff")
    label.text = "aktuell"


def _badge_done(group: etree._Element, cx: float, cy: float) -> None:
    """A round check-mark badge — the non-colour marker of a done step."""
    badge = _el(group, "g", class_="bpmn-done-badge")
    _el(badge, "circle", cx=cx, cy=cy, r=8, fill=DONE_BADGE, stroke="#ffffff", stroke_width=1.5)
    _el(
        badge,
        "polyline",
        points=f"{_f(cx - 4)},{_f(cy)} {_f(cx - 1)},{_f(cy + 3.2)} {_f(cx + 4.2)},{_f(cy - 3.5)}",
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


def _state_word(state: str) -> str:
    return {"current": " (aktuell)", "done": " (erledigt)"}.get(state, "")


def _draw_band(parent: etree._Element, band: Band) -> None:
    box = band.box
    css = f"bpmn-{band.kind}"
    group = _el(parent, "g", class_=css, data_bpmn_id=band.id)
    header = 30.0
    _el(
        group,
        "rect",
        class_=f"{css}-body",
        x=box.x,
        y=box.y,
        width=box.w,
        height=box.h,
        fill="#ffffff" if band.kind == "participant" else "none",
        stroke=LINE,
        stroke_width=1.5,
    )
    _el(
        group,
        "rect",
        class_=f"{css}-header",
        x=box.x,
        y=box.y,
        width=header,
        height=box.h,
        fill=HEADER_FILL,
        stroke=LINE,
        stroke_width=1.5,
    )
    name = ROLE_LABELS.get(band.name, band.name) if band.kind == "lane" else band.name
    if not name:
        return
    size, lines = fit(name, box.h - 16, header, sizes=(12, 11), bold=band.kind == "participant")
    cx, cy = box.x + header / 2, box.cy
    block_height = size + (len(lines) - 1) * size * 1.2
    holder = _el(group, "g", transform=f"rotate(-90 {_f(cx)} {_f(cy)})")
    # The text's cap height sits ≈ 0.72 em above the baseline; centre the block on the strip.
    _text_block(
        holder,
        lines,
        cx,
        cy - block_height / 2 - size * 0.14,
        size,
        css=f"{css}-label",
        bold=band.kind == "participant",
    )


def _draw_edge(parent: etree._Element, edge: Edge, arrow: str, prefix: str) -> None:
    group = _el(parent, "g", class_=f"bpmn-flow bpmn-{edge.kind}", data_bpmn_id=edge.id)
    points = " ".join(f"{_f(x)},{_f(y)}" for x, y in edge.points)
    # A message flow is dashed with an open arrow; a sequence flow solid with a filled one.
    style = (
        {"stroke_dasharray": "6 4", "marker_end": f"url(#{prefix}-open-arrow)"}
        if edge.kind == "messageFlow"
        else {"stroke_linejoin": "round", "marker_end": f"url(#{arrow})"}
    )
    _el(group, "polyline", points=points, fill="none", stroke=LINE, stroke_width=1.5, **style)


def _edge_label(parent: etree._Element, edge: Edge) -> None:
    if not edge.name:
        return
    box = edge.label
    if box is None:  # middle of the longest segment
        segments = list(zip(edge.points, edge.points[1:], strict=False))
        (x1, y1), (x2, y2) = max(segments, key=lambda s: math.dist(s[0], s[1]))
        box = Box((x1 + x2) / 2 - 50, (y1 + y2) / 2 + 4, 100, 28)
    size, lines = fit(edge.name, max(box.w + 6, 40), max(box.h + 14, 28), sizes=(11, 10))
    _text_block(parent, lines, box.cx, box.y, size, css="bpmn-flow-label", fill=MUTED_INK, halo=True)


def _draw_task(group: etree._Element, node: Node) -> None:
    box = node.box
    fill, stroke, width = _colours(node.state)
    if node.state == "current":
        _el(
            group,
            "rect",
            class_="bpmn-current-frame",
            x=box.x - 6,
            y=box.y - 6,
            width=box.w + 12,
            height=box.h + 12,
            rx=14,
            fill="none",
            stroke=CURRENT_STROKE,
            stroke_width=1.5,
            stroke_dasharray="5 3",
        )
    _el(
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
        _el(
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
        _el(
            group,
            "path",
            d=f"M{_f(box.cx - 4)},{_f(box.y + box.h - 9)} h8 M{_f(box.cx)},{_f(box.y + box.h - 13)} v8",
            stroke=stroke,
            stroke_width=1.5,
        )
    bold = node.state == "current"
    top_pad = 10.0 if node.state == "current" else 3.0
    size, lines = fit(node.name, box.w - 10, box.h - top_pad - 3, bold=bold, fewer_lines=True)
    block = size + (len(lines) - 1) * size * 1.2 if lines else 0
    area_top, area_height = box.y + top_pad, box.h - top_pad - 3
    top = area_top + (area_height - block) / 2 - size * 0.2
    _text_block(
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
            _el(
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
            _el(
                group,
                "polyline",
                points=f"{_f(x0)},{_f(y0)} {_f(cx)},{_f(cy + 1)} {_f(x0 + w)},{_f(y0)}",
                fill="none",
                stroke="#ffffff" if throw else stroke,
                stroke_width=1.5,
            )
        elif definition == "timerEventDefinition":
            _el(
                group, "circle", class_="bpmn-icon", cx=cx, cy=cy, r=10, fill="#ffffff", stroke=stroke, stroke_width=1.5
            )
            for angle in range(0, 360, 30):
                rad = math.radians(angle)
                _el(
                    group,
                    "line",
                    x1=cx + 8 * math.cos(rad),
                    y1=cy + 8 * math.sin(rad),
                    x2=cx + 10 * math.cos(rad),
                    y2=cy + 10 * math.sin(rad),
                    stroke=stroke,
                    stroke_width=1,
                )
            _el(
                group,
                "polyline",
                points=f"{_f(cx)},{_f(cy - 7)} {_f(cx)},{_f(cy)} {_f(cx + 5)},{_f(cy + 2)}",
                fill="none",
                stroke=stroke,
                stroke_width=1.5,
                stroke_linecap="round",
            )
        elif definition == "signalEventDefinition":
            _el(
                group,
                "polygon",
                class_="bpmn-icon",
                points=f"{_f(cx)},{_f(cy - 9)} {_f(cx + 8)},{_f(cy + 6)} {_f(cx - 8)},{_f(cy + 6)}",
                fill=stroke if throw else "none",
                stroke=stroke,
                stroke_width=1.5,
            )
        elif definition == "terminateEventDefinition":
            _el(group, "circle", class_="bpmn-icon", cx=cx, cy=cy, r=node.box.w / 2 - 7, fill=stroke)


def _draw_event(group: etree._Element, node: Node) -> None:
    box = node.box
    fill, stroke, width = _colours(node.state)
    r = min(box.w, box.h) / 2
    if node.kind == "endEvent":
        width = max(width, 4.0)
    if node.state == "current":
        _el(
            group,
            "circle",
            class_="bpmn-current-frame",
            cx=box.cx,
            cy=box.cy,
            r=r + 7,
            fill="none",
            stroke=CURRENT_STROKE,
            stroke_width=1.5,
            stroke_dasharray="5 3",
        )
    _el(group, "circle", class_="bpmn-shape", cx=box.cx, cy=box.cy, r=r, fill=fill, stroke=stroke, stroke_width=width)
    if node.kind in ("intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent"):
        _el(group, "circle", cx=box.cx, cy=box.cy, r=r - 3.5, fill="none", stroke=stroke, stroke_width=1.2)
    _draw_event_icon(group, node, INK if node.state != "done" else DONE_STROKE)
    _outer_label(group, node)
    _status_badges(group, node)


def _draw_gateway(group: etree._Element, node: Node) -> None:
    box = node.box
    fill, stroke, width = _colours(node.state)
    cx, cy, hw, hh = box.cx, box.cy, box.w / 2, box.h / 2
    if node.state == "current":
        _el(
            group,
            "polygon",
            class_="bpmn-current-frame",
            points=f"{_f(cx)},{_f(cy - hh - 9)} {_f(cx + hw + 9)},{_f(cy)} {_f(cx)},{_f(cy + hh + 9)} "
            f"{_f(cx - hw - 9)},{_f(cy)}",
            fill="none",
            stroke=CURRENT_STROKE,
            stroke_width=1.5,
            stroke_dasharray="5 3",
        )
    _el(
        group,
        "polygon",
        class_="bpmn-shape",
        points=f"{_f(cx)},{_f(box.y)} {_f(box.x + box.w)},{_f(cy)} {_f(cx)},{_f(box.y + box.h)} {_f(box.x)},{_f(cy)}",
        fill=fill,
        stroke=stroke,
        stroke_width=width,
        stroke_linejoin="round",
    )
    mark = INK if node.state != "done" else DONE_STROKE
    arm = min(hw, hh) * 0.38
    if node.kind == "exclusiveGateway":
        _el(
            group,
            "path",
            class_="bpmn-icon",
            d=f"M{_f(cx - arm)},{_f(cy - arm)} L{_f(cx + arm)},{_f(cy + arm)} "
            f"M{_f(cx + arm)},{_f(cy - arm)} L{_f(cx - arm)},{_f(cy + arm)}",
            stroke=mark,
            stroke_width=3.5,
            stroke_linecap="round",
        )
    elif node.kind in ("parallelGateway", "complexGateway"):
        plus = arm * 1.3
        _el(
            group,
            "path",
            class_="bpmn-icon",
            d=f"M{_f(cx)},{_f(cy - plus)} V{_f(cy + plus)} M{_f(cx - plus)},{_f(cy)} H{_f(cx + plus)}",
            stroke=mark,
            stroke_width=3.5,
            stroke_linecap="round",
        )
        if node.kind == "complexGateway":
            _el(
                group,
                "path",
                d=f"M{_f(cx - arm)},{_f(cy - arm)} L{_f(cx + arm)},{_f(cy + arm)} "
                f"M{_f(cx + arm)},{_f(cy - arm)} L{_f(cx - arm)},{_f(cy + arm)}",
                stroke=mark,
                stroke_width=3.5,
                stroke_linecap="round",
            )
    elif node.kind == "inclusiveGateway":
        _el(group, "circle", class_="bpmn-icon", cx=cx, cy=cy, r=arm * 1.2, fill="none", stroke=mark, stroke_width=2.5)
    elif node.kind == "eventBasedGateway":
        _el(group, "circle", class_="bpmn-icon", cx=cx, cy=cy, r=arm * 1.3, fill="none", stroke=mark, stroke_width=1.2)
        _el(group, "circle", cx=cx, cy=cy, r=arm * 1.05, fill="none", stroke=mark, stroke_width=1.2)
    _outer_label(group, node)
    _status_badges(group, node)


def _outer_label(group: etree._Element, node: Node) -> None:
    if not node.name:
        return
    box = node.label or Box(node.box.cx - 50, node.box.y + node.box.h + 6, 100, 40)
    bold = node.state == "current"
    size, lines = fit(node.name, max(box.w + 6, 70), max(box.h + 14, 28), sizes=(11, 10), bold=bold)
    _text_block(
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


def _draw_node(parent: etree._Element, node: Node) -> None:
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
    group = _el(parent, "g", class_=" ".join(classes), data_bpmn_id=node.id)
    tooltip = _el(group, "title")
    tooltip.text = (node.name or node.id) + _state_word(node.state)
    if family == "bpmn-task":
        _draw_task(group, node)
    elif family == "bpmn-event":
        _draw_event(group, node)
    else:
        _draw_gateway(group, node)


def _names(diagram: Diagram, ids: Collection[str]) -> list[str]:
    """Names of the given steps, in the caller's order (file order for sets), each once; unnamed ones left out."""
    named = diagram.names
    order = [node_id for node_id in named if node_id in ids] if isinstance(ids, set | frozenset) else list(ids)
    seen: list[str] = []
    for node_id in order:
        name = named.get(node_id, "")
        if name and name not in seen:
            seen.append(name)
    return seen


def _extent(diagram: Diagram) -> Box:
    xs: list[float] = []
    ys: list[float] = []
    for box in (
        [b.box for b in diagram.bands]
        + [n.box for n in diagram.nodes]
        + [n.label for n in diagram.nodes if n.label]
        + [e.label for e in diagram.edges if e.label]
    ):
        xs += [box.x, box.x + box.w]
        ys += [box.y, box.y + box.h]
    for edge in diagram.edges:
        xs += [x for x, _ in edge.points]
        ys += [y for _, y in edge.points]
    margin = 30.0  # room for badges, frames and label halos outside the DI bounds
    return Box(min(xs) - margin, min(ys) - margin, max(xs) - min(xs) + 2 * margin, max(ys) - min(ys) + 2 * margin)


def render_process_svg(
    bpmn_xml: bytes, *, done: Collection[str] = (), current: Collection[str] = (), title: str = ""
) -> str:
    """The process of `bpmn_xml` as an accessible SVG string with done/current steps (by BPMN id) marked.

    Raises DiagramError (a ValueError) for XML that is not well-formed or carries a DOCTYPE.
    """
    root = _parse(bpmn_xml)
    current_ids = set(current)
    done_ids = set(done) - current_ids
    diagram = _read(root, done_ids, current_ids)
    heading = _clean(title) or diagram.title or "Prozess"

    digest = hashlib.sha256(bpmn_xml)
    for part in (sorted(done_ids), sorted(current_ids), [heading]):
        digest.update("\x1f".join(part).encode() + b"\x1e")
    prefix = f"bpmn-{digest.hexdigest()[:10]}"

    done_names = _names(
        diagram, [i for i in done if i in done_ids] if not isinstance(done, set | frozenset) else done_ids
    )
    current_names = _names(diagram, current if not isinstance(current, set | frozenset) else current_ids)
    description = (
        "Ablauf: erledigt: "
        + (", ".join(done_names) if done_names else "noch kein Schritt")
        + "; aktuell: "
        + (", ".join(current_names) if current_names else "kein offener Schritt")
        + "."
    )

    drawable = bool(diagram.bands or diagram.nodes or diagram.edges)
    extent = _extent(diagram) if drawable else Box(0, 0, 480, 60)
    svg = etree.Element(f"{{{SVG}}}svg", nsmap={None: SVG})
    for key, value in {
        "class": "bpmn-diagram",
        "role": "img",
        "aria-labelledby": f"{prefix}-title {prefix}-desc",
        "viewBox": f"{_f(extent.x)} {_f(extent.y)} {_f(extent.w)} {_f(extent.h)}",
        "width": _f(extent.w),
        "height": _f(extent.h),
        "font-family": FONT_FAMILY,
    }.items():
        svg.set(key, value)
    title_el = _el(svg, "title", id=f"{prefix}-title")
    title_el.text = f"Prozessdiagramm: {heading}"
    desc_el = _el(svg, "desc", id=f"{prefix}-desc")
    desc_el.text = description

    defs = _el(svg, "defs")
    arrow = f"{prefix}-arrow"
    marker = _el(
        defs,
        "marker",
        id=arrow,
        viewBox="0 0 10 10",
        refX=10,
        refY=5,
        markerWidth=11,
        markerHeight=11,
        markerUnits="userSpaceOnUse",
        orient="auto",
    )
    _el(marker, "path", d="M0,0 L10,5 L0,10 z", fill=LINE)
    open_marker = _el(
        defs,
        "marker",
        id=f"{prefix}-open-arrow",
        viewBox="0 0 10 10",
        refX=10,
        refY=5,
        markerWidth=11,
        markerHeight=11,
        markerUnits="userSpaceOnUse",
        orient="auto",
    )
    _el(open_marker, "path", d="M0,0 L10,5 L0,10 z", fill="#ffffff", stroke=LINE, stroke_width=1)

    if not drawable:
        note = _el(svg, "text", x=20, y=35, font_size=14, fill=INK)
        note.text = "Für diesen Prozess ist kein Diagramm hinterlegt."
        return etree.tostring(svg, encoding="unicode")

    bands = _el(svg, "g", class_="bpmn-bands")
    for band in diagram.bands:
        _draw_band(bands, band)
    flows = _el(svg, "g", class_="bpmn-flows")
    for edge in diagram.edges:
        _draw_edge(flows, edge, arrow, prefix)
    nodes = _el(svg, "g", class_="bpmn-nodes")
    for node in diagram.nodes:
        if node.state != "current":
            _draw_node(nodes, node)
    labels = _el(svg, "g", class_="bpmn-flow-labels")
    for edge in diagram.edges:
        _edge_label(labels, edge)
    # The position last, so that nothing covers its outline, name or badge.
    position = _el(svg, "g", class_="bpmn-nodes bpmn-position")
    for node in diagram.nodes:
        if node.state == "current":
            _draw_node(position, node)
    return etree.tostring(svg, encoding="unicode")
