"""traeger_8a (§ 8a Abs. 4 SGB VIII): every gateway branch through the engine's public entry point.

Together these tests take every sequence flow of the process; the last test checks that with the
path-coverage collector (tests/process/coverage.py). Ends asserted: the case's status and history,
the Jugendamt case a Meldung opens, and the Rückmeldung that comes back with exactly two booleans.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.clock import BERLIN
from engine.errors import NotAllowed, NotFound
from tests.process.coverage import check_module_coverage
from tests.support.cases import BEOBACHTUNG

#: version 1 stays deployed for the cases running on it: its paths stay tested (tests/process/
#: test_paths_traeger_8a_v2.py has version 2's)
pytestmark = pytest.mark.shipped_up_to(1)

KEY = "traeger_8a"
LEITUNG_JA = {"gewichtige_anhaltspunkte": True, "einschaetzung_leitung": "Gewichtig, Beratung nötig."}
MELDUNG = {
    "eltern_vorab_informiert": False,
    "grund_nicht_informiert": "Vater droht dem Kind, wenn es erzählt.",
    "gefaehrdungsbereiche": ["koerperliche_misshandlung", "psychische_misshandlung"],
    "zusammenfassung": "Gefährdung lässt sich ohne das Jugendamt nicht abwenden.",
}
SOFORTMELDUNG = {
    "gemeldet_am": "2026-03-02T08:45:00+01:00",
    "kanal": "telefon",
    "polizei_informiert": True,
    "eltern_informiert": False,
    "grund_eltern_nicht_informiert": "Würde das Kind gefährden.",
    "zusammenfassung": "Kind mit frischen Verletzungen, will nicht nach Hause.",
}
MELDEBOGEN = {
    "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
    "ergaenzungen": "Fotos der Verletzungen liegen vor.",
}


@pytest.fixture
def case(steps, child):
    case = steps.open("kita_fk", KEY, child)
    assert case["jugendamt"]["key"] == "ja-goch"  # Kita in Kevelaer, child lives in Goch
    return case


def _documented(steps, case_id, *, akute_gefahr=False):
    steps.complete("kita_fk", case_id, "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": akute_gefahr})


def _beraten(steps, case_id, einschaetzung):
    """Leitung (another person than kita_fk) finds gewichtige Anhaltspunkte; the pool insofa advises."""
    _documented(steps, case_id)
    steps.complete("kita_leitung", case_id, "leitung_informieren", LEITUNG_JA)
    steps.complete(
        "insofa_kleve",
        case_id,
        "insofa_beratung",
        {"beratung_am": "2026-03-02", "einschaetzung": einschaetzung, "empfehlung": "Siehe Protokoll."},
    )


def _hilfe_angenommen_mit_schutzplan(steps, case_id, einschaetzung, ueberpruefung_am="2026-03-16"):
    _beraten(steps, case_id, einschaetzung)
    steps.complete(
        "kita_fk",
        case_id,
        "beteiligung_familie",
        {
            "eltern_einbezogen": True,
            "kind_einbezogen": True,
            "gespraech_am": "2026-03-02",
            "ergebnis": "hilfe_angenommen",
        },
    )
    steps.complete(
        "kita_fk",
        case_id,
        "schutzplan_vereinbaren",
        {
            "massnahmen": [{"was": "Erziehungsberatung wahrnehmen", "wer": "Eltern", "bis": "2026-03-13"}],
            "ueberpruefung_am": ueberpruefung_am,
        },
    )


def _review_due(world, clock, day):
    """Move the clock to 08:00 (Berlin) of the review day and let the scheduler's entry point fire."""
    clock.set(datetime.fromisoformat(f"{day}T08:00:01").replace(tzinfo=BERLIN))
    fired = world.engine.run_due()
    assert any(line.endswith("timer fired") for line in fired), fired


def _melden_und_rueckmeldung(steps, world, case_id, *, bestaetigt, taetig):
    """Meldung an das Jugendamt → jugendamt_8a case in Goch → Rückmeldung back → both cases close."""
    meldung = steps.task("kita_leitung", case_id, "meldung_jugendamt")
    assert meldung["data"] == {"insofa_beteiligt": True}  # prefilled by the consultation
    result = steps.complete("kita_leitung", case_id, "meldung_jugendamt", MELDUNG)
    assert result.status == "offen" and result.open_tasks == ()  # waits for the Rückmeldung

    ja_id = steps.linked_case("kita_leitung", case_id)
    with pytest.raises(NotFound):
        world.engine.case(world["kevelaer_fk"], ja_id)  # the Kita's own Jugendamt is not responsible
    ja = steps.view("goch_fk", ja_id)
    assert ja["process"]["key"] == "jugendamt_8a" and ja["jugendamt"]["key"] == "ja-goch"
    assert [(link["case_id"], link["relation"]) for link in ja["links"]] == [(case_id, "meldung_von")]
    eingang = steps.task("goch_fk", ja_id, "eingang_erfassen")["data"]
    assert eingang["kanal"] == "meldung_traeger" and eingang["inhalt"] == MELDUNG["zusammenfassung"]
    assert "Blaue Flecken" not in str(ja)  # the Träger's internal documentation never travels

    steps.ja_kurz_bis_rueckmeldung(
        ja_id, meldende_stelle="kita_kindertagespflege", anhaltspunkte_bestaetigt=bestaetigt, ja_taetig=taetig
    )
    assert list(steps.open_tasks("kita_leitung", case_id)) == ["rueckmeldung_zur_kenntnis"]
    _assert_rueckmeldung(steps, case_id, bestaetigt=bestaetigt, taetig=taetig)
    return ja_id


def _assert_rueckmeldung(steps, case_id, *, bestaetigt, taetig):
    [received] = steps.trail("kita_revision", case_id, "message.received")
    assert received["payload"]["message"] == "rueckmeldung_8a"
    assert received["payload"]["payload"] == {"anhaltspunkte_bestaetigt": bestaetigt, "ja_taetig": taetig}


def _zur_kenntnis_und_abschluss(steps, case_id, ergebnis="an_jugendamt_uebergeben"):
    steps.complete("kita_leitung", case_id, "rueckmeldung_zur_kenntnis", {"vermerk": "Weiter aufmerksam begleiten."})
    steps.complete("kita_leitung", case_id, "abschluss", {"abschlussvermerk": "Übergeben.", "ergebnis": ergebnis})
    closed = steps.view("kita_leitung", case_id)
    assert closed["status"] == "abgeschlossen" and closed["closed_at"] and closed["open_tasks"] == []
    return closed


def _close_ja(steps, ja_id):
    closed = steps.ja_abschluss(ja_id)
    assert closed["status"] == "abgeschlossen"
    assert [h["task"] for h in closed["history"]].count("abschluss") == 1 and closed["open_tasks"] == []
    return closed


def test_keine_gewichtigen_anhaltspunkte(steps, case, path_coverage, request):
    _documented(steps, case["id"])
    steps.complete(
        "kita_leitung",
        case["id"],
        "leitung_informieren",
        {"gewichtige_anhaltspunkte": False, "einschaetzung_leitung": "Erklärbar durch Sturz."},
    )
    steps.complete(
        "kita_leitung",
        case["id"],
        "abschluss",
        {"abschlussvermerk": "Keine Anhaltspunkte.", "ergebnis": "keine_gewichtigen_anhaltspunkte"},
    )
    closed = steps.view("kita_leitung", case["id"])
    assert closed["status"] == "abgeschlossen" and closed["links"] == []
    assert [h["task"] for h in closed["history"]] == ["anhaltspunkte_dokumentieren", "leitung_informieren", "abschluss"]
    assert [h["completed_by"] for h in closed["history"]] == ["kita_fk", "kita_leitung", "kita_leitung"]
    # The collector on the simplest path, checked by hand against traeger_8a.bpmn: exactly these flows.
    assert path_coverage.flows_taken_by(KEY, request.node.nodeid) == [
        "Flow_start",
        "Flow_dokumentiert",
        "Flow_akut_nein",
        "Flow_leitung",
        "Flow_gewichtig_nein",
        "Flow_zum_abschluss",
        "Flow_ende",
    ]


def test_insofa_keine_kwg(steps, case):
    _beraten(steps, case["id"], "keine_kwg")
    assert list(steps.open_tasks("kita_leitung", case["id"])) == ["abschluss"]
    steps.complete("kita_leitung", case["id"], "abschluss", {"abschlussvermerk": "Keine KWG.", "ergebnis": "keine_kwg"})
    closed = steps.view("kita_leitung", case["id"])
    assert closed["status"] == "abgeschlossen" and closed["links"] == []
    assert steps.history("kita_leitung", case["id"]) == [
        "anhaltspunkte_dokumentieren",
        "leitung_informieren",
        "insofa_beratung",
        "abschluss",
    ]


def test_hilfebedarf_schutzplan_weiter_beobachten_then_wirksam(steps, world, case, clock):
    _hilfe_angenommen_mit_schutzplan(steps, case["id"], "hilfebedarf")
    assert steps.open_tasks("kita_leitung", case["id"]) == {}  # the timer waits for the review day
    clock.set(datetime(2026, 3, 16, 7, 59, tzinfo=BERLIN))
    assert not any("timer" in line for line in world.engine.run_due())

    _review_due(world, clock, "2026-03-16")
    first = steps.open_tasks("kita_leitung", case["id"])["schutzplan_ueberpruefen"]
    with pytest.raises(NotAllowed):  # the review is the Leitung's
        world.engine.complete_task(world["kita_fk"], first["id"], {"wirksam": "ja", "vermerk": "x"})
    steps.complete(
        "kita_leitung",
        case["id"],
        "schutzplan_ueberpruefen",
        {
            "wirksam": "weiter_beobachten",
            "vermerk": "Besser, noch nicht stabil.",
            "naechste_ueberpruefung_am": "2026-04-13",
        },
    )
    assert steps.open_tasks("kita_leitung", case["id"]) == {}

    _review_due(world, clock, "2026-04-13")
    second = steps.open_tasks("kita_leitung", case["id"])["schutzplan_ueberpruefen"]
    assert second["id"] != first["id"]
    steps.complete("kita_leitung", case["id"], "schutzplan_ueberpruefen", {"wirksam": "ja", "vermerk": "Stabil."})
    steps.complete(
        "kita_leitung", case["id"], "abschluss", {"abschlussvermerk": "Hilfe läuft.", "ergebnis": "hilfe_laeuft"}
    )
    closed = steps.view("kita_leitung", case["id"])
    assert closed["status"] == "abgeschlossen" and closed["links"] == []
    assert [h for h in steps.history("kita_leitung", case["id"]) if h != "frist_klaeren"][-5:] == [
        "beteiligung_familie",
        "schutzplan_vereinbaren",
        "schutzplan_ueberpruefen",
        "schutzplan_ueberpruefen",
        "abschluss",
    ]


def test_kwg_abwendbar_schutzplan_nicht_wirksam_meldung_and_rueckmeldung(steps, world, case, clock):
    _hilfe_angenommen_mit_schutzplan(steps, case["id"], "kwg_abwendbar", ueberpruefung_am="2026-03-09")
    _review_due(world, clock, "2026-03-09")
    steps.complete(
        "kita_leitung",
        case["id"],
        "schutzplan_ueberpruefen",
        {"wirksam": "nein", "vermerk": "Termine nicht wahrgenommen."},
    )
    assert list(steps.open_tasks("kita_leitung", case["id"])) == ["meldung_jugendamt"]
    ja_id = _melden_und_rueckmeldung(steps, world, case["id"], bestaetigt=True, taetig=True)
    closed = _zur_kenntnis_und_abschluss(steps, case["id"])
    assert [h for h in steps.history("kita_leitung", case["id"]) if h != "frist_klaeren"][-5:] == [
        "schutzplan_ueberpruefen",
        "meldung_jugendamt",
        "rueckmeldung_8a",
        "rueckmeldung_zur_kenntnis",
        "abschluss",
    ]
    assert closed["links"] == [
        {"case_id": ja_id, "reference": closed["links"][0]["reference"], "relation": "meldung_an"}
    ]
    _close_ja(steps, ja_id)


def test_hilfe_abgelehnt_leads_to_meldung(steps, world, case):
    _beraten(steps, case["id"], "hilfebedarf")
    steps.complete(
        "kita_fk",
        case["id"],
        "beteiligung_familie",
        {
            "eltern_einbezogen": True,
            "kind_einbezogen": False,
            "grund_keine_beteiligung": "alter_reife",
            "ergebnis": "hilfe_abgelehnt",
        },
    )
    assert list(steps.open_tasks("kita_leitung", case["id"])) == ["meldung_jugendamt"]
    ja_id = _melden_und_rueckmeldung(steps, world, case["id"], bestaetigt=False, taetig=True)
    _zur_kenntnis_und_abschluss(steps, case["id"])
    _close_ja(steps, ja_id)


def test_kwg_nicht_abwendbar_leads_to_meldung_directly(steps, world, case):
    _beraten(steps, case["id"], "kwg_nicht_abwendbar")
    assert list(steps.open_tasks("kita_leitung", case["id"])) == ["meldung_jugendamt"]
    ja_id = _melden_und_rueckmeldung(steps, world, case["id"], bestaetigt=False, taetig=False)
    [sent] = steps.trail("kita_revision", case["id"], "message.sent")
    assert sent["payload"]["message"] == "meldung_8a"
    assert {k: sent["payload"]["payload"][k] for k in MELDUNG} == MELDUNG
    assert sent["payload"]["payload"]["melder_typ"] == "traeger" and sent["payload"]["payload"]["insofa_beteiligt"]
    _zur_kenntnis_und_abschluss(steps, case["id"])
    assert steps.history("kita_leitung", case["id"]) == [
        "anhaltspunkte_dokumentieren",
        "leitung_informieren",
        "insofa_beratung",
        "meldung_jugendamt",
        "rueckmeldung_8a",
        "rueckmeldung_zur_kenntnis",
        "abschluss",
    ]
    _close_ja(steps, ja_id)


def _sofortmeldung(steps, world, case_id):
    _documented(steps, case_id, akute_gefahr=True)
    assert list(steps.open_tasks("kita_leitung", case_id)) == ["sofortmeldung_jugendamt"]
    steps.complete("kita_leitung", case_id, "sofortmeldung_jugendamt", SOFORTMELDUNG)
    assert list(steps.open_tasks("kita_leitung", case_id)) == ["meldebogen_nachreichen"]
    ja_id = steps.linked_case("kita_leitung", case_id)
    assert steps.task("goch_fk", ja_id, "eingang_erfassen")["data"]["kanal"] == "meldung_traeger"
    return ja_id


def test_sofortmeldung_meldebogen_before_rueckmeldung(steps, world, case):
    ja_id = _sofortmeldung(steps, world, case["id"])
    steps.complete("kita_leitung", case["id"], "meldebogen_nachreichen", MELDEBOGEN)
    assert steps.open_tasks("kita_leitung", case["id"]) == {}  # the join waits for the Rückmeldung
    ja = steps.view("goch_fk", ja_id)
    assert ja["history"][-1]["task"] == "meldebogen_8a"
    assert ja["messages"][-1]["payload"] == MELDEBOGEN

    prefilled = steps.task("goch_fk", ja_id, "eingang_erfassen")["data"]
    steps.ja_eingang(ja_id, {**prefilled, "meldende_stelle": "kita_kindertagespflege"})
    assert steps.task("goch_fk", ja_id, "ersteinschaetzung")["data"] == {"dringlichkeit": "rot"}  # akut
    steps.ja_ersteinschaetzung(ja_id, gewichtige=False, dringlichkeit="rot")
    steps.ja_rueckmeldung(ja_id, anhaltspunkte_bestaetigt=True, ja_taetig=True)
    _assert_rueckmeldung(steps, case["id"], bestaetigt=True, taetig=True)
    closed = _zur_kenntnis_und_abschluss(steps, case["id"])
    assert [h["task"] for h in closed["history"]] == [
        "anhaltspunkte_dokumentieren",
        "sofortmeldung_jugendamt",
        "meldebogen_nachreichen",
        "rueckmeldung_8a",
        "rueckmeldung_zur_kenntnis",
        "abschluss",
    ]
    _close_ja(steps, ja_id)


def test_sofortmeldung_rueckmeldung_before_meldebogen(steps, world, case, path_coverage, request):
    ja_id = _sofortmeldung(steps, world, case["id"])
    steps.ja_kurz_bis_rueckmeldung(
        ja_id, meldende_stelle="kita_kindertagespflege", anhaltspunkte_bestaetigt=True, ja_taetig=True
    )
    _assert_rueckmeldung(steps, case["id"], bestaetigt=True, taetig=True)
    # The Rückmeldung waits at the join: the written Meldebogen is still owed, nothing to acknowledge yet.
    assert list(steps.open_tasks("kita_leitung", case["id"])) == ["meldebogen_nachreichen"]
    _close_ja(steps, ja_id)

    steps.complete("kita_leitung", case["id"], "meldebogen_nachreichen", MELDEBOGEN)
    assert list(steps.open_tasks("kita_leitung", case["id"])) == ["rueckmeldung_zur_kenntnis"]
    ja = steps.view("goch_fk", ja_id)
    assert ja["history"][-1]["task"] == "meldebogen_8a" and ja["messages"][-1]["payload"] == MELDEBOGEN
    _zur_kenntnis_und_abschluss(steps, case["id"])
    # Both branches reached the parallel join: the waiting one is recorded before the join fires.
    taken = path_coverage.flows_taken_by(KEY, request.node.nodeid)
    assert {"Flow_meldebogen_gesendet", "Flow_sofort_rueckmeldung", "Flow_sofort_join"} <= set(taken)
    assert "Flow_akut_nein" not in taken and "Flow_gemeldet" not in taken


def test_every_sequence_flow_of_traeger_8a_is_taken(path_coverage, request):
    check_module_coverage(path_coverage, KEY, request)
