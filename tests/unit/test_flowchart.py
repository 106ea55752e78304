"""A deployed process as a flow (engine/processes/flowchart.py), read from the parsed process: the
items in reading order, each decision with its branches in the model's words, loops naming the
earlier item, and nothing of the model lost — every person's step, every named decision and every
named branch of the shipped procedures is somewhere in the flow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.bootstrap import BPMN_ROOT
from engine.processes.bundles import load_bundle_dir
from engine.processes.catalog import LoadedProcess, _load_bundle
from engine.processes.flowchart import FlowItem, Route, Target, process_flow

SHIPPED = ("traeger_8a", "jugendamt_8a", "kkg4", "kindertagespflege_8a")


def _loaded(key: str) -> LoadedProcess:
    return _load_bundle(1, load_bundle_dir(BPMN_ROOT / key / "1"))


@pytest.fixture(scope="module")
def traeger() -> list[FlowItem]:
    return process_flow(_loaded("traeger_8a"))


def _by_title(items: list[FlowItem]) -> dict[str, FlowItem]:
    return {item.title: item for item in items}


def _routes(route: Route) -> Iterator[Route]:
    yield route
    for _, branch in route.branches:
        yield from _routes(branch)


def test_the_first_decision_branches_in_the_models_words(traeger):
    first = traeger[0]
    assert (first.number, first.kind, first.title, first.lane) == (
        1,
        "step",
        "Gewichtige Anhaltspunkte dokumentieren",
        "fachkraft",
    )
    assert first.then.kind == "decision" and first.then.question == "Akute Gefahr für Leib oder Leben?"
    branches = {label: route.target.title for label, route in first.then.branches if route.target}
    assert branches == {
        "Ja – akute Gefahr": "Sofortmeldung an das Jugendamt",
        "Nein": "Leitung informieren und Anhaltspunkte bewerten",
    }


def test_a_parallel_split_a_wait_a_loop_and_the_end(traeger):
    items = _by_title(traeger)
    sofort = items["Sofortmeldung an das Jugendamt"]
    assert sofort.then.kind == "parallel"  # the thrown message between them is passed through
    assert {route.target.title for _, route in sofort.then.branches if route.target} == {
        "Schriftlichen Meldebogen nachreichen",
        "Rückmeldung des Jugendamts abwarten",
    }
    wait = items["Nächster Überprüfungstermin erreicht"]
    review = items["Schutzplan überprüfen"]
    assert wait.kind == "wait"
    assert dict(review.then.branches)["weiter beobachten"].target == Target(wait.number, wait.title)
    assert wait.then.kind == "next" and wait.then.target is not None
    assert wait.then.target.number == review.number < wait.number  # back to an earlier item, no endless walk
    last = traeger[-1]
    assert last.title == "Fall abschließen" and last.then.kind == "end"
    assert last.then.target is not None and last.then.target.title == "Fall abgeschlossen"
    assert [item.number for item in traeger] == list(range(1, len(traeger) + 1))


@pytest.mark.parametrize("key", SHIPPED)
def test_nothing_of_the_model_is_lost(key):
    process = _loaded(key)
    items = process_flow(process)
    flow = process.parsed.flow
    assert sorted(item.key for item in items if item.kind == "step") == sorted(process.user_tasks)
    routes = [r for item in items for r in _routes(item.then)]
    questions = {r.question for r in routes if r.kind == "decision"}
    labels = {label for r in routes for label, _ in r.branches if label}
    decisions = {
        node.name for name, node in flow.nodes.items() if node.kind == "decision" and len(flow.outputs[name]) > 1
    }
    assert decisions and decisions <= questions
    assert set(flow.flow_names.values()) <= labels
    numbers = {item.number for item in items}
    assert all(r.target.number in numbers for r in routes if r.kind == "next" and r.target)
