"""The issue's volume: N running version-1 cases spread over every task (SCHUTZPFAD_MIGRATION_CASES,
`make migration-volume` runs 1,000) migrate or are refused with the reason, then every one runs to
its end — the migrated ones under version 2, the refused ones under version 1. Skipped in the
default run (the parametrised test of test_case_migration.py covers every task there); the time it
took is printed, never asserted."""

from __future__ import annotations

import os
import time

import pytest

from tests.support.migration import KEY, SUCCESSOR, V1_TASKS, deploy, open_at, run_to_end, version_of

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
