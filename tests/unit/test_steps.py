"""The stepper's reading order: every step after the steps that can lead to it, loops ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.processes.bundles import load_bundle_dir
from engine.processes.catalog import _load_bundle
from engine.processes.stepper import process_steps, stepper

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture(scope="module")
def traeger():
    return _load_bundle(1, load_bundle_dir(BPMN / "traeger_8a" / "1"))


def test_traeger_steps_follow_the_procedure(traeger):
    order = [s.task for s in process_steps(traeger)]
    assert order[0] == "anhaltspunkte_dokumentieren" and order[-1] == "abschluss"
    assert order.index("leitung_informieren") < order.index("insofa_beratung") < order.index("beteiligung_familie")
    assert order.index("schutzplan_vereinbaren") < order.index("schutzplan_ueberpruefen")  # despite the loop
    assert len(order) == len(set(order)) == len(traeger.user_tasks)


def test_jugendamt_confirmations_come_after_what_they_confirm():
    process = _load_bundle(1, load_bundle_dir(BPMN / "jugendamt_8a" / "1"))
    order = [s.task for s in process_steps(process)]
    assert order.index("ersteinschaetzung") < order.index("ersteinschaetzung_bestaetigen")
    assert order.index("gefaehrdungseinschaetzung") < order.index("gefaehrdungseinschaetzung_bestaetigen")
    assert order[-1] == "abschluss"


def test_stepper_marks_done_current_and_open(traeger):
    states = {s["task"]: s["state"] for s in stepper(traeger, ["anhaltspunkte_dokumentieren"], ["leitung_informieren"])}
    assert states["anhaltspunkte_dokumentieren"] == "erledigt"
    assert states["leitung_informieren"] == "aktuell"
    assert states["abschluss"] == "offen"
