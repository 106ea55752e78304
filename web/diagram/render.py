"""The SVG document of a process: description, size, markers, and lanes, flows and nodes in paint order.

`render_process_svg` is what the case page embeds inline, so the document is self-contained and
accessible: ``role="img"``, a ``<title>`` and a German ``<desc>`` that names the done and the current
steps (the position is available without the picture), and ids derived from the content, so that two
diagrams on one page do not share marker or title ids while the same input gives the same output.
Paint order matters for legibility: pools and lanes, then flows, then nodes, then flow labels (with a
white halo where they cross a line), and the current step last so that nothing covers its marks.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection

from lxml import etree

from engine.labels import ROLE_LABELS
from web.diagram.layout import Band, Box, Diagram, Edge, clean, parse, read
from web.diagram.linebreak import fit
from web.diagram.measure import FONT_FAMILY
from web.diagram.shapes import draw_node
from web.diagram.svg import HEADER_FILL, INK, LINE, MUTED_INK, SVG, add, fmt, text_block


def _draw_band(parent: etree._Element, band: Band) -> None:
    box = band.box
    css = f"bpmn-{band.kind}"
    group = add(parent, "g", class_=css, data_bpmn_id=band.id)
    header = 30.0
    add(
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
    add(
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
    holder = add(group, "g", transform=f"rotate(-90 {fmt(cx)} {fmt(cy)})")
    # The text's cap height sits ≈ 0.72 em above the baseline; centre the block on the strip.
    text_block(
        holder,
        lines,
        cx,
        cy - block_height / 2 - size * 0.14,
        size,
        css=f"{css}-label",
        bold=band.kind == "participant",
    )


def _draw_edge(parent: etree._Element, edge: Edge, arrow: str, prefix: str) -> None:
    group = add(parent, "g", class_=f"bpmn-flow bpmn-{edge.kind}", data_bpmn_id=edge.id)
    points = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in edge.points)
    # A message flow is dashed with an open arrow; a sequence flow solid with a filled one.
    style = (
        {"stroke_dasharray": "6 4", "marker_end": f"url(#{prefix}-open-arrow)"}
        if edge.kind == "messageFlow"
        else {"stroke_linejoin": "round", "marker_end": f"url(#{arrow})"}
    )
    add(group, "polyline", points=points, fill="none", stroke=LINE, stroke_width=1.5, **style)


def _edge_label(parent: etree._Element, edge: Edge) -> None:
    if not edge.name:
        return
    box = edge.label
    if box is None:  # middle of the longest segment
        segments = list(zip(edge.points, edge.points[1:], strict=False))
        (x1, y1), (x2, y2) = max(segments, key=lambda s: math.dist(s[0], s[1]))
        box = Box((x1 + x2) / 2 - 50, (y1 + y2) / 2 + 4, 100, 28)
    size, lines = fit(edge.name, max(box.w + 6, 40), max(box.h + 14, 28), sizes=(11, 10))
    text_block(parent, lines, box.cx, box.y, size, css="bpmn-flow-label", fill=MUTED_INK, halo=True)


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


def _arrow_marker(defs: etree._Element, marker_id: str, **paint: object) -> None:
    """An arrowhead marker for the end of a flow, painted with `paint` (fill, stroke)."""
    marker = add(
        defs,
        "marker",
        id=marker_id,
        viewBox="0 0 10 10",
        refX=10,
        refY=5,
        markerWidth=11,
        markerHeight=11,
        markerUnits="userSpaceOnUse",
        orient="auto",
    )
    add(marker, "path", d="M0,0 L10,5 L0,10 z", **paint)


def render_process_svg(
    bpmn_xml: bytes, *, done: Collection[str] = (), current: Collection[str] = (), title: str = ""
) -> str:
    """The process of `bpmn_xml` as an accessible SVG string with done/current steps (by BPMN id) marked.

    Raises DiagramError (a ValueError) for XML that is not well-formed or carries a DOCTYPE.
    """
    root = parse(bpmn_xml)
    current_ids = set(current)
    done_ids = set(done) - current_ids
    diagram = read(root, done_ids, current_ids)
    heading = clean(title) or diagram.title or "Prozess"

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
        "viewBox": f"{fmt(extent.x)} {fmt(extent.y)} {fmt(extent.w)} {fmt(extent.h)}",
        "width": fmt(extent.w),
        "height": fmt(extent.h),
        "font-family": FONT_FAMILY,
    }.items():
        svg.set(key, value)
    title_el = add(svg, "title", id=f"{prefix}-title")
    title_el.text = f"Prozessdiagramm: {heading}"
    desc_el = add(svg, "desc", id=f"{prefix}-desc")
    desc_el.text = description

    defs = add(svg, "defs")
    arrow = f"{prefix}-arrow"
    _arrow_marker(defs, arrow, fill=LINE)
    _arrow_marker(defs, f"{prefix}-open-arrow", fill="#ffffff", stroke=LINE, stroke_width=1)

    if not drawable:
        note = add(svg, "text", x=20, y=35, font_size=14, fill=INK)
        note.text = "Für diesen Prozess ist kein Diagramm hinterlegt."
        return etree.tostring(svg, encoding="unicode")

    bands = add(svg, "g", class_="bpmn-bands")
    for band in diagram.bands:
        _draw_band(bands, band)
    flows = add(svg, "g", class_="bpmn-flows")
    for edge in diagram.edges:
        _draw_edge(flows, edge, arrow, prefix)
    nodes = add(svg, "g", class_="bpmn-nodes")
    for node in diagram.nodes:
        if node.state != "current":
            draw_node(nodes, node)
    labels = add(svg, "g", class_="bpmn-flow-labels")
    for edge in diagram.edges:
        _edge_label(labels, edge)
    # The position last, so that nothing covers its outline, name or badge.
    position = add(svg, "g", class_="bpmn-nodes bpmn-position")
    for node in diagram.nodes:
        if node.state == "current":
            draw_node(position, node)
    return etree.tostring(svg, encoding="unicode")
