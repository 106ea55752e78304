"""The SpiffWorkflow adapter: instances stored without their spec, finished history compacted so
that a repeating phase neither grows the instance nor stalls after ~250 iterations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.processes import spiff as sa

LOOP = (Path(__file__).parents[1] / "fixtures" / "loop.bpmn").read_bytes()


@pytest.fixture(scope="module")
def loop_process() -> sa.ParsedProcess:
    return sa.parse_process("loop", {"loop.bpmn": LOOP}, {})


def _step(workflow, process, **values):
    [task] = sa.ready_user_tasks(workflow)
    sa.complete_user_task(workflow, task, values)
    return sa.load_instance(json.loads(json.dumps(sa.dump_instance(workflow))), process)


def test_instance_is_stored_without_the_spec(loop_process):
    workflow = sa.new_instance(loop_process, {"meldung": None})
    state = sa.dump_instance(workflow)
    assert "spec" not in state and "subprocess_specs" not in state
    assert state["instance_format"] == sa.INSTANCE_FORMAT
    restored = sa.load_instance(json.loads(json.dumps(state)), loop_process)
    assert [t.task_spec.bpmn_id for t in sa.ready_user_tasks(restored)] == ["work"]


def test_unknown_instance_format_is_refused(loop_process):
    state = sa.dump_instance(sa.new_instance(loop_process, {}))
    state["instance_format"] = 99
    with pytest.raises(ValueError, match="instance format"):
        sa.load_instance(state, loop_process)


def test_300_cycles_keep_the_instance_small_and_the_data(loop_process):
    workflow = sa.new_instance(loop_process, {"fall": "KS-2026-000001"})
    sizes = []
    for cycle in range(300):
        workflow = _step(workflow, loop_process, weiter=True, runde=cycle)
        sizes.append((sa.tree_size(workflow), len(json.dumps(sa.dump_instance(workflow)))))
    assert sizes[-1][0] == sizes[0][0]  # tasks in the tree: the same at cycle 300 as at cycle 1
    assert sizes[-1][1] <= 1.5 * sizes[0][1]  # serialized size: within 1.5x
    [task] = sa.ready_user_tasks(workflow)  # no stall past the iterator's depth limit
    assert task.data["fall"] == "KS-2026-000001" and task.data["runde"] == 299
    workflow = _step(workflow, loop_process, weiter=False)
    assert workflow.completed


def test_without_compaction_the_tree_grows(loop_process, monkeypatch):
    monkeypatch.setattr(sa, "compact", lambda workflow: 0)
    workflow = sa.new_instance(loop_process, {})
    for _ in range(20):
        workflow = _step(workflow, loop_process, weiter=True)
    assert sa.tree_size(workflow) > 60


def test_run_is_guarded_against_a_task_that_is_not_open(loop_process):
    workflow = sa.new_instance(loop_process, {})
    [task] = sa.ready_user_tasks(workflow)
    sa.complete_user_task(workflow, task, {"weiter": True})
    with pytest.raises(RuntimeError):
        sa.complete_user_task(workflow, task, {"weiter": True})


def test_approved_helper_gives_an_aware_review_instant():
    from engine.processes.script_helpers import ueberpruefung_faellig

    assert ueberpruefung_faellig("2026-07-01") == "2026-07-01T08:00:00+02:00"
    assert ueberpruefung_faellig("2026-12-01") == "2026-12-01T08:00:00+01:00"


def test_task_order_of_the_stored_document_does_not_matter(loop_process):
    """A JSON encoder that sorts keys reorders the task mapping; the data must survive."""
    workflow = _step(sa.new_instance(loop_process, {"fall": "KS-1"}), loop_process, weiter=True, runde=1)
    stored = json.loads(json.dumps(sa.dump_instance(workflow), sort_keys=True))
    stored["tasks"] = dict(reversed(list(stored["tasks"].items())))
    [task] = sa.ready_user_tasks(sa.load_instance(stored, loop_process))
    assert task.data["fall"] == "KS-1" and task.data["runde"] == 1
