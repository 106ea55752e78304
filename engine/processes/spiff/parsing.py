"""Parsing a bundle's BPMN/DMN, and what the rest of the engine may know of the result: plain values.

A `ParsedProcess` keeps SpiffWorkflow's spec objects to itself (the instance module builds instances
from them); the catalog, the stepper and bundle validation see `UserTaskInfo`, `FlowGraph`,
`SchemaError` and `BuildProblem`. The parser always runs with the XSD validator: without it, XSD
errors are silently ignored.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway, IntermediateCatchEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

# lxml's XMLSchema keeps the log of its last run on the object; deploys are rare, so serialise them.
_XSD_LOCK = threading.Lock()


@dataclass(frozen=True)
class UserTaskInfo:
    """One user task of a process as the BPMN declares it."""

    key: str
    title: str
    lane: str
    form_path: str | None
    properties: Mapping[str, str]
    #: the messages its completion may throw before the process waits again (a person's next step,
    #: a catch event): a step that sends something to another organisation, asked before it is taken
    sends: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowNode:
    """What a flow node is, as far as drawing the flow needs it (the network's Ablaufplan)."""

    #: user, wait (an intermediate catch event), decision (exclusive/inclusive/event-based gateway),
    #: parallel (gateway), end, or other (start, script tasks, throw events, the parser's own nodes)
    kind: str
    name: str
    lane: str
    properties: Mapping[str, str]


@dataclass(frozen=True)
class FlowGraph:
    """The process's nodes and flows by internal node name; `bpmn_ids` names the BPMN elements."""

    start: str
    outputs: Mapping[str, tuple[str, ...]]
    bpmn_ids: Mapping[str, str]
    #: every node's kind, name, lane and properties, by internal node name
    nodes: Mapping[str, FlowNode]
    #: the sequence flows' names by (source, target) BPMN id: a decision's branches in words
    flow_names: Mapping[tuple[str, str], str]


class ParsedProcess:
    """The parsed, immutable spec of one deployed process version, shared by all its instances."""

    def __init__(
        self,
        spec: BpmnProcessSpec,
        subprocess_specs: Mapping[str, Any],
        flow_names: Mapping[tuple[str, str], str],
    ) -> None:
        self._spec = spec  # read by the instance module only
        self._subprocess_specs = subprocess_specs
        self.user_tasks = tuple(_user_tasks(spec, subprocess_specs))
        self.flow = _flow(spec, flow_names)
        #: the nodes a running case can stand at (user tasks, intermediate catch events): what a
        #: version's migration map may name (engine/processes/migration_map.py)
        self.positions = frozenset(
            s.bpmn_id
            for s in spec.task_specs.values()
            if getattr(s, "bpmn_id", None) and (getattr(s, "manual", False) or isinstance(s, IntermediateCatchEvent))
        )


def make_parser(*, validate: bool = True) -> SpiffBpmnParser:
    """A fresh parser: one per process version (Spiff refuses duplicate process ids in one parser)."""
    return SpiffBpmnParser(validator=VALIDATOR if validate else None)


def parse_process(process_id: str, bpmn: Mapping[str, bytes], dmn: Mapping[str, bytes]) -> ParsedProcess:
    """Parse BPMN/DMN sources (bytes: lxml rejects str with an encoding declaration)."""
    parser = make_parser()
    for name, content in dmn.items():
        parser.add_dmn_str(content, filename=name)
    for name, content in bpmn.items():
        parser.add_bpmn_str(content, filename=name)
    spec = parser.get_spec(process_id)
    outgoing = parser.get_process_parser(process_id).outgoing_sequence_flows
    return ParsedProcess(spec, parser.get_subprocess_specs(process_id), _flow_names(outgoing))


def _user_tasks(spec: BpmnProcessSpec, subprocess_specs: Mapping[str, Any]) -> list[UserTaskInfo]:
    specs = [*spec.task_specs.values()]
    for sub in subprocess_specs.values():
        specs += sub.task_specs.values()
    return [
        UserTaskInfo(
            key=s.bpmn_id,
            title=s.bpmn_name or s.bpmn_id,
            lane=s.lane or "",
            form_path=s.extensions.get("formJsonSchemaFilename"),
            properties=dict(s.extensions.get("properties", {})),
            sends=_messages_thrown_after(s),
        )
        for s in specs
        if getattr(s, "manual", False) and getattr(s, "bpmn_id", None)
    ]


def _messages_thrown_after(task: Any) -> tuple[str, ...]:
    """The message names thrown on any path from `task` up to the next user task or catch event
    (gateways, script tasks and throw events run in the same step; which path is taken is decided by
    the data, so these are the messages the step *may* send)."""
    names: list[str] = []
    seen: set[str] = set()
    waiting = list(task.outputs)
    while waiting:
        node = waiting.pop()
        if node.name in seen or getattr(node, "manual", False) or isinstance(node, CatchingEvent):
            continue
        seen.add(node.name)
        definition = getattr(node, "event_definition", None)
        if isinstance(node, ThrowingEvent) and isinstance(definition, MessageEventDefinition):
            names.append(definition.name)
        waiting.extend(node.outputs)
    return tuple(sorted(set(names)))


def _flow(spec: BpmnProcessSpec, flow_names: Mapping[tuple[str, str], str]) -> FlowGraph:
    nodes = spec.task_specs.values()
    return FlowGraph(
        start=spec.start.name,
        outputs={s.name: tuple(o.name for o in s.outputs) for s in nodes},
        bpmn_ids={s.name: s.bpmn_id for s in nodes if getattr(s, "bpmn_id", None)},
        nodes={
            s.name: FlowNode(
                _kind(s), getattr(s, "bpmn_name", None) or "", getattr(s, "lane", None) or "", _properties(s)
            )
            for s in nodes
        },
        flow_names=flow_names,
    )


def _kind(spec: Any) -> str:
    if getattr(spec, "manual", False):
        return "user"
    if isinstance(spec, (ExclusiveGateway, InclusiveGateway, EventBasedGateway)):
        return "decision"
    if isinstance(spec, ParallelGateway):
        return "parallel"
    if isinstance(spec, EndEvent):
        return "end"
    if isinstance(spec, IntermediateCatchEvent):
        return "wait"
    return "other"


def _properties(spec: Any) -> dict[str, str]:
    extensions = getattr(spec, "extensions", None)
    return dict(extensions.get("properties", {})) if isinstance(extensions, Mapping) else {}


def _flow_names(outgoing: Mapping[str, list[etree._Element]]) -> dict[tuple[str, str], str]:
    """The sequence flows' names as SpiffWorkflow's process parser indexed them (its specs keep a
    gateway's conditions, not the words on its branches), by (source, target) BPMN id."""
    names = {
        (source, sequence_flow.get("targetRef", "")): (sequence_flow.get("name") or "").strip()
        for source, flows in outgoing.items()
        for sequence_flow in flows
    }
    return {key: name for key, name in names.items() if name}


# --------------------------------------------------------------------------------------------------
# For bundle validation


@dataclass(frozen=True)
class SchemaError:
    line: int
    message: str


def schema_errors(root: etree._Element) -> list[SchemaError]:
    """Every violation of the parser's XSD (incl. SpiffWorkflow's extensions); `root` is changed."""
    validator = make_parser().validator
    validator.preprocess(root)
    with _XSD_LOCK:
        if validator.validator.validate(root):
            return []
        errors = list(validator.validator.error_log)
    return [SchemaError(e.line, e.message) for e in errors]


@dataclass(frozen=True)
class BuildProblem:
    """What SpiffWorkflow refused while building a spec: where (if it says) and why."""

    message: str
    file_name: str | None = None
    line: int | None = None
    element_id: str = ""
    tag: str = ""
    #: the library's exception type when it failed without a ValidationException (KeyError, …)
    crash: str | None = None


def build_problem(
    key: str, bpmn_roots: Mapping[str, etree._Element], dmn_roots: Mapping[str, etree._Element]
) -> BuildProblem | None:
    """Build the spec of process `key` from parsed XML; the first problem SpiffWorkflow reports."""
    parser = make_parser()
    try:
        for path, root in dmn_roots.items():
            parser.add_dmn_xml(root, filename=path)
        for path, root in bpmn_roots.items():
            parser.add_bpmn_xml(root, filename=path)
        parser.get_spec(key)
        parser.get_subprocess_specs(key)
    except ValidationException as exc:
        return BuildProblem(
            str(exc), exc.file_name or None, exc.line_number or None, getattr(exc, "id", "") or "", exc.tag or ""
        )
    except Exception as exc:  # the library raises KeyError, TypeError, … for some malformed models
        return BuildProblem(str(exc), crash=type(exc).__name__)
    return None
