"""kkg4 (§ 4 KKG, Berufsgeheimnisträger): every gateway branch through the engine's public entry point.

Together these tests take every sequence flow of the process; the last test checks that with the
path-coverage collector (tests/process/coverage.py).
"""

from __future__ import annotations

import pytest

from engine.errors import NotFound
from tests.process.coverage import check_module_coverage
from tests.support.cases import BEOBACHTUNG

#: version 1 stays deployed for the cases running on it: its paths stay tested (tests/process/
#: test_paths_kkg4_v2.py has version 2's)
pytestmark = pytest.mark.shipped_up_to(1)

KEY = "kkg4"
MITTEILUNG = {
    "mitteilung_beabsichtigt": True,
    "betroffene_vorab_informiert": False,
    "grund_nicht_informiert": "Information der Mutter würde das Kind gefährden.",
    "zusammenfassung": "Striemen am Rücken, Kind berichtet von Schlägen.",
    "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
}


@pytest.fixture
def case(steps, child):
    case = steps.open("lehrerin", KEY, child)
    assert case["process"]["key"] == KEY and case["jugendamt"]["key"] == "ja-goch"
    return case


def _documented(steps, case_id, *, gesundheitsberuf, akute_gefahr):
    steps.complete(
        "lehrerin",
        case_id,
        "anhaltspunkte_dokumentieren",
        {**BEOBACHTUNG, "gesundheitsberuf": gesundheitsberuf, "akute_gefahr": akute_gefahr},
    )


def _insofa(steps, world, case_id, einschaetzung, child):
    offered = [t for t in world.engine.tasks(world["insofa_kleve2"]).rows if t["case_id"] == case_id]
    assert [t["task"] for t in offered] == ["insofa_beratung"]
    view = world.engine.task(world["insofa_kleve2"], offered[0]["id"])
    assert child["nachname"] not in str(view) and child["vorname"] not in str(view)  # § 4 Abs. 2 KKG
    world.engine.complete_task(
        world["insofa_kleve2"],
        offered[0]["id"],
        {"beratung_am": "2026-03-02", "einschaetzung": einschaetzung, "empfehlung": "Siehe Beratungsprotokoll."},
    )


def _abschluss(steps, case_id):
    steps.complete("lehrerin", case_id, "abschluss", {"abschlussvermerk": "Vorgang beendet."})
    closed = steps.view("lehrerin", case_id)
    assert closed["status"] == "abgeschlossen" and closed["closed_at"] and closed["open_tasks"] == []
    return closed


def test_heilberuf_in_akuter_gefahr_teilt_direkt_mit(steps, world, case, revision):
    _documented(steps, case["id"], gesundheitsberuf=True, akute_gefahr=True)
    assert list(steps.open_tasks("lehrerin", case["id"])) == ["mitteilung_jugendamt"]  # § 4 Abs. 3 S. 3 KKG
    result = steps.complete("lehrerin", case["id"], "mitteilung_jugendamt", MITTEILUNG)
    assert result.status == "offen" and result.open_tasks == ()

    ja_id = steps.linked_case("lehrerin", case["id"])
    ja = steps.view("goch_fk", ja_id)
    assert ja["process"]["key"] == "jugendamt_8a" and [(lk["case_id"], lk["relation"]) for lk in ja["links"]] == [
        (case["id"], "meldung_von")
    ]
    eingang = steps.task("goch_fk", ja_id, "eingang_erfassen")["data"]
    assert eingang == {
        "kanal": "meldung_kkg4",
        "anonym": False,
        "inhalt": MITTEILUNG["zusammenfassung"],
        "eingegangen_am": "2026-03-02T08:00:00+00:00",
    }  # when the Mitteilung was transmitted
    [sent] = steps.trail("schule_revision", case["id"], "message.sent")
    transmitted = sent["payload"]["payload"]
    assert transmitted["melder_typ"] == "kkg4" and transmitted["melder"]["organisation"] == "schule-goch"
    assert "Striemen" in transmitted["zusammenfassung"] and "Blaue Flecken" not in str(transmitted)

    steps.ja_kurz_bis_rueckmeldung(ja_id, meldende_stelle="schule", anhaltspunkte_bestaetigt=True, ja_taetig=True)
    [received] = steps.trail("schule_revision", case["id"], "message.received")
    assert received["payload"]["payload"] == {"anhaltspunkte_bestaetigt": True, "ja_taetig": True}
    assert list(steps.open_tasks("lehrerin", case["id"])) == ["rueckmeldung_zur_kenntnis"]
    steps.complete("lehrerin", case["id"], "rueckmeldung_zur_kenntnis", {"vermerk": "Jugendamt ist tätig."})
    closed = _abschluss(steps, case["id"])
    assert [h["task"] for h in closed["history"]] == [
        "anhaltspunkte_dokumentieren",
        "mitteilung_jugendamt",
        "rueckmeldung_8a",
        "rueckmeldung_zur_kenntnis",
        "abschluss",
    ]
    ja = steps.ja_abschluss(ja_id)
    assert ja["status"] == "abgeschlossen" and "rueckmeldung_melder" in [h["task"] for h in ja["history"]]


def test_gespraech_wendet_gefaehrdung_ab(steps, world, case):
    _documented(steps, case["id"], gesundheitsberuf=True, akute_gefahr=False)  # Heilberuf, nicht akut
    assert list(steps.open_tasks("lehrerin", case["id"])) == ["gespraech_familie"]
    with pytest.raises(NotFound):  # the Jugendamt does not even see a case that was not reported
        world.engine.complete_task(
            world["goch_fk"], steps.open_tasks("lehrerin", case["id"])["gespraech_familie"]["id"], {}
        )
    steps.complete(
        "lehrerin", case["id"], "gespraech_familie", {"gefuehrt": True, "ergebnis": "gefaehrdung_abgewendet"}
    )
    assert list(steps.open_tasks("lehrerin", case["id"])) == ["abschluss"]
    closed = _abschluss(steps, case["id"])
    assert [h["task"] for h in closed["history"]] == ["anhaltspunkte_dokumentieren", "gespraech_familie", "abschluss"]
    assert closed["links"] == []


def test_insofa_sieht_keine_kwg(steps, world, case, child):
    _documented(steps, case["id"], gesundheitsberuf=False, akute_gefahr=True)  # akut, aber kein Heilberuf
    assert list(steps.open_tasks("lehrerin", case["id"])) == ["gespraech_familie"]
    steps.complete(
        "lehrerin",
        case["id"],
        "gespraech_familie",
        {"gefuehrt": False, "grund_nicht_gefuehrt": "Eltern nicht erreichbar.", "ergebnis": "hilfe_angenommen"},
    )
    _insofa(steps, world, case["id"], "keine_kwg", child)
    closed = _abschluss(steps, case["id"])
    assert [h["task"] for h in closed["history"]] == [
        "anhaltspunkte_dokumentieren",
        "gespraech_familie",
        "insofa_beratung",
        "abschluss",
    ]
    assert closed["links"] == []


def test_mitteilung_nicht_beabsichtigt(steps, world, case, child):
    _documented(steps, case["id"], gesundheitsberuf=False, akute_gefahr=False)
    steps.complete("lehrerin", case["id"], "gespraech_familie", {"gefuehrt": True, "ergebnis": "nicht_abgewendet"})
    _insofa(steps, world, case["id"], "kwg_nicht_abwendbar", child)
    assert list(steps.open_tasks("lehrerin", case["id"])) == ["mitteilung_jugendamt"]
    steps.complete(
        "lehrerin",
        case["id"],
        "mitteilung_jugendamt",
        {**MITTEILUNG, "mitteilung_beabsichtigt": False, "betroffene_vorab_informiert": True},
    )
    # § 4 Abs. 3 KKG is a power, not a duty: no Meldung, no Jugendamt case, straight to Abschluss.
    assert list(steps.open_tasks("lehrerin", case["id"])) == ["abschluss"]
    assert world.engine.cases(world["goch_fk"]).rows == []
    closed = _abschluss(steps, case["id"])
    assert closed["links"] == []
    assert [h["task"] for h in closed["history"]][-2:] == ["mitteilung_jugendamt", "abschluss"]


def test_every_sequence_flow_of_kkg4_is_taken(path_coverage, request):
    check_module_coverage(path_coverage, KEY, request)
