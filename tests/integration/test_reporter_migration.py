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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.bootstrap import BPMN_ROOT
from engine.clock import BERLIN, FakeClock
from engine.processes.bundles import load_bundle_dir
from tests.conftest import CHILD, World, initialised_engine, populate_world
from tests.process.conftest import Steps
from tests.process.test_paths_kkg4 import MITTEILUNG
from tests.process.test_paths_kkg4_v2 import GESPRAECH
from tests.support.cases import BEOBACHTUNG, SOFORTMELDUNG
from tests.support.file_journey import BERATUNG, LEITUNG, MELDUNG, VORGEHEN
from tests.support.migration import version_of

#: the Schutzplan's dates are set a week ahead of the (moving) clock when it is agreed: see _values
SCHUTZPLAN: dict[str, Any] = {"massnahmen": [{"was": "Erziehungsberatung wahrnehmen", "wer": "Eltern"}]}
BETEILIGT = {"eltern_einbezogen": True, "kind_einbezogen": True, "ergebnis": "hilfe_angenommen"}
NICHT_WIRKSAM = {"wirksam": "nein", "vermerk": "Nicht umgesetzt."}
ZUR_KENNTNIS = {"vermerk": "Zur Kenntnis genommen."}
ABSCHLUSS = {"abschlussvermerk": "Übergeben.", "ergebnis": "an_jugendamt_uebergeben"}
Walk = list[tuple[str, str | None, dict[str, Any]]]
#: traeger_8a version 1's way through the review to the Meldung: (task or wait, who, values); a wait has no one
TRAEGER_V1: Walk = [
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
#: traeger_8a version 2's values by task (also the last steps of a case that stays on version 1): the
#: Leitung reports after the consultation or the failed Schutzplan
TRAEGER_V2 = {
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
KKG4_V1: Walk = [
    ("anhaltspunkte_dokumentieren", "lehrerin", {**BEOBACHTUNG, "gesundheitsberuf": False}),
    ("gespraech_familie", "lehrerin", {k: v for k, v in GESPRAECH.items() if k != "fallschilderung"}),
    ("insofa_beratung", "insofa_kleve", {**BERATUNG, "einschaetzung": "kwg_nicht_abwendbar"}),
    ("mitteilung_jugendamt", "lehrerin", MITTEILUNG),
    ("rueckmeldung_abwarten", None, {}),
    ("rueckmeldung_zur_kenntnis", "lehrerin", ZUR_KENNTNIS),
    ("abschluss", "lehrerin", {"abschlussvermerk": "Vorgang beendet."}),
]
KKG4_V2 = {
    "anhaltspunkte_dokumentieren": ("lehrerin", BEOBACHTUNG),
    "gespraech_familie": ("lehrerin", GESPRAECH),
    "insofa_beratung": ("insofa_kleve", {**BERATUNG, "einschaetzung": "kwg_nicht_abwendbar"}),
    "mitteilung_jugendamt": ("lehrerin", MITTEILUNG),
    "rueckmeldung_zur_kenntnis": ("lehrerin", ZUR_KENNTNIS),
    "abschluss": ("lehrerin", {"abschlussvermerk": "Vorgang beendet."}),
}


@dataclass(frozen=True)
class Procedure:
    key: str
    owner: str  # opens the case and reads it
    v1: Walk
    v2: dict[str, tuple[str, dict[str, Any]]]
    meldende_stelle: str  # the reporter's § 99 category, entered at the Jugendamt's Eingang
    #: positions a case cannot leave version 1 from, with (a part of) the reason given
    refused: dict[str, str]

    @property
    def positions(self) -> list[str]:
        return [step for step, _who, _values in self.v1]


TRAEGER = Procedure("traeger_8a", "kita_fk", TRAEGER_V1, TRAEGER_V2, "kita_kindertagespflege", {})
KKG4 = Procedure(
    "kkg4",
    "lehrerin",
    KKG4_V1,
    KKG4_V2,
    "schule",
    {"anhaltspunkte_dokumentieren": "Der Schritt „Gewichtige Anhaltspunkte dokumentieren“ hat in Version 2 keine"},
)
CASES = [(p, position) for p in (TRAEGER, KKG4) for position in p.positions]


def _linked(world: World, p: Procedure, case_id: int) -> int | None:
    links = [lk for lk in world.engine.case(world[p.owner], case_id)["links"] if lk["relation"] == "meldung_an"]
    return links[0]["case_id"] if links else None


def _pass_the_wait(world: World, p: Procedure, case_id: int) -> None:
    """The review day comes (the Schutzplan's timer fires), or the Jugendamt answers the Meldung."""
    ja = _linked(world, p, case_id)
    if ja is None:  # no step of the way open and nothing reported yet: the review timer waits
        clock = world.engine.clock
        assert isinstance(clock, FakeClock)
        clock.set(clock.now().astimezone(BERLIN).replace(hour=8, minute=0, second=1) + timedelta(days=20))
        world.engine.run_due()
        return
    Steps(world).ja_kurz_bis_rueckmeldung(
        ja, meldende_stelle=p.meldende_stelle, anhaltspunkte_bestaetigt=True, ja_taetig=True
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


def _at(world: World, p: Procedure, position: str) -> int:
    case_id = world.engine.open_case(world[p.owner], process_key=p.key, child=dict(CHILD)).case_id
    for step, who, values in p.v1:
        if step == position:
            return case_id
        if who is None:
            _pass_the_wait(world, p, case_id)
        else:
            _complete(world, case_id, step, who, values)
    raise AssertionError(position)


def _after_the_sofortmeldung(world: World) -> int:
    case_id = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=dict(CHILD)).case_id
    _complete(world, case_id, "anhaltspunkte_dokumentieren", "kita_fk", {**BEOBACHTUNG, "akute_gefahr": True})
    _complete(world, case_id, "sofortmeldung_jugendamt", "kita_leitung", SOFORTMELDUNG)
    return case_id


def _run_to_end(world: World, p: Procedure, case_id: int, walk: dict[str, tuple[str, dict[str, Any]]]) -> list[str]:
    """Complete the steps of `walk` (escalations beside them left alone) and pass the waits until it ends."""
    done: list[str] = []
    for _ in range(40):
        view = world.engine.case(world[p.owner], case_id)
        if view["status"] == "abgeschlossen":
            return done
        steps = [t["task"] for t in view["open_tasks"] if t["task"] in walk]
        if not steps:
            _pass_the_wait(world, p, case_id)
            continue
        who, values = walk[steps[0]]
        _complete(world, case_id, steps[0], who, values)
        done.append(steps[0])
    raise AssertionError(f"case {case_id} did not end: {done}")


def _migrate(world: World, p: Procedure, case_id: int):
    reference = world.engine.case(world[p.owner], case_id)["reference"]
    [outcome] = world.engine.migrate_cases(
        p.key, 1, 2, reason="Version 2 eingeführt", operator="tests", references=[reference]
    )
    return outcome


@pytest.fixture(scope="module")
def at_every_position(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, dict[tuple[str, str], int]]]:
    """One engine (SQLite) with version 1 only and a case at each position; then the versions 2 deployed."""
    folder: Path = tmp_path_factory.mktemp("reporter-migration")
    (folder / "instance").mkdir(mode=0o700)
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))
    engine = initialised_engine(f"sqlite:///{folder / 'schutzpfad.db'}", clock, folder / "instance", up_to_version=1)
    world = populate_world(engine)
    cases = {(p.key, position): _at(world, p, position) for p, position in CASES}
    cases[("traeger_8a", "sofortmeldung")] = _after_the_sofortmeldung(world)
    for p in (TRAEGER, KKG4):
        engine.deploy(load_bundle_dir(BPMN_ROOT / p.key / "2"), deployed_by="tests")
    yield world, cases
    engine.db.dispose()


@pytest.mark.parametrize(("p", "position"), CASES, ids=[f"{p.key}-{position}" for p, position in CASES])
def test_a_case_at_every_v1_position_migrates_or_is_refused_then_runs_to_the_end(at_every_position, p, position):
    world, cases = at_every_position
    engine, case_id = world.engine, cases[(p.key, position)]
    before = engine.case(world[p.owner], case_id)
    outcome = _migrate(world, p, case_id)
    if position in p.refused:
        assert not outcome.ok and p.refused[position] in outcome.reason and version_of(engine, case_id) == 1
        v1_values = {step: (who, values) for step, who, values in p.v1 if who is not None}
        assert _run_to_end(world, p, case_id, v1_values)[-1] == "abschluss"
        return
    assert outcome.ok, outcome.reason
    after = engine.case(world[p.owner], case_id)
    assert version_of(engine, case_id) == 2
    assert after["history"] == before["history"] and after["links"] == before["links"]
    assert sorted((t["task"], t["due_at"] or "") for t in after["open_tasks"]) == sorted(
        (t["task"], t["due_at"] or "") for t in before["open_tasks"]
    )  # the same step (and an escalation beside it), its deadline kept
    done = _run_to_end(world, p, case_id, p.v2)
    assert done[-1] == "abschluss"
    if p is TRAEGER and p.positions.index(position) <= p.positions.index("schutzplan_ueberpruefen"):
        assert "vorgehen_festlegen" in done  # the Leitung decides on version 2, not the insofa or the plan


def test_a_case_waiting_for_the_meldebogen_and_the_rueckmeldung_at_once_stays_on_v1(at_every_position):
    world, cases = at_every_position
    engine, case_id = world.engine, cases[("traeger_8a", "sofortmeldung")]
    outcome = _migrate(world, TRAEGER, case_id)
    assert not outcome.ok and outcome.reason and version_of(engine, case_id) == 1
    assert _run_to_end(world, TRAEGER, case_id, TRAEGER_V2)[-1] == "abschluss" and version_of(engine, case_id) == 1
