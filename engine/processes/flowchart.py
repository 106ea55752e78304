"""A deployed process as a flow people can follow on paper: the network's Ablaufplan draws it.

Read from the parsed process (`FlowGraph`), never from the XML again: the items are the user tasks
and the named waits (catch events: a Rückmeldung, a Überprüfungstermin) in the stepper's reading
order, numbered; after each item its route — the next item, a decision with its branches in the
model's words ("Ja – akute Gefahr", "Nein"), several items at once (a parallel split), or the end.
Nodes nobody sees (merges, script tasks, thrown messages) are passed through. A branch that leads
back to an earlier item names it, so a loop reads "zurück zu 3" instead of running forever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.processes.catalog import LoadedProcess
from engine.processes.spiff import FlowGraph
from engine.processes.stepper import reading_depth

#: the node kinds that are items of the flow (boxes); everything else is a route between them
ITEM_KINDS = {"user": "step", "wait": "wait"}


@dataclass(frozen=True)
class Target:
    """Where a route arrives: an item (its number and title) or the end (number None)."""

    number: int | None
    title: str


@dataclass(frozen=True)
class Route:
    """What comes after an item. `kind`: next (`target`), end (`target`), decision or parallel
    (`question`: the gateway's name, `branches`: each branch's words and where it leads)."""

    kind: str
    target: Target | None = None
    question: str = ""
    branches: tuple[tuple[str, Route], ...] = ()


@dataclass(frozen=True)
class FlowItem:
    number: int
    key: str
    #: step (a person's task) or wait (the process waits for a message or a date)
    kind: str
    title: str
    lane: str
    properties: Mapping[str, str]
    then: Route


def process_flow(process: LoadedProcess) -> list[FlowItem]:
    """The items of `process` in reading order, each with the route that follows it."""
    flow = process.parsed.flow
    depth = reading_depth(flow)
    named = [
        name
        for name, node in flow.nodes.items()
        if node.kind in ITEM_KINDS and name in depth and (node.kind == "user" or node.name)
    ]
    ordered = sorted(named, key=lambda name: (depth[name], flow.bpmn_ids.get(name, name)))
    targets = {name: Target(number, _title(process, flow, name)) for number, name in enumerate(ordered, start=1)}
    items = []
    for name in ordered:
        node = flow.nodes[name]
        route = _after(flow, name, targets)
        items.append(
            FlowItem(
                targets[name].number or 0,
                flow.bpmn_ids.get(name, name),
                ITEM_KINDS[node.kind],
                targets[name].title,
                node.lane,
                node.properties,
                route,
            )
        )
    return items


def _title(process: LoadedProcess, flow: FlowGraph, name: str) -> str:
    task = process.user_tasks.get(flow.bpmn_ids.get(name, ""))
    return task.title if task is not None else flow.nodes[name].name


def _after(flow: FlowGraph, name: str, targets: Mapping[str, Target]) -> Route:
    outputs = flow.outputs.get(name, ())
    if len(outputs) > 1:  # an activity with several outgoing flows starts them all
        return _split(flow, name, "parallel", targets, frozenset({name}))
    return _route(flow, outputs[0], targets, frozenset({name})) if outputs else Route("end", Target(None, ""))


def _route(flow: FlowGraph, name: str, targets: Mapping[str, Target], seen: frozenset[str]) -> Route:
    if name in targets:
        return Route("next", targets[name])
    node = flow.nodes.get(name)
    outputs = flow.outputs.get(name, ())
    if node is None or node.kind == "end" or not outputs or name in seen:
        return Route("end", Target(None, node.name if node is not None and node.kind == "end" else ""))
    seen = seen | {name}
    if len(outputs) == 1:
        return _route(flow, outputs[0], targets, seen)
    return _split(flow, name, "decision" if node.kind == "decision" else "parallel", targets, seen)


def _split(flow: FlowGraph, name: str, kind: str, targets: Mapping[str, Target], seen: frozenset[str]) -> Route:
    source = flow.bpmn_ids.get(name, name)
    branches = tuple(
        (flow.flow_names.get((source, flow.bpmn_ids.get(child, child)), ""), _route(flow, child, targets, seen))
        for child in flow.outputs.get(name, ())
    )
    return Route(kind, question=flow.nodes[name].name, branches=branches)
