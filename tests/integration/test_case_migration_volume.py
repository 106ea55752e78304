"""The issue's volume: N running version-1 cases spread over every task (SCHUTZPFAD_MIGRATION_CASES,
`make migration-volume` runs 1,000) migrate or are refused with the reason, then every one runs to
its end — the migrated ones under version 2, the refused ones under version 1: of the fixture process
`wechsel`, and of the shipped traeger_8a and kkg4 (every position of their ways). Skipped in the
default run (the parametrised test of test_case_migration.py covers every task there); the time it
took is printed, never asserted."""

from __future__ import annotations

import os
import time

import pytest

from engine.bootstrap import BPMN_ROOT
from engine.processes.bundles import load_bundle_dir
from tests.support.migration import KEY, SUCCESSOR, V1_TASKS, deploy, open_at, run_to_end, version_of
from tests.support.reporter_migration import CASES as REPORTER_CASES
from tests.support.reporter_migration import KKG4, TRAEGER, at, v1_values
from tests.support.reporter_migration import run_to_end as run_reporter_case_to_end

CASES = int(os.environ.get("SCHUTZPFAD_MIGRATION_CASES", "0"))


@pytest.mark.slow
@pytest.mark.skipif(CASES == 0, reason="volume run: SCHUTZPFAD_MIGRATION_CASES=1000 (make migration-volume)")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_running_cases_at_every_task_migrate_or_are_refused_then_run_to_the_end(world, child):
    engine = world.engine
    deploy(engine, 1)
    at = {open_at(world, child, V1_TASKS[n % len(V1_TASKS)]): V1_TASKS[n % len(V1_TASKS)] for n in range(CASES)}
    deploy(engine, 2)

    started = time.perf_counter()
    preview = engine.migrate_cases(KEY, 1, 2, reason="", operator="tests", dry_run=True)
    previewed = time.perf_counter()
    outcomes = engine.migrate_cases(KEY, 1, 2, reason="Volumen", operator="tests")
    migrated = time.perf_counter()

    assert [(o.case_id, o.ok) for o in preview] == [(o.case_id, o.ok) for o in outcomes]
    for outcome in outcomes:
        assert outcome.ok == (SUCCESSOR[at[outcome.case_id]] is not None), outcome
        assert outcome.ok or "hat in Version 2 keine Entsprechung" in (outcome.reason or "")
        assert version_of(engine, outcome.case_id) == (2 if outcome.ok else 1)
    for case_id in at:
        run_to_end(world, case_id)
    print(
        f"\n{CASES} cases: dry run {previewed - started:.1f} s, migration {migrated - previewed:.1f} s "
        f"({CASES / (migrated - previewed):.0f} cases/s), {sum(o.ok for o in outcomes)} migrated"
    )


@pytest.mark.slow
@pytest.mark.skipif(CASES == 0, reason="volume run: SCHUTZPFAD_MIGRATION_CASES=1000 (make migration-volume)")
@pytest.mark.shipped_up_to(1)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_running_cases_of_the_shipped_reporter_procedures_migrate_or_are_refused_then_run_to_the_end(world):
    """The same for the shipped traeger_8a and kkg4: N version-1 cases spread over every position of the
    ways in tests/support/reporter_migration.py (tasks, the review timer, the wait for the Rückmeldung),
    both versions 2 deployed, each process migrated in one run; the deadline of every open step keeps
    its instant; then every case runs to its end on the version it is on."""
    engine = world.engine
    at_position = {}
    for n in range(CASES):
        procedure, position = REPORTER_CASES[n % len(REPORTER_CASES)]
        at_position[at(world, procedure, position)] = (procedure, position)
    due = {case_id: _due(world, p, case_id) for case_id, (p, _position) in at_position.items()}
    for procedure in (TRAEGER, KKG4):
        engine.deploy(load_bundle_dir(BPMN_ROOT / procedure.key / "2"), deployed_by="tests")

    started = time.perf_counter()
    outcomes = [
        o for p in (TRAEGER, KKG4) for o in engine.migrate_cases(p.key, 1, 2, reason="Volumen", operator="tests")
    ]
    migrated = time.perf_counter()

    assert sorted(o.case_id for o in outcomes) == sorted(at_position)
    for outcome in outcomes:
        procedure, position = at_position[outcome.case_id]
        assert outcome.ok == (position not in procedure.refused), outcome
        assert version_of(engine, outcome.case_id) == (2 if outcome.ok else 1)
        assert _due(world, procedure, outcome.case_id) == due[outcome.case_id]  # deadlines keep their instants
    for case_id, (procedure, _position) in at_position.items():
        walk = procedure.v2 if version_of(engine, case_id) == 2 else dict(v1_values(procedure))
        assert run_reporter_case_to_end(world, procedure, case_id, walk)[-1] == "abschluss"
    print(
        f"\n{CASES} traeger_8a and kkg4 cases: migration {migrated - started:.1f} s "
        f"({CASES / (migrated - started):.0f} cases/s), {sum(o.ok for o in outcomes)} migrated"
    )


def _due(world, procedure, case_id: int) -> list[tuple[str, str]]:
    """The open steps of the way and their due instants."""
    tasks = world.engine.case(world[procedure.owner], case_id)["open_tasks"]
    return sorted((t["task"], t["due_at"] or "") for t in tasks if t["task"] != "frist_klaeren")
