"""Rebuilding an instance on another version (engine/processes/spiff/migration.py) where it waits at a
catch event: a timer keeps the instant it was armed with, a message wait still takes its message;
an instance standing at several places at once is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.processes import spiff as port
from engine.processes.spiff.migration import CannotMigrate, position, rebuild

WAITS = (Path(__file__).parents[1] / "fixtures" / "waits.bpmn").read_bytes()
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:message id="m_rein" name="rein"/>
  <bpmn:process id="folge" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="erst" name="Erst">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="{timer}" name="Wartezeit">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration>"P2D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="antwort" name="Antwort">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition id="md" messageRef="m_rein"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="dann" name="Dann">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="ende"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="erst"/>
    <bpmn:sequenceFlow id="f2" sourceRef="erst" targetRef="{timer}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="{timer}" targetRef="antwort"/>
    <bpmn:sequenceFlow id="f4" sourceRef="antwort" targetRef="dann"/>
    <bpmn:sequenceFlow id="f5" sourceRef="dann" targetRef="ende"/>
  </bpmn:process>
</bpmn:definitions>"""


def _parsed(timer: str) -> port.ParsedProcess:
    return port.parse_process("folge", {"folge.bpmn": _BPMN.replace("{timer}", timer).encode()}, {})


def _reloaded(instance: port.Instance, process: port.ParsedProcess) -> port.Instance:
    return port.Instance.load(json.loads(json.dumps(instance.dump())), process)


def test_a_timer_keeps_its_instant_and_a_message_wait_its_message():
    v1, v2 = _parsed("warten"), _parsed("frist_abwarten")
    assert {"erst", "warten", "antwort", "dann"} <= v1.positions
    with port.frozen_time(T0):
        instance = port.Instance.new(v1, {"fall": 1})
        [step] = instance.open_steps()
        instance.complete(step.id, {"wert": 7})
    [armed] = instance.timers()
    assert armed.due_at == T0 + timedelta(days=2)

    with port.frozen_time(T0 + timedelta(days=1)):  # a day later: counted again it would be T0 + 3 days
        rebuilt = rebuild(_reloaded(instance, v1), v2, "frist_abwarten", {})
    moved = _reloaded(rebuilt.instance, v2)
    [timer] = moved.timers()
    assert (timer.key, timer.due_at) == ("frist_abwarten", armed.due_at)
    assert rebuilt.old_step.key == "warten" and rebuilt.new_step.key == "frist_abwarten"
    assert dict(timer.data) == {"fall": 1, "wert": 7}

    moved.fire_timers(T0 + timedelta(days=2, seconds=1))
    assert moved.waiting_messages() == ["rein"] and position(moved).key == "antwort"
    with port.frozen_time(T0 + timedelta(days=3)):
        at_wait = rebuild(_reloaded(moved, v2), v1, "antwort", {}).instance
    at_wait.send("rein", {})
    assert [s.key for s in at_wait.open_steps()] == ["dann"]


def test_an_instance_at_several_places_or_a_target_of_another_kind_is_refused():
    waits = port.parse_process("waits", {"waits.bpmn": WAITS}, {})
    with port.frozen_time(T0):
        instance = port.Instance.new(waits, {})
        [step] = instance.open_steps()
        instance.complete(step.id, {"wert": 1})
    with pytest.raises(CannotMigrate, match="an mehreren Schritten zugleich"):
        rebuild(instance, waits, "termin", {})
    v1 = _parsed("warten")
    fresh = port.Instance.new(v1, {})
    with pytest.raises(CannotMigrate, match="nicht von derselben Art"):
        rebuild(fresh, v1, "antwort", {})
    with pytest.raises(CannotMigrate, match="fehlt in der neuen Version"):
        rebuild(fresh, v1, "gibtesnicht", {})
