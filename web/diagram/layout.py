"""Reading the layout of a BPMN file from its diagram interchange (BPMN DI) into plain dataclasses.

The drawing code should not walk XML: it gets shape bounds, edge waypoints, lanes/pools and label
bounds as `Diagram`, already checked (finite numbers, non-negative sizes, at least two waypoints),
so that a broken or hostile bundle can only lose elements, never break the page. The XML is parsed
without entities, network or DOCTYPE because bundles are uploaded content. Elements without DI are
not drawn, but every named flow node is kept in `Diagram.names` for the text alternative.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

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
_TRAILING_KEY = re.compile(r"\s*\([a-z][a-z0-9]*(?:_[a-z0-9]+)+\)$")


class DiagramError(ValueError):
    """The BPMN file cannot be drawn (not well-formed, or a DOCTYPE)."""


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


def clean(text: str | None) -> str:
    """`text` without characters XML 1.0 cannot carry, stripped ("" for None)."""
    return _INVALID_XML.sub("", text or "").strip()


def shown_name(text: str | None) -> str:
    """An element's name as people read it: a trailing internal key in parentheses dropped.

    The shipped v1 models name their message events like "Sofortmeldung übermitteln (meldung_8a)" for
    the modeller; their bytes cannot change, and the key means nothing to the people reading the
    diagram (issue 16 item 3)."""
    return _TRAILING_KEY.sub("", clean(text))


def parse(bpmn_xml: bytes) -> etree._Element:
    """The root element of `bpmn_xml`; DiagramError for XML that is not well-formed or has a DOCTYPE."""
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


def read(root: etree._Element, done: set[str], current: set[str]) -> Diagram:
    """The drawable layout of `root`, each flow node's state taken from `done` / `current` (BPMN ids)."""
    by_id: dict[str, etree._Element] = {}
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).namespace == BPMN and el.get("id"):
            by_id.setdefault(el.get("id", ""), el)

    diagram = Diagram(title="")
    for node_id, el in by_id.items():
        if _local(el) in FLOW_NODES and shown_name(el.get("name")):
            diagram.names[node_id] = shown_name(el.get("name"))
    process = root.find(f"{{{BPMN}}}process")
    participant = root.find(f"{{{BPMN}}}collaboration/{{{BPMN}}}participant")
    for candidate in (process, participant):
        if candidate is not None and clean(candidate.get("name")):
            diagram.title = clean(candidate.get("name"))
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
        name = shown_name(element.get("name"))
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
