"""The SpiffWorkflow port: instances stored without their spec, finished history compacted so that a
repeating phase neither grows the instance nor stalls after ~250 iterations, and the engine sees
open steps, timers, waits and messages as plain values."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.processes import spiff as port
from engine.processes.spiff import instance as spiff_instance

FIXTURES = Path(__file__).parents[1] / "fixtures"
LOOP = (FIXTURES / "loop.bpmn").read_bytes()
WAITS = (FIXTURES / "waits.bpmn").read_bytes()


@pytest.fixture(scope="module")
def loop_process() -> port.ParsedProcess:
    return port.parse_process("loop", {"loop.bpmn": LOOP}, {})


@pytest.fixture(scope="module")
def waits_process() -> port.ParsedProcess:
    return port.parse_process("waits", {"waits.bpmn": WAITS}, {})


def _reloaded(instance: port.Instance, process: port.ParsedProcess) -> port.Instance:
    return port.Instance.load(json.loads(json.dumps(instance.dump())), process)


def _step(instance: port.Instance, process: port.ParsedProcess, **values: object) -> port.Instance:
    [step] = instance.open_steps()
    instance.complete(step.id, values)
    return _reloaded(instance, process)


def test_parsed_process_offers_plain_values(loop_process):
    [work] = loop_process.user_tasks
    assert (work.key, work.title, work.lane, work.form_path) == ("work", "Arbeit", "fachkraft", None)
    flow = loop_process.flow
    assert flow.start in flow.outputs
    names = {key: name for name, key in flow.bpmn_ids.items()}
    assert names["split"] in flow.outputs[names["work"]]


def test_instance_is_stored_without_the_spec(loop_process):
    instance = port.Instance.new(loop_process, {"meldung": None})
    state = instance.dump()
    assert "spec" not in state and "subprocess_specs" not in state
    assert state["instance_format"] == port.INSTANCE_FORMAT
    restored = port.Instance.load(json.loads(json.dumps(state)), loop_process)
    assert [s.key for s in restored.open_steps()] == ["work"]


def test_open_steps_are_frozen_values(loop_process):
    [step] = port.Instance.new(loop_process, {"fall": "KS-1"}).open_steps()
    assert (step.key, step.title, step.data["fall"]) == ("work", "Arbeit", "KS-1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.key = "other"  # type: ignore[misc]


def test_unknown_instance_format_is_refused(loop_process):
    state = port.Instance.new(loop_process, {}).dump()
    state["instance_format"] = 99
    with pytest.raises(ValueError, match="instance format"):
        port.Instance.load(state, loop_process)


def test_300_cycles_keep_the_instance_small_and_the_data(loop_process):
    instance = port.Instance.new(loop_process, {"fall": "KS-2026-000001"})
    sizes = []
    for cycle in range(300):
        instance = _step(instance, loop_process, weiter=True, runde=cycle)
        sizes.append((instance.tree_size(), len(json.dumps(instance.dump()))))
    assert sizes[-1][0] == sizes[0][0]  # tasks in the tree: the same at cycle 300 as at cycle 1
    assert sizes[-1][1] <= 1.5 * sizes[0][1]  # serialized size: within 1.5x
    [step] = instance.open_steps()  # no stall past the iterator's depth limit
    assert step.data["fall"] == "KS-2026-000001" and step.data["runde"] == 299
    instance = _step(instance, loop_process, weiter=False)
    assert instance.completed and instance.open_steps() == [] and instance.waiting_messages() == []
    assert instance.variables["runde"] == 299


def test_without_compaction_the_tree_grows(loop_process, monkeypatch):
    monkeypatch.setattr(spiff_instance, "compact", lambda workflow: 0)
    instance = port.Instance.new(loop_process, {})
    for _ in range(20):
        instance = _step(instance, loop_process, weiter=True)
    assert instance.tree_size() > 60


def test_complete_is_guarded_against_a_step_that_is_not_open(loop_process):
    instance = port.Instance.new(loop_process, {})
    [step] = instance.open_steps()
    instance.complete(step.id, {"weiter": True})
    assert instance.open_step(step.id) is None and instance.open_step("not-a-uuid") is None
    with pytest.raises(port.StepNotOpen):
        instance.complete(step.id, {"weiter": True})


def test_timers_waits_and_messages(waits_process):
    instance = port.Instance.new(waits_process, {})
    [step] = instance.open_steps()
    assert step.properties == {"frist": "melden_frist"} and instance.timers() == []
    instance.complete(step.id, {"wert": 7})
    assert instance.outgoing() == [port.OutgoingMessage("raus", {"wert": 7})]
    assert instance.outgoing() == []  # taken
    instance = _reloaded(instance, waits_process)
    [timer] = instance.timers()
    assert (timer.key, timer.title) == ("termin", "Termin")
    assert timer.due_at == datetime(2030, 1, 1, 7, 0, tzinfo=UTC)
    [wait] = instance.waits_with_property("frist")
    assert (wait.key, wait.properties["frist"]) == ("antwort_abwarten", "antwort_frist")
    assert instance.waiting_messages() == ["rein"] and instance.open_steps() == []
    instance.send("rein", {"ok": True})
    instance.fire_timers(datetime(2030, 1, 1, 7, 0, 1, tzinfo=UTC))
    [step] = instance.open_steps()
    assert step.key == "abschluss" and step.data["antwort"] == {"ok": True}
    assert instance.variables["antwort"] == {"ok": True}


def test_approved_helper_gives_an_aware_review_instant():
    from engine.processes.script_helpers import ueberpruefung_faellig

    assert ueberpruefung_faellig("2026-07-01") == "2026-07-01T08:00:00+02:00"
    assert ueberpruefung_faellig("2026-12-01") == "2026-12-01T08:00:00+01:00"


def test_task_order_of_the_stored_document_does_not_matter(loop_process):
    """A JSON encoder that sorts keys reorders the task mapping; the data must survive."""
    instance = _step(port.Instance.new(loop_process, {"fall": "KS-1"}), loop_process, weiter=True, runde=1)
    stored = json.loads(json.dumps(instance.dump(), sort_keys=True))
    stored["tasks"] = dict(reversed(list(stored["tasks"].items())))
    [step] = port.Instance.load(stored, loop_process).open_steps()
    assert step.data["fall"] == "KS-1" and step.data["runde"] == 1


def test_schema_errors_and_build_problems_are_plain_values():
    from lxml import etree

    broken = WAITS.replace(b'<bpmn:endEvent id="end">', b'<bpmn:endEvent id="end" bogus="1">')
    [error] = port.schema_errors(etree.fromstring(broken))
    assert error.line > 0 and "bogus" in error.message
    assert port.build_problem("waits", {"waits.bpmn": etree.fromstring(WAITS)}, {}) is None
    problem = port.build_problem("nope", {"waits.bpmn": etree.fromstring(WAITS)}, {})
    assert problem is not None and problem.message


def test_a_cancelled_instance_leaves_no_timer_wait_or_step_and_keeps_its_data(waits_process):
    """R37: a case handed to another Jugendamt ends where it stands; nothing of it may fire later."""
    instance = _step(port.Instance.new(waits_process, {"fall": "KS-3"}), waits_process, wert=1)
    instance.outgoing()
    assert instance.timers() and instance.waiting_messages() == ["rein"]
    instance.cancel()
    reloaded = _reloaded(instance, waits_process)
    assert reloaded.completed
    assert (reloaded.timers(), reloaded.waiting_messages(), reloaded.open_steps()) == ([], [], [])
    assert reloaded.variables["fall"] == "KS-3"
    reloaded.fire_timers(datetime(2031, 1, 1, tzinfo=UTC))  # long after the Termin: nothing moves
    assert reloaded.completed and reloaded.open_steps() == []
