"""The steps of a process in reading order, for the guided stepper (done / current / next).

Order: by the longest path from the start event (flows that loop back are ignored), so a step
comes after every step that can lead to it — `abschluss` last, a confirmation after what it
confirms. Which steps a particular case passed is its history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from engine.processes.catalog import LoadedProcess
from engine.processes.spiff import FlowGraph


@dataclass(frozen=True)
class Step:
    task: str
    title: str
    lane: str


def process_steps(process: LoadedProcess) -> list[Step]:
    flow = process.parsed.flow
    depth = reading_depth(flow)
    keyed = [(depth[name], key) for name, key in flow.bpmn_ids.items() if key in process.user_tasks]
    steps = []
    for _, key in sorted(keyed):
        task = process.user_tasks[key]
        steps.append(Step(task.key, task.title, task.lane))
    return steps


def reading_depth(flow: FlowGraph) -> dict[str, int]:
    """Depth of every node on the longest loop-free path from the start (DFS marks back edges)."""
    start = flow.start
    order: list[str] = []
    forward: dict[str, list[str]] = {}
    state: dict[str, int] = {}  # 1: on the DFS stack, 2: finished
    stack: list[tuple[str, Iterator[str]]] = [(start, iter(flow.outputs[start]))]
    state[start], forward[start] = 1, []
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            state[node] = 2
            order.append(node)
            continue
        if state.get(child) == 1:  # a loop back: not part of the reading order
            continue
        forward[node].append(child)
        if child not in state:
            state[child], forward[child] = 1, []
            stack.append((child, iter(flow.outputs[child])))
    depth = {start: 0}
    for node in reversed(order):  # reverse post-order is a topological order of the forward edges
        for child in forward[node]:
            depth[child] = max(depth.get(child, 0), depth.get(node, 0) + 1)
    return depth


def reachable_tasks(process: LoadedProcess, live: set[str]) -> set[str]:
    """The user tasks the flow can still lead to from the instance's live nodes (loops included)."""
    flow = process.parsed.flow
    seen, todo = set(live), list(live)
    while todo:
        for child in flow.outputs.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return {flow.bpmn_ids[name] for name in seen if name in flow.bpmn_ids}


def stepper(
    process: LoadedProcess, done: list[str], current: list[str], ahead: set[str] | None = None
) -> list[dict[str, str]]:
    """Each step with its state: `erledigt`, `aktuell`, `offen` (still ahead) or `entfaellt` (not on
    this case's path: a gateway took another branch, or the case has ended). `ahead`: the tasks the
    case can still reach (`reachable_tasks`); None treats every step not done as `offen`."""
    out = []
    for step in process_steps(process):
        if step.task in current:
            state = "aktuell"
        elif step.task in done:
            state = "erledigt"
        elif ahead is None or step.task in ahead:
            state = "offen"
        else:
            state = "entfaellt"
        out.append({"task": step.task, "title": step.title, "lane": step.lane, "state": state})
    return out
