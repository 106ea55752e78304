"""The reporters' procedures (traeger_8a, kkg4) in version 1 and 2 for the migration tests: the ways a
version-1 case is brought to each position (task or wait), the values version 2 asks on, and the
helpers that pass the waits (the Schutzplan's review timer, the Jugendamt's Rückmeldung) and run a case
to its end. Shared by tests/integration/test_reporter_migration.py (every position once) and the volume
run of tests/integration/test_case_migration_volume.py (`make migration-volume`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from engine.api import MigrationOutcome
from engine.clock import BERLIN, FakeClock
from tests.conftest import CHILD, World
from tests.process.conftest import Steps
from tests.process.test_paths_kkg4 import MITTEILUNG
from tests.process.test_paths_kkg4_v2 import GESPRAECH
from tests.support.cases import BEOBACHTUNG, SOFORTMELDUNG
from tests.support.file_journey import BERATUNG, LEITUNG, MELDUNG, VORGEHEN

#: the Schutzplan's dates are set a day ahead of the (moving) clock when it is agreed: see dated()
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


def linked(world: World, p: Procedure, case_id: int) -> int | None:
    links = [lk for lk in world.engine.case(world[p.owner], case_id)["links"] if lk["relation"] == "meldung_an"]
    return links[0]["case_id"] if links else None


def pass_the_wait(world: World, p: Procedure, case_id: int) -> None:
    """The review day comes (the Schutzplan's timer fires), or the Jugendamt answers the Meldung."""
    ja = linked(world, p, case_id)
    if ja is None:  # no step of the way open and nothing reported yet: the review timer waits
        clock = world.engine.clock
        assert isinstance(clock, FakeClock)
        # the next morning: the review falls due (dated one day ahead, see `dated`) and the clock of a
        # volume run of 1,000 cases moves by days, not years (the child must stay under 18)
        clock.set(clock.now().astimezone(BERLIN).replace(hour=8, minute=0, second=1) + timedelta(days=1))
        world.engine.run_due()
        return
    Steps(world).ja_kurz_bis_rueckmeldung(
        ja, meldende_stelle=p.meldende_stelle, anhaltspunkte_bestaetigt=True, ja_taetig=True
    )


def dated(world: World, task: str, values: dict[str, Any]) -> dict[str, Any]:
    """The Schutzplan dated from today: its measure and its review due tomorrow."""
    if task != "schutzplan_vereinbaren":
        return values
    tomorrow = (world.engine.clock.now().astimezone(BERLIN) + timedelta(days=1)).date().isoformat()
    return {"massnahmen": [{**values["massnahmen"][0], "bis": tomorrow}], "ueberpruefung_am": tomorrow}


def complete(world: World, case_id: int, task: str, who: str, values: dict[str, Any]) -> None:
    """`who` completes the open step `task` (an overdue step's escalation beside it is left alone)."""
    [step] = [t for t in world.engine.case(world[who], case_id)["open_tasks"] if t["task"] == task]
    world.engine.complete_task(world[who], step["id"], dated(world, task, values))


def at(world: World, p: Procedure, position: str) -> int:
    case_id = world.engine.open_case(world[p.owner], process_key=p.key, child=dict(CHILD)).case_id
    for step, who, values in p.v1:
        if step == position:
            return case_id
        if who is None:
            pass_the_wait(world, p, case_id)
        else:
            complete(world, case_id, step, who, values)
    raise AssertionError(position)


def after_the_sofortmeldung(world: World) -> int:
    case_id = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=dict(CHILD)).case_id
    complete(world, case_id, "anhaltspunkte_dokumentieren", "kita_fk", {**BEOBACHTUNG, "akute_gefahr": True})
    complete(world, case_id, "sofortmeldung_jugendamt", "kita_leitung", SOFORTMELDUNG)
    return case_id


def run_to_end(world: World, p: Procedure, case_id: int, walk: dict[str, tuple[str, dict[str, Any]]]) -> list[str]:
    """Complete the steps of `walk` (escalations beside them left alone) and pass the waits until it ends."""
    done: list[str] = []
    for _ in range(40):
        view = world.engine.case(world[p.owner], case_id)
        if view["status"] == "abgeschlossen":
            return done
        steps = [t["task"] for t in view["open_tasks"] if t["task"] in walk]
        if not steps:
            pass_the_wait(world, p, case_id)
            continue
        who, values = walk[steps[0]]
        complete(world, case_id, steps[0], who, values)
        done.append(steps[0])
    raise AssertionError(f"case {case_id} did not end: {done}")


def v1_values(p: Procedure) -> list[tuple[str, tuple[str, dict[str, Any]]]]:
    """Version 1's steps as (task, (who, values)): to run a case that stayed on version 1 to its end."""
    return [(step, (who, values)) for step, who, values in p.v1 if who is not None]


def migrate(world: World, p: Procedure, case_id: int) -> MigrationOutcome:
    reference = world.engine.case(world[p.owner], case_id)["reference"]
    [outcome] = world.engine.migrate_cases(
        p.key, 1, 2, reason="Version 2 eingeführt", operator="tests", references=[reference]
    )
    return outcome
