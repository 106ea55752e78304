"""Find every Python snippet of a bundle's BPMN and DMN files and check it (`validation_scripts`).

Where SpiffWorkflow evaluates Python: script tasks and pre/post scripts (`exec`); conditions, timers,
message payloads, multi-instance and loop expressions, correlation expressions and DMN cells (`eval`).
Conditions are additionally checked for the names they read: a typo in a form field name would
otherwise only surface as a NameError when a caseworker completes the task before the gateway.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from lxml import etree

from engine.processes.validation.bpmn_rules import has_property
from engine.processes.validation.scripts import (
    Mode,
    assigned_names,
    check_timer,
    dmn_match_source,
    parse,
    unknown_names,
)
from engine.processes.validation.xml import Doc, bpmn, local, spiff

_EXEC = (bpmn("script"), spiff("preScript"), spiff("postScript"))
_EVAL = (
    bpmn("conditionExpression"),
    bpmn("loopCardinality"),
    bpmn("completionCondition"),
    bpmn("loopCondition"),
    spiff("messagePayload"),
    spiff("payloadExpression"),
)
_TIMERS = (bpmn("timeDuration"), bpmn("timeDate"), bpmn("timeCycle"))
_KIND = {
    "script": "script",
    "preScript": "preScript",
    "postScript": "postScript",
    "conditionExpression": "condition",
    "loopCardinality": "loop cardinality",
    "completionCondition": "completion condition",
    "loopCondition": "loop condition",
    "messagePayload": "message payload",
    "payloadExpression": "payload expression",
    "formalExpression": "correlation expression",
}


def message_variables(docs: Iterable[Doc]) -> tuple[set[str], list[str]]:
    """Names of `spiffworkflow:messageVariable` (payloads land there) and problems with them."""
    names, problems = set(), []
    for doc in docs:
        for element in doc.root.iter(spiff("messageVariable"), spiff("variableName")):
            name = (element.text or "").strip()
            if name.isidentifier() and not name.startswith("_"):
                names.add(name)
            else:
                problems.append(doc.at(element, f"{local(element)} '{name}' is not a valid variable name"))
    return names, problems


def dmn_outputs(dmn_docs: Iterable[Doc]) -> set[str]:
    return {o.get("name") for d in dmn_docs for o in d.root.iter("{*}output") if o.get("name")}


def check_snippets(
    docs: list[Doc], dmn_docs: list[Doc], form_fields: set[str] | None, known_names: set[str]
) -> list[str]:
    """Every snippet parsed and allow-listed; conditions read only known names; timers well-formed.

    `known_names`: variables other than form fields a condition may read (message variables, DMN
    outputs). `form_fields` None: some form could not be read, so the names of conditions are not checked.
    """
    problems: list[str] = []
    conditions: list[tuple[Doc, etree._Element, ast.AST]] = []
    script_names: set[str] = set()
    for doc in docs:
        for element in doc.root.iter(*_EXEC, *_EVAL, bpmn("formalExpression")):
            if element.tag == bpmn("formalExpression") and element.getparent().tag != bpmn(
                "correlationPropertyRetrievalExpression"
            ):
                continue
            mode: Mode = "exec" if element.tag in _EXEC else "eval"
            kind = _KIND[local(element)]
            text = element.text or ""
            if not text.strip():
                problems.append(doc.at(element, f"{kind} is empty"))
                continue
            tree, found = parse(text, mode)
            problems += [doc.at(element, f"{kind}: {p}") for p in found]
            if tree is None:
                continue
            if mode == "exec":
                script_names |= assigned_names(tree)
            elif element.tag == bpmn("conditionExpression") and not found:
                conditions.append((doc, element, tree))
        for element in doc.root.iter(*_TIMERS):
            definition = element.getparent()
            event = definition.getparent() if definition is not None else None
            found = check_timer(
                element.text,
                local(element),
                has_frist=event is not None and has_property(event, "frist"),
                form_fields=form_fields,
            )
            problems += [doc.at(element, p) for p in found]
    if form_fields is None:
        conditions = []
    known = (form_fields or set()) | known_names | script_names
    for doc, element, tree in conditions:
        problems += [doc.at(element, f"condition {p}") for p in unknown_names(tree, known)]
    for dmn in dmn_docs:
        problems += _check_dmn(dmn)
    return problems


def _check_dmn(doc: Doc) -> list[str]:
    problems = []
    for element in doc.root.iter("{*}text"):
        parent = local(element.getparent())
        text = element.text or ""
        if parent == "inputEntry":
            source = dmn_match_source(text)
        elif parent in ("inputExpression", "outputEntry"):
            source = text.strip() or None
        else:
            continue
        if source is None:
            continue
        _, found = parse(source, "eval")
        line = f"{doc.path} line {element.sourceline}"
        problems += [f"{line}: {parent} {text.strip()!r}: {p}" for p in found]
    return problems
