"""The rules register (docs/rules.md) and the recorded mutations (tests/rules/mutations.py) agree:
every rule of the catalogue has a row; a rule the register calls enforced has at least one mutation
and a rule it calls not enforced has none; every mutation still applies to the working tree (its text
occurs exactly once) and names tests that exist and that the rule's row names. Fast; the mutations
themselves run in `make rules`, not here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.rules.mutations import MUTATIONS, Mutation

ROOT = Path(__file__).resolve().parents[2]
RULE_IDS = [f"R{n:02d}" for n in range(1, 39)]
STATUSES = ("enforced", "partly enforced", "not enforced")
ROW = re.compile(r"^\| (R\d\d) \| ([^|]+) \| (.+) \|$")


def register() -> dict[str, tuple[str, str]]:
    """rule id → (status, rest of the row) from the register table of docs/rules.md."""
    rows: dict[str, tuple[str, str]] = {}
    for line in (ROOT / "docs" / "rules.md").read_text("utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match.group(1) not in rows, f"{match.group(1)} has two rows"
            rows[match.group(1)] = (match.group(2).strip(), match.group(3))
    return rows


def test_every_rule_has_one_row_with_a_known_status() -> None:
    rows = register()
    assert sorted(rows) == RULE_IDS
    assert {rule: status for rule, (status, _) in rows.items() if status not in STATUSES} == {}


def test_enforced_rules_and_recorded_mutations_are_the_same() -> None:
    enforced = {rule for rule, (status, _) in register().items() if status != "not enforced"}
    assert enforced == {m.rule for m in MUTATIONS}


def test_a_rule_not_enforced_says_why() -> None:
    for rule, (status, rest) in register().items():
        if status == "not enforced":
            assert len(rest.strip(" |")) > 40, f"{rule}: the reason is missing"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: f"{m.rule}-{m.name}")
def test_each_mutation_applies_and_names_existing_tests_the_register_names(mutation: Mutation) -> None:
    for edit in mutation.edits:
        text = (ROOT / edit.target).read_text("utf-8")
        assert text.count(edit.old) == 1, f"{edit.target}: the text to mutate must occur exactly once"
        assert edit.old != edit.new
    assert mutation.tests
    row = register()[mutation.rule][1]
    for node in mutation.tests:
        path, _, name = node.partition("::")
        module = ast.parse((ROOT / path).read_text("utf-8"))
        defined = {n.name for n in ast.walk(module) if isinstance(n, ast.FunctionDef)}
        assert name in defined, f"{node}: no such test"
        assert name in row, f"{mutation.rule}: the register's row does not name {name}"
