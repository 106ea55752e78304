"""The one module that knows SpiffWorkflow's internals (measured in spiffworkflow-notes.md).

Everything else in the engine talks to a `ProcessRuntime` and plain dicts. What lives here, and why:
- parsing a bundle's BPMN with the XSD validator (without it, XSD errors are silently ignored);
- a script engine that offers only the approved helpers (`engine/script_helpers.py`);
- an instance codec that stores an instance **without** its spec (the spec is stored once per version);
- compaction: finished history is cut from the task tree after every step, so a case that repeats a
  phase for years neither slows down (every Spiff step walks the whole tree) nor stalls (the task
  iterator stops silently at depth 1000, i.e. after ~250 loop iterations). The case history lives in
  the engine's own tables, not in the tree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _timer_module
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.processes.script_helpers import APPROVED_HELPERS, SAFE_BUILTINS

#: Version of the stored instance document (our envelope around Spiff's serializer format).
INSTANCE_FORMAT = 1


# --------------------------------------------------------------------------------------------------
# The engine's clock inside SpiffWorkflow: its timer module calls datetime.now() itself and offers no
# clock parameter (spiffworkflow-notes.md §2). This is the one place that patches it: within
# `frozen_time(now)` SpiffWorkflow sees the engine's instant; elsewhere the real time.

_FROZEN: ContextVar[datetime | None] = ContextVar("schutzpfad_spiff_now", default=None)


class _EngineDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        frozen = _FROZEN.get()
        if frozen is None:
            return datetime.now(tz)
        return frozen.astimezone(tz) if tz else frozen.astimezone().replace(tzinfo=None)


_timer_module.datetime = _EngineDatetime


@contextmanager
def frozen_time(now: datetime) -> Iterator[None]:
    """SpiffWorkflow's timers see `now` (aware) for the duration of the block."""
    token = _FROZEN.set(now)
    try:
        yield
    finally:
        _FROZEN.reset(token)


def make_parser(*, validate: bool = True) -> SpiffBpmnParser:
    """A fresh parser: one per process version (Spiff refuses duplicate process ids in one parser)."""
    return SpiffBpmnParser(validator=VALIDATOR if validate else None)


def make_script_engine() -> PythonScriptEngine:
    """Expressions see the task data, the approved helpers and a few pure builtins — nothing else."""
    env_globals: dict[str, Any] = dict(APPROVED_HELPERS)
    env_globals["__builtins__"] = SAFE_BUILTINS
    return PythonScriptEngine(environment=TaskDataEnvironment(environment_globals=env_globals))


@dataclass(frozen=True)
class ParsedProcess:
    """The parsed, immutable spec of one deployed process version, shared by all its instances."""

    spec: BpmnProcessSpec
    subprocess_specs: Mapping[str, Any]


def parse_process(process_id: str, bpmn: Mapping[str, bytes], dmn: Mapping[str, bytes]) -> ParsedProcess:
    """Parse BPMN/DMN sources (bytes: lxml rejects str with an encoding declaration)."""
    parser = make_parser()
    for name, content in dmn.items():
        parser.add_dmn_str(content, filename=name)
    for name, content in bpmn.items():
        parser.add_bpmn_str(content, filename=name)
    return ParsedProcess(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))


# --------------------------------------------------------------------------------------------------
# Serialization without the spec


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Writes an instance without `spec`/`subprocess_specs`; reads one with the specs handed in."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = dct.pop("spec"), dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()


def dump_instance(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The instance as a JSON-compatible dict, without its spec, with a format version."""
    dct = _SERIALIZER.to_dict(workflow)
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    dct["instance_format"] = INSTANCE_FORMAT
    return dct


def load_instance(state: Mapping[str, Any], process: ParsedProcess) -> BpmnWorkflow:
    """Rebuild an instance from `dump_instance` output and its version's parsed spec."""
    if state.get("instance_format") != INSTANCE_FORMAT:
        raise ValueError(f"unsupported instance format {state.get('instance_format')!r}")
    dct = dict(state)
    dct.pop("instance_format")
    _SERIALIZER.migrate(dct)
    dct.pop(_SERIALIZER.VERSION_KEY, None)
    dct["tasks"] = _parent_first(dct["tasks"], dct["root"])
    for sub in dct.get("subprocesses", {}).values():
        sub["tasks"] = _parent_first(sub["tasks"], sub["root"])
    dct["spec"], dct["subprocess_specs"] = process.spec, process.subprocess_specs
    workflow = _SERIALIZER.from_dict(dct)
    workflow.script_engine = make_script_engine()
    return workflow


def _parent_first(tasks: Mapping[str, Any], root: str) -> dict[str, Any]:
    """Tasks in tree order. Spiff rebuilds a task's data from its parent's (delta encoding), so a
    mapping in any other order — e.g. after a JSON encoder sorted the keys — would silently
    restore empty task data (spiffworkflow-notes.md §4)."""
    ordered: dict[str, Any] = {}
    queue = [root]
    while queue:
        task_id = queue.pop(0)
        if task_id in tasks and task_id not in ordered:
            ordered[task_id] = tasks[task_id]
            queue.extend(tasks[task_id]["children"])
    ordered.update((k, v) for k, v in tasks.items() if k not in ordered)
    return ordered


def new_instance(process: ParsedProcess, variables: Mapping[str, Any]) -> BpmnWorkflow:
    """A new instance whose start task carries the case variables, run to its first wait state."""
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=make_script_engine())
    start = workflow.get_next_task(state=TaskState.READY)
    if start is not None:
        start.data.update(variables)
    workflow.do_engine_steps()
    return workflow


# --------------------------------------------------------------------------------------------------
# The run loop's primitives


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """Tasks a person may complete now: READY **and** manual (Spiff's `run()` checks neither)."""
    return [t for t in workflow.get_tasks(state=TaskState.READY, manual=True)]


def find_task(workflow: BpmnWorkflow, task_uuid: UUID) -> Task | None:
    return workflow.get_task_from_id(task_uuid) if task_uuid in workflow.tasks else None


def is_open_user_task(task: Task) -> bool:
    return task.state == TaskState.READY and bool(task.task_spec.manual)


def complete_user_task(workflow: BpmnWorkflow, task: Task, values: Mapping[str, Any]) -> None:
    """Put the form values into the task, run it and the engine steps that follow."""
    if not is_open_user_task(task):  # guard again: run() would silently complete a FUTURE task
        raise RuntimeError("task is not an open user task")
    task.data.update(values)
    task.run()
    workflow.do_engine_steps()
    compact(workflow)


def send_message(workflow: BpmnWorkflow, name: str, payload: Mapping[str, Any]) -> None:
    """Deliver an inbound message (raises WorkflowException if nothing waits for it)."""
    workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=dict(payload)))
    workflow.do_engine_steps()
    compact(workflow)


@dataclass(frozen=True)
class OutgoingMessage:
    name: str
    payload: dict[str, Any]


def take_outgoing_messages(workflow: BpmnWorkflow) -> list[OutgoingMessage]:
    """Messages thrown and not caught inside the instance (Spiff's `get_events` clears them)."""
    out = []
    for event in workflow.get_events():
        definition = event.event_definition
        if isinstance(definition, MessageEventDefinition):
            out.append(OutgoingMessage(definition.name, dict(event.payload or {})))
    return out


def waiting_message_names(workflow: BpmnWorkflow) -> list[str]:
    return sorted({e.name for e in workflow.waiting_events() if e.event_type == "MessageEventDefinition"})


# --------------------------------------------------------------------------------------------------
# Compaction


def _path_from_root(task: Task) -> list[Task]:
    path = []
    node: Task | None = task
    while node is not None:
        path.append(node)
        node = node.parent
    path.reverse()
    return path


def _subtree_ids(task: Task) -> set[UUID]:
    ids, stack = set(), [task]
    while stack:
        node = stack.pop()
        ids.add(node.id)
        stack.extend(node.children)
    return ids


def compact(workflow: BpmnWorkflow) -> int:
    """Cut finished history above the lowest common ancestor of all unfinished tasks.

    Everything below that ancestor (open branches, waiting joins, boundary events, predicted tasks)
    is kept, so Spiff's joins and gateways see what they need; only the finished path leading to it
    and finished side branches go. Returns the number of tasks removed.
    """
    unfinished = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return 0
    common: list[Task] | None = None
    for task in unfinished:
        path = _path_from_root(task)
        if common is None:
            common = path
            continue
        n = 0
        while n < min(len(common), len(path)) and common[n] is path[n]:
            n += 1
        common = common[:n]
    assert common
    root, ancestor = common[0], common[-1]
    if len(common) <= 2:  # the ancestor already hangs directly under the root
        return 0
    keep = _subtree_ids(ancestor) | {root.id}
    removed = [tid for tid in workflow.tasks if tid not in keep]
    for tid in removed:
        del workflow.tasks[tid]
        _drop_subprocess(workflow, tid)
    root._children = [ancestor.id]
    ancestor._parent = root.id
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = ancestor
    return len(removed)


def _drop_subprocess(workflow: BpmnWorkflow, task_id: UUID) -> None:
    sub = workflow.subprocesses.pop(task_id, None)
    if sub is not None:
        for child_id in list(sub.tasks):
            _drop_subprocess(workflow, child_id)


def tree_size(workflow: BpmnWorkflow) -> int:
    """Number of tasks in the instance, subprocesses included (the unit of a step's cost)."""
    return len(workflow.tasks) + sum(len(s.tasks) for s in workflow.subprocesses.values())


# --------------------------------------------------------------------------------------------------
# What a case waits for: timers and waits that carry a Frist


def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[Task, datetime]]:
    """Armed timer events and their due instants (computed once by Spiff when armed)."""
    out = []
    for task in workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent):
        definition, value = task.task_spec.event_definition, task.internal_data.get("event_value")
        if isinstance(definition, TimerEventDefinition) and isinstance(value, str):
            out.append((task, TimerEventDefinition.get_datetime(value)))
    return out


def waiting_with_property(workflow: BpmnWorkflow, name: str) -> list[Task]:
    """Waiting catch events (e.g. for the Rückmeldung) that declare a task property."""
    return [
        t
        for t in workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent)
        if name in t.task_spec.extensions.get("properties", {})
        and not isinstance(t.task_spec.event_definition, TimerEventDefinition)
    ]


def properties_of(task: Task) -> dict[str, str]:
    return dict(task.task_spec.extensions.get("properties", {}))


def fire_timers(workflow: BpmnWorkflow, now: datetime) -> None:
    """Move due timers on (Spiff fires only when now is strictly after the due instant)."""
    with frozen_time(now):
        workflow.refresh_timers()
        workflow.do_engine_steps()
    compact(workflow)
