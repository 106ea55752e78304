"""Moving a running instance onto another version of its process (procedures.md invariant 6).

SpiffWorkflow 3.2 has no migration for specs whose task ids changed: its `migrate_workflow` aligns
tasks heuristically (a removed task was silently mapped to a similar one) and re-arms waiting timers
(spiffworkflow-notes.md §6). So the instance is *rebuilt*: a fresh workflow of the new version whose
start is finished and whose only child is the mapped position, carrying the case's data as the old
position saw it. Everything before the position is history (kept in the engine's tables, not in the
tree — `compact` cuts it after every step anyway); everything after it is predicted from the new
spec, so the case goes on exactly as a case of the new version that reached that point.

A position is what a case waits at: an open user task or a waiting catch event (a message, a timer).
A timer keeps its armed instant. A case at more than one position (parallel branches) is refused:
which branch of the new version the other positions belong to is not something a mapping of task ids
can say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.errors import LimitExceeded
from engine.processes.spiff.instance import Instance, Step, _one_step, _step, compact
from engine.processes.spiff.parsing import ParsedProcess
from engine.processes.spiff.runtime import make_script_engine


@dataclass(frozen=True)
class Rebuilt:
    """The instance on the new version and where it stands: the old position's step id and its
    successor's (deadlines and the open-task projection follow the step from one to the other)."""

    instance: Instance
    old_step: Step
    new_step: Step


class CannotMigrate(Exception):
    """Why this instance cannot move to the new version (German, shown per case)."""


def position(instance: Instance) -> Step:
    """The one place the instance waits at; CannotMigrate if it has ended, waits nowhere or at several
    places at once."""
    workflow = instance._workflow
    if workflow.completed:
        raise CannotMigrate("Der Fall ist beendet.")
    places = _positions(workflow)
    if not places:
        raise CannotMigrate("Der Fall steht an keinem offenen Schritt.")
    if len(places) > 1:
        names = ", ".join(f"„{_step(t).title or t.task_spec.bpmn_id}“" for t in places)
        raise CannotMigrate(f"Der Fall steht an mehreren Schritten zugleich ({names}).")
    return _step(places[0])


def _positions(workflow: BpmnWorkflow) -> list[Task]:
    ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
    waiting = list(workflow.get_tasks(state=TaskState.WAITING, spec_class=CatchingEvent))
    return ready + waiting


def rebuild(instance: Instance, target: ParsedProcess, node: str, defaults: Mapping[str, Any]) -> Rebuilt:
    """The instance rebuilt on `target`, standing at its flow node `node` with the old position's data
    (and each of `defaults` the data does not hold yet: a field the new version requires earlier on)."""
    old = position(instance)
    old_task = instance._workflow.get_task_from_id(UUID(old.id))
    spec = target._spec.task_specs.get(node)
    if spec is None:
        raise CannotMigrate(f"Der Schritt „{node}“ fehlt in der neuen Version.")
    if bool(spec.manual) != bool(old_task.task_spec.manual):
        raise CannotMigrate(f"Der Schritt „{old.title or old.key}“ und sein Ziel sind nicht von derselben Art.")
    data = {**defaults, **dict(old.data)}
    workflow = BpmnWorkflow(target._spec, target._subprocess_specs, script_engine=make_script_engine())
    start = workflow.task_tree
    for child in list(start.children):
        workflow._remove_task(child.id)
    start.data = data
    start._set_state(TaskState.COMPLETED)
    placed = Task(workflow, spec, start, state=TaskState.FUTURE)
    try:
        with _one_step():
            spec._predict(placed, mask=TaskState.FUTURE)  # what follows, as Spiff predicts it from a start
            spec._update(placed)
            _keep_armed_instant(old_task, placed)
            workflow.do_engine_steps()
    except (WorkflowException, LimitExceeded) as exc:
        raise CannotMigrate(
            f"Der Schritt „{old.title or old.key}“ lässt sich in der neuen Version nicht öffnen ({exc})."
        ) from None
    if placed.state not in (TaskState.READY, TaskState.WAITING):
        raise CannotMigrate(f"Der Schritt „{old.title or old.key}“ lässt sich in der neuen Version nicht öffnen.")
    compact(workflow)
    return Rebuilt(Instance(workflow), old, _step(placed))


def _keep_armed_instant(old: Task, new: Task) -> None:
    """A timer waits for the instant it was armed with, not one counted again from the migration."""
    armed = old.internal_data.get("event_value")
    if armed is not None and new.state == TaskState.WAITING and "event_value" in new.internal_data:
        new.internal_data["event_value"] = armed
