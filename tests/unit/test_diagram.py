"""The server-rendered process diagram (web/diagram/): the shipped bundles, position marks, safety."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tests.support.plain_words import internal_identifiers
from web.diagram import DiagramError, render_process_svg

BPMN_ROOT = Path(__file__).resolve().parents[2] / "bpmn"
SHIPPED = ["traeger_8a", "kkg4", "jugendamt_8a", "kindertagespflege_8a"]

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "svg": "http://www.w3.org/2000/svg",
}
SVG = "{http://www.w3.org/2000/svg}"
FLOW_NODE_KINDS = {
    "task": ["task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
             "businessRuleTask", "callActivity", "subProcess"],
    "event": ["startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent"],
    "gateway": ["exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"],
}  # fmt: skip
SHAPE_TAG = {"task": "rect", "event": "circle", "gateway": "polygon"}


def _bpmn(key: str) -> bytes:
    return (BPMN_ROOT / key / "1" / f"{key}.bpmn").read_bytes()


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode(), etree.XMLParser(resolve_entities=False, no_network=True))


def _flow_nodes_with_di(bpmn: bytes) -> dict[str, str]:
    """id -> family (task/event/gateway) of every flow node that has a BPMNShape."""
    root = etree.fromstring(bpmn)
    with_di = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    found = {}
    for family, kinds in FLOW_NODE_KINDS.items():
        for kind in kinds:
            for el in root.iterfind(f".//bpmn:{kind}", NS):
                if el.get("id") in with_di:
                    found[el.get("id")] = family
    return found


def _edges_with_di(bpmn: bytes) -> dict[str, str]:
    """id -> name of every sequence flow that has a BPMNEdge."""
    root = etree.fromstring(bpmn)
    with_di = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    return {f.get("id"): f.get("name", "") for f in root.iterfind(".//bpmn:sequenceFlow", NS) if f.get("id") in with_di}


def _group(doc: etree._Element, bpmn_id: str) -> etree._Element:
    (group,) = doc.xpath("//svg:g[contains(@class, 'bpmn-node')][@data-bpmn-id=$i]", namespaces=NS, i=bpmn_id)
    return group


def _classes(el: etree._Element) -> set[str]:
    return set(el.get("class", "").split())


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


# --------------------------------------------------------------------------- the shipped bundles


@pytest.mark.parametrize("key", SHIPPED)
def test_shipped_bundle_renders_every_element_with_di(key: str) -> None:
    bpmn = _bpmn(key)
    svg = render_process_svg(bpmn)
    doc = _parse(svg)

    assert doc.tag == f"{SVG}svg"
    assert doc.get("role") == "img"
    title_id, desc_id = doc.get("aria-labelledby").split()
    (title,) = doc.xpath("svg:title", namespaces=NS)
    (desc,) = doc.xpath("svg:desc", namespaces=NS)
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text.startswith("Prozessdiagramm: ")
    assert desc.text == "Ablauf: erledigt: noch kein Schritt; aktuell: kein offener Schritt."

    x, y, width, height = (float(v) for v in doc.get("viewBox").split())
    assert width > 1000 and height > 300
    assert (float(doc.get("width")), float(doc.get("height"))) == (width, height)

    expected_nodes = _flow_nodes_with_di(bpmn)
    groups = doc.xpath("//svg:g[contains(concat(' ', @class, ' '), ' bpmn-node ')]", namespaces=NS)
    assert sorted(g.get("data-bpmn-id") for g in groups) == sorted(expected_nodes)
    for group in groups:
        family = expected_nodes[group.get("data-bpmn-id")]
        assert f"bpmn-{family}" in _classes(group)
        shapes = group.xpath("*[contains(@class, 'bpmn-shape')]")
        assert [etree.QName(s).localname for s in shapes] == [SHAPE_TAG[family]]
        [tooltip] = group.xpath("svg:title", namespaces=NS)  # every node carries its full name as a tooltip
        assert not internal_identifiers(tooltip.text), "an unnamed shape says what it is, not its BPMN id"
        if family == "task":
            assert shapes[0].get("rx"), "tasks are rounded rectangles"

    expected_edges = _edges_with_di(bpmn)
    flows = doc.xpath("//svg:g[contains(@class, 'bpmn-flow ')]", namespaces=NS)
    assert sorted(f.get("data-bpmn-id") for f in flows) == sorted(expected_edges)
    marker_ids = set(doc.xpath("//svg:defs/svg:marker/@id", namespaces=NS))
    for flow in flows:
        (line,) = flow.xpath("svg:polyline", namespaces=NS)
        assert len(line.get("points").split()) >= 2
        assert re.fullmatch(r"url\(#(.+)\)", line.get("marker-end")).group(1) in marker_ids
    labels = doc.xpath("//svg:text[contains(@class, 'bpmn-flow-label')]", namespaces=NS)
    assert len(labels) == sum(1 for name in expected_edges.values() if name)

    # Lanes are labelled bands, named by the role's German label.
    lanes = doc.xpath("//svg:g[@class='bpmn-lane']", namespaces=NS)
    assert len(lanes) == len(etree.fromstring(bpmn).findall(".//bpmn:lane", NS)) >= 2
    assert all(_text(lane).strip() for lane in lanes)
    assert doc.xpath("//svg:g[@class='bpmn-participant']", namespaces=NS)


@pytest.mark.parametrize("key", SHIPPED)
def test_no_inline_styles(key: str) -> None:
    bpmn = _bpmn(key)
    root = etree.fromstring(bpmn)
    everything = [el.get("id") for el in root.iterfind(".//bpmn:*[@id]", NS)]
    svg = render_process_svg(bpmn, done=everything[: len(everything) // 2], current=everything[-3:])
    doc = _parse(svg)
    assert not doc.xpath("//@style")
    assert not doc.xpath("//svg:style", namespaces=NS)
    assert not doc.xpath("//svg:script|//svg:foreignObject", namespaces=NS)
    assert "style=" not in svg


def test_traeger_end_events_thick_and_gateway_markers() -> None:
    doc = _parse(render_process_svg(_bpmn("traeger_8a")))
    end_shape = _group(doc, "ende").xpath("*[contains(@class, 'bpmn-shape')]")[0]
    start_shape = _group(doc, "start").xpath("*[contains(@class, 'bpmn-shape')]")[0]
    assert float(end_shape.get("stroke-width")) > float(start_shape.get("stroke-width"))
    # Exclusive: an X (two diagonals); parallel: a + (a vertical and a horizontal bar).
    assert "L" in _group(doc, "gw_akute_gefahr").xpath("svg:path[@class='bpmn-icon']/@d", namespaces=NS)[0]
    assert re.search(r"V.*H", _group(doc, "gw_sofort_split").xpath("svg:path[@class='bpmn-icon']/@d", namespaces=NS)[0])


# --------------------------------------------------------------------------- position


def test_current_and_done_are_marked_not_by_colour_alone() -> None:
    done = ["start", "anhaltspunkte_dokumentieren", "gw_akute_gefahr", "leitung_informieren", "gw_gewichtig"]
    doc = _parse(render_process_svg(_bpmn("traeger_8a"), done=done, current=["insofa_beratung"]))

    current = _group(doc, "insofa_beratung")
    assert {"bpmn-current", "bpmn-task", "bpmn-user-task"} <= _classes(current)
    (badge,) = current.xpath("svg:g[@class='bpmn-current-badge']", namespaces=NS)
    assert _text(badge) == "aktuell"
    assert badge.xpath("svg:polygon", namespaces=NS), "a ▶ triangle, drawn (no font needed)"
    (frame,) = current.xpath("*[@class='bpmn-current-frame']")
    assert frame.get("stroke-dasharray")
    shape = current.xpath("*[contains(@class, 'bpmn-shape')]")[0]
    assert float(shape.get("stroke-width")) >= 4
    name = current.xpath("svg:text[@class='bpmn-name']", namespaces=NS)[0]
    assert name.get("font-weight") == "bold"
    assert current.xpath("svg:title", namespaces=NS)[0].text.endswith("(aktuell)")

    for bpmn_id in done:
        group = _group(doc, bpmn_id)
        assert "bpmn-done" in _classes(group)
        assert "bpmn-current" not in _classes(group)
        (check,) = group.xpath("svg:g[@class='bpmn-done-badge']", namespaces=NS)
        assert check.xpath("svg:polyline", namespaces=NS), "a drawn check mark"
        assert group.xpath("svg:title", namespaces=NS)[0].text.endswith("(erledigt)")

    untouched = _group(doc, "abschluss")
    assert not {"bpmn-done", "bpmn-current"} & _classes(untouched)
    assert not untouched.xpath(".//*[contains(@class, 'badge')]")
    assert len(doc.xpath("//*[@class='bpmn-current-badge']")) == 1
    assert len(doc.xpath("//*[@class='bpmn-done-badge']")) == len(done)

    desc = doc.xpath("svg:desc", namespaces=NS)[0].text
    assert desc == (
        "Ablauf: erledigt: Gewichtige Anhaltspunkte wahrgenommen, Gewichtige Anhaltspunkte dokumentieren, "
        "Akute Gefahr für Leib oder Leben?, Leitung informieren und Anhaltspunkte bewerten, "
        "Gewichtige Anhaltspunkte?; aktuell: Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft."
    )


def test_current_wins_over_done_and_unnamed_or_unknown_ids_stay_out_of_the_description() -> None:
    svg = render_process_svg(
        _bpmn("traeger_8a"),
        done={"schutzplan_ueberpruefen", "gw_ueberpruefung_merge", "no_such_element"},
        current={"schutzplan_ueberpruefen", "rueckmeldung_abwarten"},
    )
    doc = _parse(svg)
    group = _group(doc, "schutzplan_ueberpruefen")
    assert "bpmn-current" in _classes(group) and "bpmn-done" not in _classes(group)
    assert "bpmn-done" in _classes(_group(doc, "gw_ueberpruefung_merge"))
    assert "bpmn-current" in _classes(_group(doc, "rueckmeldung_abwarten"))  # a waiting catch event
    desc = doc.xpath("svg:desc", namespaces=NS)[0].text
    # Sets are listed in diagram order; the unnamed merge gateway and the unknown id are left out.
    assert desc == (
        "Ablauf: erledigt: noch kein Schritt; aktuell: Schutzplan überprüfen, Rückmeldung des Jugendamts abwarten."
    )


def test_current_nodes_are_painted_last() -> None:
    doc = _parse(render_process_svg(_bpmn("kkg4"), current=["gespraech_familie"]))
    last = doc[-1]
    assert "bpmn-position" in _classes(last)
    assert [g.get("data-bpmn-id") for g in last] == ["gespraech_familie"]


def test_ids_are_unique_per_rendering() -> None:
    bpmn = _bpmn("kkg4")
    one = _parse(render_process_svg(bpmn, current=["start"]))
    two = _parse(render_process_svg(bpmn, current=["gespraech_familie"]))
    ids_one, ids_two = one.xpath("//@id"), two.xpath("//@id")
    assert len(ids_one) == len(set(ids_one))
    assert not set(ids_one) & set(ids_two), "two diagrams on one page must not share marker or title ids"
    assert render_process_svg(bpmn, current=["start"]) == render_process_svg(bpmn, current=["start"])


# --------------------------------------------------------------------------- untrusted text and XML


def test_names_and_title_are_escaped() -> None:
    evil = "<script>alert(1)</script> & \"Eltern\" 'x'"
    escaped = evil.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    bpmn = _bpmn("traeger_8a").replace(b'name="Schutzplan vereinbaren"', f'name="{escaped}"'.encode())
    bpmn = bpmn.replace(b'name="Hilfe angenommen" sourceRef', b'name="a &amp; b &lt;i&gt;" sourceRef')
    svg = render_process_svg(bpmn, current=["schutzplan_vereinbaren"], title="Fall <b>&\x00\x07 X")

    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;" in svg
    doc = _parse(svg)
    assert not doc.xpath("//svg:script", namespaces=NS)
    group = _group(doc, "schutzplan_vereinbaren")
    assert group.xpath("svg:title", namespaces=NS)[0].text == f"{evil} (aktuell)"
    assert doc.xpath("svg:desc", namespaces=NS)[0].text.endswith(f"aktuell: {evil}.")
    assert doc.xpath("svg:title", namespaces=NS)[0].text == "Prozessdiagramm: Fall <b>& X"
    flow_label = doc.xpath("//svg:text[contains(@class, 'bpmn-flow-label')][contains(., 'a & b')]", namespaces=NS)
    assert _text(flow_label[0]).replace("\n", " ").strip() == "a & b <i>"


def test_doctype_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        b'<bpmn:process id="p" name="&x;"/></bpmn:definitions>'
    )
    with pytest.raises(DiagramError, match="DOCTYPE"):
        render_process_svg(xxe)
    plain_doctype = _bpmn("kkg4").replace(b"?>", b"?>\n<!DOCTYPE bpmn:definitions>", 1)
    with pytest.raises(DiagramError, match="DOCTYPE"):
        render_process_svg(plain_doctype)
    with pytest.raises(ValueError, match="wohlgeformt"):
        render_process_svg(b"<bpmn:definitions")


def test_elements_without_di_are_skipped() -> None:
    bpmn = _bpmn("kkg4")
    root = etree.fromstring(bpmn)
    for di in root.xpath(
        ".//bpmndi:BPMNShape[@bpmnElement='abschluss'] | .//bpmndi:BPMNEdge[@bpmnElement='Flow_ende']", namespaces=NS
    ):
        di.getparent().remove(di)
    for bounds in root.xpath(".//bpmndi:BPMNShape[@bpmnElement='ende']/*", namespaces=NS):
        bounds.set("width", "not a number")
    doc = _parse(render_process_svg(etree.tostring(root), done=["abschluss"], current=["ende"]))
    ids = set(doc.xpath("//svg:g/@data-bpmn-id", namespaces=NS))
    assert {"abschluss", "ende", "Flow_ende"}.isdisjoint(ids)
    assert {"start", "gespraech_familie", "Flow_start"} <= ids
    assert not doc.xpath("//*[contains(@class, 'badge')]")
    # Still named in the description: the text alternative does not depend on the picture.
    assert doc.xpath("svg:desc", namespaces=NS)[0].text == (
        "Ablauf: erledigt: Fall abschließen; aktuell: Fall abgeschlossen."
    )


def test_a_file_without_diagram_renders_a_note() -> None:
    bpmn = (
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        b'<bpmn:process id="p" name="Ohne DI"><bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>'
    )
    doc = _parse(render_process_svg(bpmn, current=["s"]))
    assert doc.get("role") == "img"
    assert doc.xpath("svg:title", namespaces=NS)[0].text == "Prozessdiagramm: Ohne DI"
    assert "kein Diagramm" in _text(doc.xpath("svg:text", namespaces=NS)[0])


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert (librsvg2-bin) not installed")
def test_an_svg_renderer_accepts_the_output(tmp_path: Path) -> None:
    svg = tmp_path / "d.svg"
    svg.write_text(render_process_svg(_bpmn("jugendamt_8a"), done=["start"], current=["eingang_erfassen"]))
    png = tmp_path / "d.png"
    subprocess.run(["rsvg-convert", "-o", str(png), str(svg)], check=True, capture_output=True, timeout=60)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("key", "name"), [("traeger_8a", "Sofortmeldung übermitteln"), ("kkg4", "Mitteilung übermitteln")]
)
def test_internal_keys_in_element_names_are_not_shown(key: str, name: str) -> None:
    """The v1 models name message events "… (meldung_8a)" for the modeller; people read the name only."""
    svg = render_process_svg(_bpmn(key))
    assert "(meldung_8a)" in _bpmn(key).decode() and "meldung_8a" not in svg
    assert name in _text(_parse(svg))
