"""XML plumbing of bundle validation: safe parsing, the complete XSD report, SpiffWorkflow's own parse.

Why not just call SpiffWorkflow's parser: it stops at the first problem (the XSD validator raises
with the *last* error of the log), and an admin fixing a bundle wants all of them at once. So the
schema of the parser's validator is run here and its whole error log reported; SpiffWorkflow's own
structural parse (`get_spec`) runs afterwards, only on schema-valid files, for what it alone knows.
Files are parsed with entity resolution and network access off: a bundle is uploaded data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from engine.processes.sandbox.limits import (
    MAX_ATTRIBUTE_CHARS,
    MAX_ELEMENT_NAME_CHARS,
    MAX_ELEMENT_TEXT_CHARS,
    MAX_ID_CHARS,
    number,
)
from engine.processes.spiff import build_problem, schema_errors

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_SHORT_NS = {f"{{{BPMN_NS}}}": "bpmn:", f"{{{SPIFF_NS}}}": "spiffworkflow:"}


def bpmn(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def spiff(tag: str) -> str:
    return f"{{{SPIFF_NS}}}{tag}"


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


@dataclass(frozen=True)
class Doc:
    """One parsed XML file of the bundle."""

    path: str
    root: etree._Element

    def at(self, element: etree._Element, message: str) -> str:
        """`file line N: tag 'id': message` — the prefix every element problem carries.

        The element named is the nearest one with an id, skipping event definitions (the admin
        looks for the event in the modeler, not for its definition).
        """
        owner = element
        while owner is not None and (owner.get("id") is None or local(owner).endswith("EventDefinition")):
            owner = owner.getparent()
        label = f"{local(owner)} '{_clip(owner.get('id') or '', 60)}': " if owner is not None else ""
        return f"{self.path} line {element.sourceline}: {label}{message}"


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(path: str, content: bytes) -> tuple[Doc | None, list[str]]:
    """Parse one file; a syntax error or a DOCTYPE (entity tricks, never needed in BPMN) is a problem."""
    try:
        root = etree.fromstring(content, _safe_parser())
    except etree.XMLSyntaxError as exc:
        return None, [f"{path} line {exc.lineno}: XML is not well-formed: {exc.msg}"]
    if root.getroottree().docinfo.doctype:
        return None, [f"{path}: DOCTYPE declarations are not allowed"]
    return Doc(path, root), []


def size_problems(doc: Doc) -> list[str]:
    """Attributes and texts beyond the limits (`engine.processes.sandbox.limits`), each naming its
    element: a 4 MB element name would otherwise travel into every case view, diagram and message."""
    problems = []
    for element in doc.root.iter(etree.Element):
        for attribute, value in element.attrib.items():
            name = etree.QName(attribute).localname
            limit = {"id": MAX_ID_CHARS, "name": MAX_ELEMENT_NAME_CHARS}.get(name, MAX_ATTRIBUTE_CHARS)
            if len(value) > limit:
                problems.append(
                    doc.at(
                        element,
                        f"Grenze überschritten: das Attribut {name} ist {number(len(value))} Zeichen lang "
                        f"(höchstens {number(limit)})",
                    )
                )
        if element.text is not None and len(element.text) > MAX_ELEMENT_TEXT_CHARS:
            problems.append(
                doc.at(
                    element,
                    f"Grenze überschritten: der Text von {local(element)} ist {number(len(element.text))} Zeichen "
                    f"lang (höchstens {number(MAX_ELEMENT_TEXT_CHARS)})",
                )
            )
    return problems


def shorten(message: str) -> str:
    for long, short in _SHORT_NS.items():
        message = message.replace(long, short)
    return message


def xsd_problems(path: str, content: bytes) -> list[str]:
    """Every XSD violation of one BPMN file, with its line (SpiffWorkflow's schema incl. its extensions)."""
    root = etree.fromstring(content, _safe_parser())  # a fresh tree: the validator renames elements
    return [f"{path} line {e.line}: XSD: {shorten(e.message)}" for e in schema_errors(root)]


def spiff_problems(key: str, bpmn_files: Mapping[str, bytes], dmn_files: Mapping[str, bytes]) -> list[str]:
    """What SpiffWorkflow itself refuses while building the spec of process `key` (first problem only)."""
    roots = {path: etree.fromstring(content, _safe_parser()) for path, content in bpmn_files.items()}
    dmn_roots = {path: etree.fromstring(content, _safe_parser()) for path, content in dmn_files.items()}
    problem = build_problem(key, roots, dmn_roots)
    if problem is None:
        return []
    if problem.crash is not None:
        return [
            f"{', '.join(bpmn_files)}: SpiffWorkflow cannot build process '{key}': "
            f"{problem.crash}: {_clip(shorten(problem.message))}"
        ]
    where, line, element_id = problem.file_name or ", ".join(bpmn_files), problem.line, problem.element_id
    if element_id and not line:  # Spiff reads `node.line_number`, which lxml elements do not have
        found = [e for r in roots.values() for e in r.xpath("//*[@id=$i]", i=element_id)]
        line = found[0].sourceline if found else None
    at = f" line {line}" if line else ""
    label = f"{shorten(problem.tag).removeprefix('bpmn:')} '{element_id}': " if element_id else ""
    return [f"{where}{at}: {label}SpiffWorkflow: {_clip(shorten(problem.message).rstrip('. '))}"]


def _clip(message: str, limit: int = 300) -> str:
    """SpiffWorkflow sometimes puts a whole XML element into its message."""
    return message if len(message) <= limit else message[: limit - 1] + "…"
