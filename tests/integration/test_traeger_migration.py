"""Running traeger_8a cases of version 1 moved onto version 2 (bpmn/traeger_8a/2/migration.json): a case
standing at any version-1 task or wait of the way below migrates — or, waiting for the Rückmeldung and
the written Meldebogen at once after a Sofortmeldung, is refused with its reason and stays whole on
version 1 — and then runs to its end under version 2, where the Leitung decides after the consultation
and after the Schutzplan failed. Version 1's way here passes every user task of the non-acute path, the
Schutzplan's review timer and the wait for the Rückmeldung; the Sofortmeldung is the second way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.bootstrap import BPMN_ROOT
from engine.clock import BERLIN, FakeClock
from engine.processes.bundles import load_bundle_dir
from tests.conftest import CHILD, World, initialised_engine, populate_world
from tests.process.conftest import Steps
from tests.support.cases import BEOBACHTUNG, SOFORTMELDUNG, open_tasks
from tests.support.file_journey import BERATUNG, LEITUNG, MELDUNG, VORGEHEN
from tests.support.migration import version_of

KEY = "traeger_8a"
#: the Schutzplan's dates are set a week ahead of the (moving) clock when it is agreed: see _values
SCHUTZPLAN: dict[str, Any] = {"massnahmen": [{"was": "Erziehungsberatung wahrnehmen", "wer": "Eltern"}]}
BETEILIGT = {"eltern_einbezogen": True, "kind_einbezogen": True, "ergebnis": "hilfe_angenommen"}
NICHT_WIRKSAM = {"wirksam": "nein", "vermerk": "Nicht umgesetzt."}
ZUR_KENNTNIS = {"vermerk": "Zur Kenntnis genommen."}
ABSCHLUSS = {"abschlussvermerk": "Übergeben.", "ergebnis": "an_jugendamt_uebergeben"}
#: version 1's way through the review to the Meldung: (task or wait, who, values); a wait has no one
V1: list[tuple[str, str | None, dict[str, Any]]] = [
    ("anhaltspunkte_dokumentieren", "kita_fk", BEOBACHTUNG),
    ("leitung_informieren", "kita_leitung", {k: v for k, v in LEITUNG.items() if k != "fallschilderung"}),
    ("insofa_beratung", "insofa_kleve", {**BERATUNG, "einschaetzung": "kwg_abwendbar"}),
    ("beteiligung_familie", "kita_fk", BETEILIGT),
    ("schutzplan_vereinbaren", "kita_fk", SCHUTZPLAN),
    ("timer_ueberpruefung", None, {}),
    ("schutzplan_ueberpruefen", "kita_leitung", NICHT_WIRKSAM),
    ("meldung_jugendamt", "kita_leitung", MELDUNG),
    ("rueckmeldung_abwarten", None, {}),
    ("rueckmeldung_zur_kenntnis", "kita_leitung", ZUR_KENNTNIS),
    ("abschluss", "kita_leitung", ABSCHLUSS),
]
#: version 2's values by task (also the last steps of a case that stays on version 1): the Leitung
#: reports after the consultation or the failed Schutzplan
V2 = {
    "anhaltspunkte_dokumentieren": ("kita_fk", BEOBACHTUNG),
    "leitung_informieren": ("kita_leitung", LEITUNG),
    "insofa_beratung": ("insofa_kleve", {**BERATUNG, "einschaetzung": "kwg_abwendbar"}),
    "vorgehen_festlegen": ("kita_leitung", VORGEHEN),
    "beteiligung_familie": ("kita_fk", BETEILIGT),
    "schutzplan_vereinbaren": ("kita_fk", SCHUTZPLAN),
    "schutzplan_ueberpruefen": ("kita_leitung", NICHT_WIRKSAM),
    "meldung_jugendamt": ("kita_leitung", MELDUNG),
    "meldebogen_nachreichen": ("kita_leitung", {"gefaehrdungsbereiche": ["vernachlaessigung"], "ergaenzungen": "-"}),
    "rueckmeldung_zur_kenntnis": ("kita_leitung", ZUR_KENNTNIS),
    "abschluss": ("kita_leitung", ABSCHLUSS),
}
POSITIONS = [step for step, _who, _values in V1]


def _waits_for_the_review(world: World, case_id: int) -> bool:
    """No step of the way open (an escalation may be) and no Meldung sent yet: the review timer waits."""
    return not set(open_tasks(world, "kita_leitung", case_id)) & set(V2) and not _linked(world, case_id)


def _linked(world: World, case_id: int) -> int | None:
    links = [lk for lk in world.engine.case(world["kita_leitung"], case_id)["links"] if lk["relation"] == "meldung_an"]
    return links[0]["case_id"] if links else None


def _pass_the_wait(world: World, case_id: int) -> None:
    """The review day comes (the timer fires), or the Jugendamt answers the Meldung."""
    if _waits_for_the_review(world, case_id):
        clock = world.engine.clock
        assert isinstance(clock, FakeClock)
        clock.set(clock.now().astimezone(BERLIN).replace(hour=8, minute=0, second=1) + timedelta(days=20))
        world.engine.run_due()
        return
    ja = _linked(world, case_id)
    assert ja is not None
    Steps(world).ja_kurz_bis_rueckmeldung(
        ja, meldende_stelle="kita_kindertagespflege", anhaltspunkte_bestaetigt=True, ja_taetig=True
    )


def _values(world: World, task: str, values: dict[str, Any]) -> dict[str, Any]:
    """The Schutzplan dated from today: its review a week ahead, within the network's maximum."""
    if task != "schutzplan_vereinbaren":
        return values
    week = (world.engine.clock.now().astimezone(BERLIN) + timedelta(days=7)).date().isoformat()
    return {"massnahmen": [{**values["massnahmen"][0], "bis": week}], "ueberpruefung_am": week}


def _complete(world: World, case_id: int, task: str, who: str, values: dict[str, Any]) -> None:
    """`who` completes the open step `task` (an overdue step's escalation beside it is left alone)."""
    [step] = [t for t in world.engine.case(world[who], case_id)["open_tasks"] if t["task"] == task]
    world.engine.complete_task(world[who], step["id"], _values(world, task, values))


def _at(world: World, position: str) -> int:
    case_id = world.engine.open_case(world["kita_fk"], process_key=KEY, child=dict(CHILD)).case_id
    for step, who, values in V1:
        if step == position:
            return case_id
        if who is None:
            _pass_the_wait(world, case_id)
        else:
            _complete(world, case_id, step, who, values)
    raise AssertionError(position)


def _after_the_sofortmeldung(world: World) -> int:
    case_id = world.engine.open_case(world["kita_fk"], process_key=KEY, child=dict(CHILD)).case_id
    _complete(world, case_id, "anhaltspunkte_dokumentieren", "kita_fk", {**BEOBACHTUNG, "akute_gefahr": True})
    _complete(world, case_id, "sofortmeldung_jugendamt", "kita_leitung", SOFORTMELDUNG)
    return case_id


def _run_to_end(world: World, case_id: int) -> list[str]:
    """Complete version 2's steps (escalations beside them left alone) and pass its waits until it ends."""
    done: list[str] = []
    for _ in range(40):
        view = world.engine.case(world["kita_leitung"], case_id)
        if view["status"] == "abgeschlossen":
            return done
        steps = [t["task"] for t in view["open_tasks"] if t["task"] in V2]
        if not steps:
            _pass_the_wait(world, case_id)
            continue
        who, values = V2[steps[0]]
        _complete(world, case_id, steps[0], who, values)
        done.append(steps[0])
    raise AssertionError(f"case {case_id} did not end: {done}")


@pytest.fixture(scope="module")
def at_every_position(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[str, int]]]:
    """One engine (SQLite) with version 1 only and a case at each position; then version 2 deployed."""
    folder: Path = tmp_path_factory.mktemp("traeger-migration")
    (folder / "instance").mkdir(mode=0o700)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))
    engine = initialised_engine(f"sqlite:///{folder / 'schutzpfad.db'}", clock, folder / "instance", up_to_version=1)
    world = populate_world(engine)
    cases = {position: _at(world, position) for position in POSITIONS}
    cases["sofortmeldung"] = _after_the_sofortmeldung(world)
    engine.deploy(load_bundle_dir(BPMN_ROOT / KEY / "2"), deployed_by="tests")
    yield world, cases
    engine.db.dispose()


@pytest.mark.parametrize("position", POSITIONS)
def test_a_traeger_case_at_every_v1_position_migrates_then_runs_to_the_end_under_v2(at_every_position, position):
    world, cases = at_every_position
    engine, case_id = world.engine, cases[position]
    before = engine.case(world["kita_leitung"], case_id)
    [outcome] = engine.migrate_cases(
        KEY, 1, 2, reason="Version 2 eingeführt", operator="tests", references=[before["reference"]]
    )
    assert outcome.ok, outcome.reason
    after = engine.case(world["kita_leitung"], case_id)
    assert version_of(engine, case_id) == 2
    assert after["history"] == before["history"] and after["links"] == before["links"]
    assert sorted((t["task"], t["due_at"] or "") for t in after["open_tasks"]) == sorted(
        (t["task"], t["due_at"] or "") for t in before["open_tasks"]
    )  # the same step (and an escalation beside it), its deadline kept
    done = _run_to_end(world, case_id)
    assert done[-1] == "abschluss"
    if POSITIONS.index(position) <= POSITIONS.index("schutzplan_ueberpruefen"):
        assert "vorgehen_festlegen" in done  # the Leitung decides on version 2, not the insofa or the plan


def test_a_case_waiting_for_the_meldebogen_and_the_rueckmeldung_at_once_stays_on_v1(at_every_position):
    world, cases = at_every_position
    engine, case_id = world.engine, cases["sofortmeldung"]
    reference = engine.case(world["kita_leitung"], case_id)["reference"]
    [outcome] = engine.migrate_cases(KEY, 1, 2, reason="Version 2 eingeführt", operator="tests", references=[reference])
    assert not outcome.ok and outcome.reason and version_of(engine, case_id) == 1
    _complete(world, case_id, "meldebogen_nachreichen", "kita_leitung", V2["meldebogen_nachreichen"][1])
    assert _run_to_end(world, case_id)[-1] == "abschluss" and version_of(engine, case_id) == 1
