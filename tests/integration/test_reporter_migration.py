"""Running cases of the reporters' procedures moved from version 1 onto version 2 (migration.json of
bpmn/traeger_8a/2 and bpmn/kkg4/2): a case standing at any version-1 task or wait of the ways below
migrates — or is refused with its reason and stays whole on version 1 — and then runs to its end.

traeger_8a: the way passes every user task of the non-acute path, the Schutzplan's review timer and the
wait for the Rückmeldung; on version 2 the Leitung decides after the consultation and after the
Schutzplan failed. Waiting for the Rückmeldung and the written Meldebogen at once after a Sofortmeldung
(two positions) is refused. kkg4: every task and the wait; a case still at its first step stays on
version 1 (version 2's first gateway reads the organisation's kind, which version 1 never recorded)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine.bootstrap import BPMN_ROOT
from engine.clock import BERLIN, FakeClock
from engine.processes.bundles import load_bundle_dir
from tests.conftest import World, initialised_engine, populate_world
from tests.support.migration import version_of
from tests.support.reporter_migration import (
    CASES,
    KKG4,
    TRAEGER,
    TRAEGER_V2,
    after_the_sofortmeldung,
    at,
    migrate,
    run_to_end,
    v1_values,
)


@pytest.fixture(scope="module")
def at_every_position(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[tuple[str, str], int]]]:
    """One engine (SQLite) with version 1 only and a case at each position; then the versions 2 deployed."""
    folder: Path = tmp_path_factory.mktemp("reporter-migration")
    (folder / "instance").mkdir(mode=0o700)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))
    engine = initialised_engine(f"sqlite:///{folder / 'schutzpfad.db'}", clock, folder / "instance", up_to_version=1)
    world = populate_world(engine)
    cases = {(p.key, position): at(world, p, position) for p, position in CASES}
    cases[("traeger_8a", "sofortmeldung")] = after_the_sofortmeldung(world)
    for p in (TRAEGER, KKG4):
        engine.deploy(load_bundle_dir(BPMN_ROOT / p.key / "2"), deployed_by="tests")
    yield world, cases
    engine.db.dispose()


@pytest.mark.parametrize(("p", "position"), CASES, ids=[f"{p.key}-{position}" for p, position in CASES])
def test_a_case_at_every_v1_position_migrates_or_is_refused_then_runs_to_the_end(at_every_position, p, position):
    world, cases = at_every_position
    engine, case_id = world.engine, cases[(p.key, position)]
    before = engine.case(world[p.owner], case_id)
    outcome = migrate(world, p, case_id)
    if position in p.refused:
        assert not outcome.ok and p.refused[position] in outcome.reason and version_of(engine, case_id) == 1
        assert run_to_end(world, p, case_id, dict(v1_values(p)))[-1] == "abschluss"
        return
    assert outcome.ok, outcome.reason
    after = engine.case(world[p.owner], case_id)
    assert version_of(engine, case_id) == 2
    assert after["history"] == before["history"] and after["links"] == before["links"]
    assert sorted((t["task"], t["due_at"] or "") for t in after["open_tasks"]) == sorted(
        (t["task"], t["due_at"] or "") for t in before["open_tasks"]
    )  # the same step (and an escalation beside it), its deadline kept
    done = run_to_end(world, p, case_id, p.v2)
    assert done[-1] == "abschluss"
    if p is TRAEGER and p.positions.index(position) <= p.positions.index("schutzplan_ueberpruefen"):
        assert "vorgehen_festlegen" in done  # the Leitung decides on version 2, not the insofa or the plan


def test_a_case_waiting_for_the_meldebogen_and_the_rueckmeldung_at_once_stays_on_v1(at_every_position):
    world, cases = at_every_position
    engine, case_id = world.engine, cases[("traeger_8a", "sofortmeldung")]
    outcome = migrate(world, TRAEGER, case_id)
    assert not outcome.ok and outcome.reason and version_of(engine, case_id) == 1
    assert run_to_end(world, TRAEGER, case_id, TRAEGER_V2)[-1] == "abschluss" and version_of(engine, case_id) == 1
