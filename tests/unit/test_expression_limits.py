"""Limits of process expressions (issue 13, finding 1): refused at deploy where the code shows it,
refused at run time — whatever a form submits — before the expensive operation runs.

Every refusal here is decided by sizes and counters, never by measuring time: without the limits the
same expressions run for seconds to hours (`3 ** 31000000` took 16.7 s in the red-team run)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine.errors import LimitExceeded
from engine.processes import spiff as port
from engine.processes.bundles import bundle_from_files, load_bundle_dir
from engine.processes.sandbox import limits
from engine.processes.sandbox.guards import step_budget, weight
from engine.processes.spiff.runtime import make_script_engine
from engine.processes.validation.bundle import validate_bundle
from engine.processes.validation.scripts import parse
from tests.support.power_bundle import HUGE, power_bundle

MINIMAL = Path(__file__).resolve().parents[1] / "vectors" / "bundles" / "valid" / "minimal" / "1"
CONDITION = "akute_gefahr == True</bpmn:conditionExpression>"


def _deploy_problems(condition: str = "akute_gefahr == True", *, name: str = "Akute Gefahr?") -> list[str]:
    files = dict(load_bundle_dir(MINIMAL).files)
    source = files["minimal.bpmn"].decode()
    source = source.replace(CONDITION, f"{condition}</bpmn:conditionExpression>")
    source = source.replace('name="Akute Gefahr?"', f'name="{name}"')
    files["minimal.bpmn"] = source.encode()
    return validate_bundle(bundle_from_files(files))


# --- at deploy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("akute_gefahr == True and 3 ** 31000000 > 0", "3 ** 31000000: die Potenz ergäbe eine Zahl mit etwa"),
        ("akute_gefahr == True and 9 ** 9 ** 9 > 0", "9 ** 9 ** 9: die Potenz ergäbe eine Zahl mit etwa"),
        ("akute_gefahr == True and len('x' * 10**12) > 0", "'x' * 10 ** 12: die Wiederholung ergäbe einen zu großen"),
        ("akute_gefahr == True and 1 &lt;&lt; 10**6 > 0", "1 << 10 ** 6: die Verschiebung ergäbe"),
        (
            "any(True for a in 'x' * 2000 for b in 'y' * 2000) and akute_gefahr == True",
            "verschachtelte Schleifen über Konstanten ergäben 4.000.000 Durchläufe",
        ),
        (
            "any(True for a in [akute_gefahr] for b in [1] for c in [2]) and akute_gefahr == True",
            "Schleifen sind 3-fach verschachtelt (höchstens 2)",
        ),
        (f"akute_gefahr == '{'x' * 2001}'", "eine Textkonstante ist 2.001 Zeichen lang (höchstens 2.000)"),
        ("akute_gefahr == 10000000000000000000", "eine Zahlkonstante hat mehr als 18 Stellen"),
        (f"akute_gefahr in ({'1,' * 1001})", "eine Aufzählung hat 1.001 Elemente (höchstens 1.000)"),
        ("akute_gefahr == True " + "and True " * 2500, "Zeichen lang (höchstens 10.000)"),
    ],
)
def test_deploy_refuses_expressions_beyond_the_limits_naming_the_element(condition: str, expected: str) -> None:
    problems = _deploy_problems(condition)
    found = [p for p in problems if expected in p]
    assert found, problems
    assert all(p.startswith("minimal.bpmn line ") and "sequenceFlow 'f_ja': condition: " in p for p in found)
    assert all("Grenze überschritten: " in p for p in found)


def test_deploy_refuses_a_4_mb_element_name_without_repeating_it() -> None:
    problems = _deploy_problems(name="A" * 4 * 2**20)
    assert problems == [
        "minimal.bpmn line 29: exclusiveGateway 'gw_gefahr': Grenze überschritten: das Attribut name ist "
        "4.194.304 Zeichen lang (höchstens 500)"
    ]


def test_what_the_bundles_need_stays_within_the_limits() -> None:
    for text in (
        'einschaetzung in ("hilfebedarf", "kwg_abwendbar") and x ** 2 > 1',
        "total = 0\nfor n in werte:\n    total += n * 2\nergebnis = [f'{w:>10}' for w in werte]\nd[k] = total",
        "gesundheitsberuf == True and akute_gefahr == True",
    ):
        tree, problems = parse(text, "exec")
        assert tree is not None and problems == []


def test_the_rewrite_needs_element_assignments_and_augmented_operators_it_can_guard() -> None:
    for text in ("a[1:2] = b", "a[0] = b[0] = c", "a[0] += b", "for a[0] in b:\n    pass"):
        _, problems = parse(text, "exec")
        assert problems and all(p.startswith("Grenze überschritten: ") for p in problems), (text, problems)


# --- at run time ----------------------------------------------------------------------------------


def _evaluate(expression: str, **data: Any) -> Any:
    return make_script_engine().environment.evaluate(expression, dict(data))


@pytest.mark.parametrize(
    ("expression", "data", "reason"),
    [
        ("akute_gefahr == True and 3 ** n > 0", {"akute_gefahr": True, "n": 31_000_000}, "die Potenz ergäbe"),
        ("n ** n ** n", {"n": 9}, "die Potenz ergäbe"),
        ("len(text * n)", {"text": "x", "n": 10**12}, "die Wiederholung ergäbe"),
        ("len([text] * n)", {"text": "x" * 1000, "n": 10_000}, "die Wiederholung ergäbe"),
        ("1 << n", {"n": 10**9}, "die Verschiebung ergäbe"),
        ("n * n * n * n", {"n": 10**3000}, "das Produkt ergäbe"),
        ("any(a != b for a in text for b in text)", {"text": "x" * 1000}, "mehr als 200.000 Rechenschritte"),
        ("f'{text:>{n}}'", {"text": "x", "n": 10**9}, "Formatbreite 1000000000"),
        ("'%*d' % (n, 1)", {"n": 10**9}, "Formatbreite *"),
        ("sum([[1]] * n, [])", {"n": 1000}, "sum() addiert nur Zahlen"),
        ("len([liste, liste])", {"liste": [0] * 300_000}, "ein Wert wird zu groß"),
    ],
)
def test_runtime_refuses_before_computing_whatever_the_form_sent(
    expression: str, data: dict[str, Any], reason: str
) -> None:
    with pytest.raises(LimitExceeded, match=re.escape(reason)):
        _evaluate(expression, **data)


def test_a_value_shared_along_many_paths_is_weighed_per_path() -> None:
    """`l = [l, l]` a hundred times is 2**100 elements to print, compare or store: refused early."""
    data: dict[str, Any] = {"l": [0]}
    with pytest.raises(LimitExceeded, match="ein Wert wird zu groß"):
        make_script_engine().environment.execute("for i in [0] * 100:\n    l = [l, l]", data)
    shared: list[Any] = [0]
    for _ in range(100):
        shared = [shared, shared]
    assert weight(shared, cap=1000) > 1000
    cyclic: list[Any] = [0]
    cyclic[0] = cyclic
    assert weight(cyclic) > limits.MAX_VALUE_WEIGHT


def test_element_assignment_cannot_grow_a_value_beyond_the_limit() -> None:
    data: dict[str, Any] = {"d": {}, "big": "x" * 300_000}
    with pytest.raises(LimitExceeded, match="ein Wert wird zu groß"):
        make_script_engine().environment.execute("d[1] = big\nd[2] = big", data)


def test_the_budget_is_shared_by_every_expression_of_one_step() -> None:
    environment = make_script_engine().environment
    data = {"text": "x" * 150_000}
    with step_budget():
        assert environment.evaluate("len([c for c in text])", data) == 150_000
        with pytest.raises(LimitExceeded, match="Rechenschritte"):
            environment.evaluate("len([c for c in text])", data)
    assert environment.evaluate("len([c for c in text])", data) == 150_000  # a new step, a new budget


def test_guarded_code_computes_what_plain_python_computes() -> None:
    data: dict[str, Any] = {"werte": [1, 2, 3], "d": {}, "k": "a", "datum": "2026-03-02"}
    make_script_engine().environment.execute(
        "total = 0\nfor n in werte:\n    total += n * 2 + n ** 2 - (1 << n) % 5\n"
        "d[k] = [f'{w:>3}' for w in werte]\ntexte = '%s-%d' % ('a', total)\nsumme = sum(werte)\n"
        "termin = ueberpruefung_faellig(datum)",
        data,
    )
    assert data["total"] == sum(n * 2 + n**2 - (1 << n) % 5 for n in [1, 2, 3])
    assert data["d"] == {"a": ["  1", "  2", "  3"]}
    assert (data["texte"], data["summe"]) == (f"a-{data['total']}", 6)
    assert data["termin"] == "2026-03-02T08:00:00+01:00"
    assert "__sp_binop" not in data and "ueberpruefung_faellig" not in data
    assert date.fromisoformat(data["termin"][:10]) == date(2026, 3, 2)


def test_a_snippet_deployed_before_the_limits_is_held_to_them_at_run_time() -> None:
    with pytest.raises(LimitExceeded, match="Ausdruck nicht erlaubt: 3 \\*\\* 31000000: die Potenz"):
        _evaluate("3 ** 31000000 > 0")
    with pytest.raises(LimitExceeded, match="Ausdruck nicht erlaubt: attribute access"):
        _evaluate("().__class__")


# --- a step of an instance ------------------------------------------------------------------------


def test_an_overrun_in_a_step_names_the_element_and_leaves_the_saved_instance_as_it_was(tmp_path: Path) -> None:
    source = (power_bundle(tmp_path / "power") / "minimal.bpmn").read_bytes()
    process = port.parse_process("minimal", {"minimal.bpmn": source}, {})
    instance = port.Instance.new(process, {})
    saved = instance.dump()
    [step] = instance.open_steps()
    with pytest.raises(LimitExceeded) as refused:
        instance.complete(step.id, {"akute_gefahr": True, "anzahl": HUGE})
    assert refused.value.detail.startswith(
        "Der Schritt wurde abgelehnt, es wurde nichts gespeichert: Ein Ausdruck der Prozessdefinition an "
        "„Akute Gefahr?“ überschreitet die Rechengrenzen (die Potenz ergäbe eine Zahl mit etwa"
    )
    reloaded = port.Instance.load(saved, process)
    [again] = reloaded.open_steps()
    assert again.id == step.id
    reloaded.complete(step.id, {"akute_gefahr": True, "anzahl": 3})
    assert reloaded.completed
