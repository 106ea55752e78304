"""A running process instance behind a port: `Instance` wraps SpiffWorkflow's `BpmnWorkflow`.

The engine sees open steps, timers and waits as frozen values (`Step`, `Timer`), the messages an
instance threw (`OutgoingMessage`) and its variables — never a Spiff task. The rules kept here:
- a person completes only READY **manual** tasks (Spiff's `run()` checks neither);
- after every step finished history is cut from the task tree (`compact`), so a case that repeats a
  phase for years neither slows down (every Spiff step walks the whole tree) nor stalls (the task
  iterator stops silently at depth 1000, i.e. after ~250 loop iterations). The case history lives in
  the engine's own tables, not in the tree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.errors import LimitExceeded
from engine.processes.sandbox.guards import step_budget
from engine.processes.spiff.codec import dump_workflow, load_workflow
from engine.processes.spiff.parsing import ParsedProcess
from engine.processes.spiff.runtime import frozen_time, make_script_engine


@dataclass(frozen=True)
class Step:
    """An open user task or a waiting catch event: its id (a UUID string), BPMN id, name, declared
    properties and the data it sees (the instance's live data: read, do not change)."""

    id: str
    key: str
    title: str
    properties: Mapping[str, str]
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Timer(Step):
    """An armed timer event and its due instant (computed once by Spiff when armed)."""

    due_at: datetime


@dataclass(frozen=True)
class OutgoingMessage:
    name: str
    payload: dict[str, Any]


class StepNotOpen(RuntimeError):
    """The step is not an open user task (any more)."""


def _step(task: Task) -> Step:
    spec = task.task_spec
    return Step(str(task.id), spec.bpmn_id, spec.bpmn_name or "", _properties(task), task.data)


def _properties(task: Task) -> dict[str, str]:
    return dict(task.task_spec.extensions.get("properties", {}))


def _limit_behind(exc: BaseException) -> LimitExceeded | None:
    """The overrun SpiffWorkflow wrapped (it raises its own exception from inside `except`)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, LimitExceeded):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


@contextmanager
def _one_step() -> Iterator[None]:
    """Everything an operation lets SpiffWorkflow evaluate shares one budget (limits.MAX_STEP_*); an
    overrun comes out as `LimitExceeded` naming the element whose expression overran. The caller's
    transaction then rolls back and this in-memory instance is dropped: nothing of the step stays."""
    with step_budget():
        try:
            yield
        except WorkflowException as exc:
            limit = _limit_behind(exc)
            if limit is None:
                raise
            spec = getattr(exc, "task_spec", None)
            element = (getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or "?")[:100]
            raise LimitExceeded(
                "Der Schritt wurde abgelehnt, es wurde nichts gespeichert: Ein Ausdruck der Prozessdefinition "
                f"an „{element}“ überschreitet die Rechengrenzen ({limit.detail}). "
                "Bitte wenden Sie sich an die Administration."
            ) from None


class Instance:
    """One case's instance; all changes go through its operations, each followed by compaction.
    Each change is one step with its own budget for the bundle's expressions (`_one_step`)."""

    def __init__(self, workflow: BpmnWorkflow) -> None:
        self._workflow = workflow

    @classmethod
    def new(cls, process: ParsedProcess, variables: Mapping[str, Any]) -> Instance:
        """A new instance whose start task carries the case variables, run to its first wait state."""
        workflow = BpmnWorkflow(process._spec, process._subprocess_specs, script_engine=make_script_engine())
        start = workflow.get_next_task(state=TaskState.READY)
        if start is not None:
            start.data.update(variables)
        with _one_step():
            workflow.do_engine_steps()
        return cls(workflow)

    @classmethod
    def load(cls, state: Mapping[str, Any], process: ParsedProcess) -> Instance:
        """Rebuild an instance from `dump()` output and its version's parsed spec."""
        return cls(load_workflow(state, process))

    def dump(self) -> dict[str, Any]:
        """The instance as a JSON-compatible dict, without its spec, with a format version."""
        return dump_workflow(self._workflow)

    # ---- what the instance waits for --------------------------------------------------------
    @property
    def completed(self) -> bool:
        return bool(self._workflow.completed)

    @property
    def variables(self) -> Mapping[str, Any]:
        """The case's data as its newest task sees it: an open step's, else the last task's; the
        workflow's data once it has ended."""
        workflow = self._workflow
        if workflow.completed:
            return workflow.data
        tasks = self._ready() or workflow.get_tasks()
        return tasks[-1].data if tasks else {}

    def _ready(self) -> list[Task]:
        return list(self._workflow.get_tasks(state=TaskState.READY, manual=True))

    def open_steps(self) -> list[Step]:
        """User tasks a person may complete now (none once the instance has ended)."""
        return [] if self._workflow.completed else [_step(t) for t in self._ready()]

    def open_step(self, step_id: str) -> Step | None:
        task = self._open_task(step_id)
        return None if task is None else _step(task)

    def _open_task(self, step_id: str) -> Task | None:
        try:
            uuid = UUID(step_id)
        except ValueError:
            return None
        task = self._workflow.get_task_from_id(uuid) if uuid in self._workflow.tasks else None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            return None
        return task

    def timers(self) -> list[Timer]:
        """Armed timer events with their due instants."""
        out = []
        for task in self._waiting_catches():
            definition, value = task.task_spec.event_definition, task.internal_data.get("event_value")
            if isinstance(definition, TimerEventDefinition) and isinstance(value, str):
                step = _step(task)
                out.append(Timer(**vars(step), due_at=TimerEventDefinition.get_datetime(value)))
        return out

    def waits_with_property(self, name: str) -> list[Step]:
        """Waiting catch events other than timers (e.g. for the Rückmeldung) that declare a property."""
        return [
            _step(t)
            for t in self._waiting_catches()
            if name in t.task_spec.extensions.get("properties", {})
            and not isinstance(t.task_spec.event_definition, TimerEventDefinition)
        ]

    def _waiting_catches(self) -> list[Task]:
        return list(self._workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent))

    def live_nodes(self) -> set[str]:
        """The flow nodes (task spec names) the instance has not finished: where it stands and what it
        still predicts; a branch a gateway did not take is no longer among them."""
        if self._workflow.completed:
            return set()
        return {t.task_spec.name for t in self._workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)}

    def waiting_messages(self) -> list[str]:
        """Names of the messages the instance waits for (none once it has ended)."""
        if self._workflow.completed:
            return []
        events = self._workflow.waiting_events()
        return sorted({e.name for e in events if e.event_type == "MessageEventDefinition"})

    def tree_size(self) -> int:
        """Number of tasks in the instance, subprocesses included (the unit of a step's cost)."""
        workflow = self._workflow
        return len(workflow.tasks) + sum(len(s.tasks) for s in workflow.subprocesses.values())

    # ---- moving it on -----------------------------------------------------------------------
    def complete(self, step_id: str, values: Mapping[str, Any]) -> None:
        """Put the form values into the step, run it and the engine steps that follow."""
        task = self._open_task(step_id)
        if task is None:  # guard again: run() would silently complete a FUTURE task
            raise StepNotOpen(step_id)
        task.data.update(values)
        with _one_step():
            task.run()
            self._workflow.do_engine_steps()
        compact(self._workflow)

    def send(self, name: str, payload: Mapping[str, Any]) -> None:
        """Deliver an inbound message (raises WorkflowException if nothing waits for it)."""
        with _one_step():
            self._workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=dict(payload)))
            self._workflow.do_engine_steps()
        compact(self._workflow)

    def fire_timers(self, now: datetime) -> None:
        """Move due timers on (Spiff fires only when now is strictly after the due instant)."""
        with frozen_time(now), _one_step():
            self._workflow.refresh_timers()
            self._workflow.do_engine_steps()
        compact(self._workflow)

    def cancel(self) -> None:
        """End the instance where it stands (the case went to another Jugendamt, R37): every open step,
        wait and armed timer is cancelled, so nothing of it can fire later; the case's data stays the
        instance's data (retention reads the findings from it)."""
        last = self._workflow.last_task  # the newest finished task: its data is the case's
        data = dict(last.data if last is not None else self.variables)
        self._workflow.cancel()
        self._workflow.data.update(data)

    def outgoing(self) -> list[OutgoingMessage]:
        """Take the messages thrown and not caught inside the instance (Spiff's `get_events` clears them)."""
        out = []
        for event in self._workflow.get_events():
            definition = event.event_definition
            if isinstance(definition, MessageEventDefinition):
                out.append(OutgoingMessage(definition.name, dict(event.payload or {})))
        return out


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
