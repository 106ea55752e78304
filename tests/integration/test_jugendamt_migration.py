"""Running jugendamt_8a cases of version 1 moved onto version 2 (bpmn/jugendamt_8a/2/migration.json):
a case standing at any version-1 task migrates — or, at the Inobhutnahme, which version 1 reaches only
after the Maßnahmen and version 2 before them, is refused with its reason and stays whole on version 1 —
and then runs to its end. The cases come from a § 4 KKG Mitteilung, so the Rückmeldung is among the
tasks; version 1's route passes every one of its user tasks (Inobhutnahme and Familiengericht)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine.bootstrap import BPMN_ROOT
from engine.clock import BERLIN, FakeClock
from engine.processes.bundles import load_bundle_dir
from tests.conftest import CHILD, World, initialised_engine, populate_world
from tests.process.conftest import EINGANG, ERSTEINSCHAETZUNG, STATISTIK
from tests.support import jugendamt as ja
from tests.support.cases import BEOBACHTUNG
from tests.support.cases import complete as complete_step
from tests.support.migration import Walk, complete, run_to_end, version_of

KEY = "jugendamt_8a"
GEFAEHRDUNG_V1 = {k: v for k, v in ja.GEFAEHRDUNG.items() if k != "inobhutnahme_erforderlich"}
V1: Walk = [
    ("eingang_erfassen", "goch_fk", {**EINGANG, "kanal": "meldung_kkg4", "meldende_stelle": "schule"}),
    ("ersteinschaetzung", "goch_fk", {**ERSTEINSCHAETZUNG, "gewichtige_anhaltspunkte": True}),
    ("ersteinschaetzung_bestaetigen", "goch_fk2", {"bestaetigt": True}),
    (
        "unmittelbarer_eindruck",
        "goch_fk",
        {k: v for k, v in ja.EINDRUCK.items() if k in ("art", "datum", "kind_gesehen", "beobachtungen")},
    ),
    ("beteiligung", "goch_fk", {k: v for k, v in ja.BETEILIGUNG.items() if k != "inobhutnahme_erforderlich"}),
    ("gefaehrdungseinschaetzung", "goch_fk", {**GEFAEHRDUNG_V1, "ergebnis": "akute_kwg"}),
    ("gefaehrdungseinschaetzung_bestaetigen", "goch_fk2", {"bestaetigt": True}),
    ("massnahmen_festlegen", "goch_fk", {**ja.MASSNAHMEN, "familiengericht": True, "inobhutnahme": True}),
    (
        "inobhutnahme_dokumentieren",
        "goch_leitung",
        {k: v for k, v in ja.INOBHUTNAHME.items() if k != "vertrauensperson_benachrichtigt"},
    ),
    ("anrufung_familiengericht", "goch_leitung", ja.FAMILIENGERICHT),
    ("rueckmeldung_melder", "goch_fk", {"anhaltspunkte_bestaetigt": True, "ja_taetig": True}),
    ("statistik_erfassen", "goch_fk", STATISTIK),
    ("abschluss", "goch_leitung", ja.ABSCHLUSS),
]
V2: Walk = [
    ("unmittelbarer_eindruck", "goch_fk", ja.EINDRUCK),
    ("beteiligung", "goch_fk", ja.BETEILIGUNG),
    ("gefaehrdungseinschaetzung", "goch_fk", {**ja.GEFAEHRDUNG, "ergebnis": "akute_kwg"}),
    ("gefaehrdungseinschaetzung_bestaetigen", "goch_fk2", {"bestaetigt": True}),
    ("massnahmen_festlegen", "goch_fk", {**ja.MASSNAHMEN, "familiengericht": True}),
    ("anrufung_familiengericht", "goch_leitung", ja.FAMILIENGERICHT),
    ("rueckmeldung_melder", "goch_fk", ja.RUECKMELDUNG),
    ("statistik_erfassen", "goch_fk", {**STATISTIK, "massnahme_42": True}),
    ("abschluss", "goch_leitung", ja.ABSCHLUSS),
    *[step for step in V1 if step[0] in ("eingang_erfassen", "ersteinschaetzung", "ersteinschaetzung_bestaetigen")],
]
V1_TASKS = [task for task, _who, _values in V1]
#: where a case standing at a version-1 task goes on (None: it cannot migrate)
SUCCESSOR = {task: (None if task == "inobhutnahme_dokumentieren" else task) for task in V1_TASKS}


def _reported_at(world: World, task: str) -> int:
    """A school's § 4 KKG Mitteilung opens the Jugendamt's case, which version 1 takes up to `task`."""
    kkg = world.engine.open_case(world["lehrerin"], process_key="kkg4", child=dict(CHILD)).case_id
    complete_step(
        world,
        "lehrerin",
        kkg,
        "anhaltspunkte_dokumentieren",
        {**BEOBACHTUNG, "akute_gefahr": True, "gesundheitsberuf": True},
    )
    mitteilung = {
        "mitteilung_beabsichtigt": True,
        "betroffene_vorab_informiert": True,
        "zusammenfassung": "Striemen am Rücken.",
        "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
    }
    complete_step(world, "lehrerin", kkg, "mitteilung_jugendamt", mitteilung)
    [case_id] = [
        lk["case_id"] for lk in world.engine.case(world["lehrerin"], kkg)["links"] if lk["relation"] == "meldung_an"
    ]
    for step, who, values in V1:
        if step == task:
            return case_id
        complete(world, case_id, step, who, values)
    raise AssertionError(task)


@pytest.fixture(scope="module")
def at_every_task(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[str, int]]]:
    """One engine (SQLite) with version 1 only and a case at each of its tasks; then version 2 deployed."""
    folder: Path = tmp_path_factory.mktemp("jugendamt-migration")
    (folder / "instance").mkdir(mode=0o700)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))
    engine = initialised_engine(f"sqlite:///{folder / 'schutzpfad.db'}", clock, folder / "instance", up_to_version=1)
    world = populate_world(engine)
    cases = {task: _reported_at(world, task) for task in V1_TASKS}
    engine.deploy(load_bundle_dir(BPMN_ROOT / KEY / "2"), deployed_by="tests")
    yield world, cases
    engine.db.dispose()


@pytest.mark.parametrize("task", V1_TASKS)
def test_a_jugendamt_case_at_every_v1_task_migrates_or_is_refused_then_runs_to_the_end(at_every_task, task):
    world, cases = at_every_task
    engine, case_id = world.engine, cases[task]
    reference = engine.case(world["goch_fk"], case_id)["reference"]
    [outcome] = engine.migrate_cases(KEY, 1, 2, reason="Version 2 eingeführt", operator="tests", references=[reference])
    walks = {1: V1, 2: V2}
    if SUCCESSOR[task] is None:
        assert not outcome.ok
        assert outcome.reason == "Der Schritt „Inobhutnahme dokumentieren“ hat in Version 2 keine Entsprechung."
        assert version_of(engine, case_id) == 1
        assert run_to_end(world, case_id, walks, viewer="goch_leitung") == V1_TASKS[V1_TASKS.index(task) :]
        return
    assert outcome.ok and version_of(engine, case_id) == 2
    done = run_to_end(world, case_id, walks, viewer="goch_leitung")
    assert done[0] == SUCCESSOR[task] and done[-1] == "abschluss"
    assert engine.case(world["goch_leitung"], case_id)["status"] == "abgeschlossen"
