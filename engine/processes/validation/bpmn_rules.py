"""The modelling rules a bundle's BPMN must follow beyond the XSD (docs/bundles.md, "BPMN conventions").

Each rule exists because breaking it fails late, in a running case: SpiffWorkflow silently mishandles
some elements (spiffworkflow-notes.md §1), an unreachable task never runs, a user task without a lane
has no one allowed to complete it, a form that does not parse stops a caseworker mid-procedure.
All checks work on the lxml trees, so they run (and report) even when SpiffWorkflow cannot parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

from engine.processes.validation.xml import BPMN_NS, Doc, bpmn, local, spiff

ACTIVITIES = frozenset({
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
})  # fmt: skip
EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"})
GATEWAYS = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"})
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
USER_TASKS = frozenset({"userTask", "manualTask"})
WAITING = USER_TASKS | {"receiveTask", "intermediateCatchEvent", "boundaryEvent"}
CONTAINERS = frozenset({"process", "subProcess", "transaction", "adHocSubProcess"})
TASK_PROPERTIES = frozenset({"vier_augen", "frist", "frist_ab"})

#: Elements SpiffWorkflow 3.2.0 mishandles (spiffworkflow-notes.md §1), with the reason shown.
UNSUPPORTED = {
    "conditionalEventDefinition": "conditional events are only re-evaluated when the task is updated",
    "linkEventDefinition": "link events are parsed as none events (a silent dead end)",
    "adHocSubProcess": "ad-hoc subprocesses crash on start (KeyError 'data_objects')",
    "complexGateway": "complex gateways are not implemented",
    "compensateEventDefinition": "compensation is not implemented",
    "serviceTask": "the engine has no service implementations (use a scriptTask or a userTask)",
    "task": "an untyped task is run as a manual task without form or lane (use a userTask or scriptTask)",
}


def _elements(root: etree._Element, name: str) -> Iterable[etree._Element]:
    return root.iter(bpmn(name))


def _ns(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


def check_processes(docs: list[Doc], key: str | None) -> list[str]:
    """Exactly one process with the bundle key; every process executable; extra ones only if called."""
    problems = []
    called = {ca.get("calledElement") for d in docs for ca in _elements(d.root, "callActivity")}
    with_key = []
    for doc in docs:
        for process in _elements(doc.root, "process"):
            pid = process.get("id")
            if process.get("isExecutable") != "true":
                problems.append(
                    doc.at(process, 'not executable (isExecutable="true" missing); SpiffWorkflow refuses to run it')
                )
            if key is not None and pid == key:
                with_key.append(process)
            elif key is not None and pid not in called:
                problems.append(
                    doc.at(
                        process,
                        f"a bundle holds one process, '{key}' (the manifest key); "
                        "this one is neither it nor called by a callActivity",
                    )
                )
            problems += _check_start_events(doc, process)
    paths = ", ".join(d.path for d in docs)
    if key is not None and not with_key:
        problems.append(f"{paths}: no bpmn:process has the id '{key}' (the manifest key)")
    elif len(with_key) > 1:
        problems.append(f"{paths}: {len(with_key)} processes have the id '{key}'")
    return problems


def _check_start_events(doc: Doc, process: etree._Element) -> list[str]:
    starts = process.findall(bpmn("startEvent"))
    if len(starts) != 1:
        return [
            doc.at(
                process,
                f"a process needs exactly one start event, found {len(starts)} (the engine "
                "starts a case there; a message start is declared in started_by_messages)",
            )
        ]
    definitions = [local(c) for c in starts[0] if local(c).endswith("EventDefinition")]
    if definitions:
        return [
            doc.at(
                starts[0],
                f"the start event must be a none start event, not {definitions[0]} "
                "(use started_by_messages in manifest.json for message starts)",
            )
        ]
    return []


def check_unsupported(docs: list[Doc]) -> list[str]:
    problems = []
    for doc in docs:
        for element in doc.root.iter(etree.Element):
            if _ns(element) != BPMN_NS:
                continue
            name = local(element)
            if name in UNSUPPORTED:
                problems.append(doc.at(element, f"{name} is not supported: {UNSUPPORTED[name]}"))
            elif name in CONTAINERS and element.get("triggeredByEvent") == "true":
                problems.append(
                    doc.at(
                        element,
                        "event subprocesses are not supported: SpiffWorkflow ignores "
                        "isInterrupting and a timer start blocks completion; use an "
                        "interrupting boundary timer on an embedded subprocess",
                    )
                )
            elif element.get("isForCompensation") == "true":
                problems.append(doc.at(element, "compensation is not supported"))
            elif name == "eventBasedGateway":
                problems += _check_event_gateway(doc, element)
    return problems


def _check_event_gateway(doc: Doc, gateway: etree._Element) -> list[str]:
    container = gateway.getparent()
    nodes = {n.get("id"): n for n in container}
    timers = 0
    for flow in container.findall(bpmn("sequenceFlow")):
        target = nodes.get(flow.get("targetRef"))
        if flow.get("sourceRef") == gateway.get("id") and target is not None:
            timers += target.find(bpmn("timerEventDefinition")) is not None
    if timers > 1:
        return [
            doc.at(
                gateway,
                f"an event-based gateway with {timers} timers is not supported: "
                "SpiffWorkflow computes only the first timer's due time",
            )
        ]
    return []


def check_flows(docs: list[Doc]) -> list[str]:
    """Flow references, gateway labels and defaults, and reachability from a start event, per container."""
    problems = []
    for doc in docs:
        for container in doc.root.iter(*(bpmn(c) for c in CONTAINERS)):
            problems += _check_container(doc, container)
    return problems


def _check_container(doc: Doc, container: etree._Element) -> list[str]:
    problems = []
    nodes = {n.get("id"): n for n in container if _ns(n) == BPMN_NS and local(n) in FLOW_NODES}
    for node in nodes.values():
        if node.get("id") is None:
            problems.append(doc.at(node, f"{local(node)} has no id"))
    successors: dict[str, list[str]] = {}
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in container.findall(bpmn("sequenceFlow")):
        if flow.get("id") is None:
            problems.append(doc.at(flow, "sequenceFlow has no id"))
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        for end, ref in (("sourceRef", source), ("targetRef", target)):
            if ref not in nodes:
                problems.append(doc.at(flow, f"{end} '{ref}' is no flow node of the same (sub)process"))
        if source in nodes and target in nodes:
            successors.setdefault(source, []).append(target)
            outgoing.setdefault(source, []).append(flow)
    for node_id, node in nodes.items():
        if local(node) in ("exclusiveGateway", "inclusiveGateway") and node_id is not None:
            problems += _check_gateway(doc, node, outgoing.get(node_id, []))
    for boundary in container.findall(bpmn("boundaryEvent")):
        if boundary.get("attachedToRef") not in nodes:
            problems.append(
                doc.at(
                    boundary, f"attachedToRef '{boundary.get('attachedToRef')}' is no activity of the same (sub)process"
                )
            )
        else:
            successors.setdefault(boundary.get("attachedToRef"), []).append(boundary.get("id"))
    # Event subprocesses count as entry points here (they are reported as unsupported already).
    starts = [i for i, n in nodes.items() if local(n) == "startEvent" or n.get("triggeredByEvent") == "true"]
    if not starts:  # reported by check_processes (process) or by SpiffWorkflow (subprocess)
        return problems
    seen, stack = set(starts), list(starts)
    while stack:
        for nxt in successors.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    for node_id, node in nodes.items():
        if node_id not in seen and node_id is not None:
            problems.append(doc.at(node, "cannot be reached from a start event"))
    return problems


def _check_gateway(doc: Doc, gateway: etree._Element, flows: list[etree._Element]) -> list[str]:
    problems = []
    default = gateway.get("default")
    if default is not None and default not in {f.get("id") for f in flows}:
        problems.append(doc.at(gateway, f"default flow '{default}' is not an outgoing flow of this gateway"))
    if len(flows) > 1:
        for flow in flows:
            if not (flow.get("name") or "").strip():
                problems.append(doc.at(flow, "a flow leaving a deciding gateway needs a name (its label)"))
    return problems


def _lane_index(doc: Doc) -> dict[str, list[str | None]]:
    """Flow node id → names of the leaf lanes that list it (nested lanes: only the innermost count)."""
    index: dict[str, list[str | None]] = {}
    for lane in _elements(doc.root, "lane"):
        if lane.find(bpmn("childLaneSet")) is not None:
            continue
        for ref in lane.findall(bpmn("flowNodeRef")):
            index.setdefault((ref.text or "").strip(), []).append(lane.get("name"))
    return index


def user_tasks(docs: list[Doc]) -> list[tuple[Doc, etree._Element]]:
    return [(d, t) for d in docs for t in d.root.iter(*(bpmn(n) for n in USER_TASKS))]


def check_lanes(docs: list[Doc], manifest_lanes: Mapping[str, Any]) -> list[str]:
    """Each user task sits in exactly one lane named in the manifest (the lane decides who may work it).

    SpiffWorkflow gives a task inside an embedded subprocess the lane of the outermost subprocess,
    whatever the task's own flowNodeRef says; so that lane is the one checked.
    """
    problems = []
    for doc in docs:
        index = _lane_index(doc)
        for task in doc.root.iter(*(bpmn(n) for n in USER_TASKS)):
            holder = task
            while holder.getparent() is not None and holder.getparent().tag != bpmn("process"):
                holder = holder.getparent()
            lanes = index.get(holder.get("id") or "", [])
            via = "" if holder is task else f" (through its subprocess '{holder.get('id')}')"
            if not lanes:
                problems.append(doc.at(task, f"sits in no lane{via}"))
            elif len(lanes) > 1:
                names = ", ".join(map(str, lanes))
                problems.append(doc.at(task, f"sits in {len(lanes)} lanes{via}: {names}"))
            elif lanes[0] not in manifest_lanes:
                known = ", ".join(sorted(manifest_lanes)) or "none"
                problems.append(
                    doc.at(task, f"its lane '{lanes[0]}'{via} is not a key of the manifest's lanes ({known})")
                )
            own = index.get(task.get("id") or "", [])
            if holder is not task and own and own != lanes:
                problems.append(
                    doc.at(task, f"lists lane '{own[0]}', but SpiffWorkflow uses the lane of its subprocess")
                )
    return problems


def property_elements(element: etree._Element) -> list[etree._Element]:
    return element.findall(f"{bpmn('extensionElements')}/{spiff('properties')}/{spiff('property')}")


def has_property(element: etree._Element, name: str) -> bool:
    return any(p.get("name") == name and (p.get("value") or "").strip() for p in property_elements(element))


def _waits(element: etree._Element) -> bool:
    """Elements a case waits at, where a deadline (reminder, escalation) makes sense."""
    return local(element) in WAITING or element.find(bpmn("timerEventDefinition")) is not None


def _owner_of_property(prop: etree._Element) -> etree._Element | None:
    properties = prop.getparent()
    extension = properties.getparent() if properties is not None else None
    owner = extension.getparent() if extension is not None else None
    if extension is None or extension.tag != bpmn("extensionElements") or owner is None:
        return None
    return owner


def check_properties(docs: list[Doc], user_task_ids: set[str]) -> list[str]:
    """Only the properties the engine enforces, where it enforces them, pointing at real tasks."""
    problems = []
    for doc in docs:
        for prop in doc.root.iter(spiff("property")):
            owner = _owner_of_property(prop)
            if owner is None:  # not inside <extensionElements><properties>: the XSD check reports it
                continue
            name, value = prop.get("name"), (prop.get("value") or "").strip()
            if name is None or not value:
                problems.append(doc.at(prop, "a property needs a name and a non-empty value"))
                continue
            if name not in TASK_PROPERTIES:
                known = ", ".join(sorted(TASK_PROPERTIES))
                problems.append(doc.at(prop, f"unknown property '{name}' (known: {known})"))
                continue
            if sum(p.get("name") == name for p in property_elements(owner)) > 1:
                problems.append(doc.at(prop, f"property '{name}' is set more than once"))
            is_user_task = local(owner) in USER_TASKS
            if name == "frist" and not _waits(owner):
                problems.append(
                    doc.at(
                        prop,
                        "frist is only meaningful where the case waits: a user task, "
                        "a receive task or a catching event",
                    )
                )
            if name == "frist":
                problems += [doc.at(prop, p) for p in frist_key_problems(value)]
            if name == "frist_ab":
                problems += [doc.at(prop, p) for p in frist_start_problems(value, user_task_ids, owner)]
            if name == "vier_augen":
                if not is_user_task:
                    problems.append(doc.at(prop, "vier_augen is only meaningful on a user task"))
                for ref in (r.strip() for r in value.split(",")):
                    if ref == owner.get("id"):
                        problems.append(doc.at(prop, "vier_augen names the task itself"))
                    elif ref not in user_task_ids:
                        problems.append(doc.at(prop, f"vier_augen names '{ref}', which is no user task of the bundle"))
    return problems


def frist_key_problems(value: str) -> list[str]:
    """A Frist key of the profile; `{field}` placeholders (`eindruck_{dringlichkeit}`) are filled in
    from the task's data when the deadline is armed, so some profile key must fit the pattern."""
    from engine.deadlines.fristen import DEFAULT_PROFILE

    pattern = re.compile(re.sub(r"\\\{[a-z_][a-z0-9_]*\\\}", "[a-z0-9_]+", re.escape(value)))
    if any(pattern.fullmatch(key) for key in DEFAULT_PROFILE):
        return []
    return [f"frist '{value}' is no key of the Fristen profile (known: {', '.join(sorted(DEFAULT_PROFILE))})"]


def frist_start_problems(value: str, user_task_ids: set[str], owner: Any) -> list[str]:
    """Where a deadline counts from: the task opening (default), the case opening
    (`fall_eroeffnet`), or the completion of an earlier task (`erledigt:<task id>`)."""
    problems = []
    if not any(p.get("name") == "frist" for p in property_elements(owner)):
        problems.append("frist_ab without a frist property")
    if value == "fall_eroeffnet":
        return problems
    kind, _, task = value.partition(":")
    if kind != "erledigt" or task not in user_task_ids:
        problems.append(f"frist_ab '{value}' must be 'fall_eroeffnet' or 'erledigt:<user task id of the bundle>'")
    return problems
