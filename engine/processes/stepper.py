"""The steps of a process in reading order, for the guided stepper (done / current / next).

Order: by the longest path from the start event (flows that loop back are ignored), so a step
comes after every step that can lead to it — `abschluss` last, a confirmation after what it
confirms. Which steps a particular case passed is its history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from engine.processes.catalog import LoadedProcess


@dataclass(frozen=True)
class Step:
    task: str
    title: str
    lane: str


def process_steps(process: LoadedProcess) -> list[Step]:
    depth = _longest_path_depth(process.parsed.spec.start)
    keyed = [(depth[spec.name], spec.bpmn_id) for spec in _specs(process) if spec.bpmn_id in process.user_tasks]
    steps = []
    for _, key in sorted(keyed):
        task = process.user_tasks[key]
        steps.append(Step(task.key, task.title, task.lane))
    return steps


def _specs(process: LoadedProcess) -> list[Any]:
    return [s for s in process.parsed.spec.task_specs.values() if getattr(s, "bpmn_id", None)]


def _longest_path_depth(start: Any) -> dict[str, int]:
    """Depth of every node on the longest loop-free path from `start` (DFS marks back edges)."""
    order: list[Any] = []
    forward: dict[str, list[Any]] = {}
    state: dict[str, int] = {}  # 1: on the DFS stack, 2: finished
    stack: list[tuple[Any, Iterator[Any]]] = [(start, iter(start.outputs))]
    state[start.name], forward[start.name] = 1, []
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            state[node.name] = 2
            order.append(node)
            continue
        if state.get(child.name) == 1:  # a loop back: not part of the reading order
            continue
        forward[node.name].append(child)
        if child.name not in state:
            state[child.name], forward[child.name] = 1, []
            stack.append((child, iter(child.outputs)))
    depth = {start.name: 0}
    for node in reversed(order):  # reverse post-order is a topological order of the forward edges
        for child in forward[node.name]:
            depth[child.name] = max(depth.get(child.name, 0), depth.get(node.name, 0) + 1)
    return depth


def stepper(process: LoadedProcess, done: list[str], current: list[str]) -> list[dict[str, str]]:
    """Each step with its state: `erledigt`, `aktuell` or `offen` (not reached, or not on this path)."""
    out = []
    for step in process_steps(process):
        state = "aktuell" if step.task in current else "erledigt" if step.task in done else "offen"
        out.append({"task": step.task, "title": step.title, "lane": step.lane, "state": state})
    return out
