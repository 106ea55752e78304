"""traeger_8a version 2 (§ 8a Abs. 4 SGB VIII; issue 12 item 1): every gateway branch through the
engine's public entry point. New against version 1: the Leitung writes a Fallschilderung for the
consultation that names nobody — the engine refuses one with the child's or a parent's name, street or
birth date, and the insoweit erfahrene Fachkraft sees that text, the child's age and gender and the
organisation, nothing else (R09); the insofa advises, the **Leitung decides** what follows (R11); a
Meldung only when the Leitung finds the danger cannot otherwise be averted, or at once when it is
acute — help refused after a mere Hilfebedarf returns to the Leitung's decision (R27).

Together these tests take every sequence flow of version 2; the last test checks that with the
path-coverage collector (tests/process/coverage.py).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.clock import BERLIN
from engine.errors import NotAllowed
from tests.process.coverage import check_module_coverage, model_name
from tests.process.test_paths_traeger_8a import MELDEBOGEN, MELDUNG, SOFORTMELDUNG
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG

KEY = "traeger_8a"
LEITUNG_JA = {
    "gewichtige_anhaltspunkte": True,
    "einschaetzung_leitung": "Gewichtig, Beratung nötig. Mia wirkt seit der Trennung der Eltern verstört.",
    "fallschilderung": FALLSCHILDERUNG,
}
BERATUNG = {"beratung_am": "2026-03-02", "empfehlung": "Gespräch mit den Eltern, Erziehungsberatung anbieten."}
BETEILIGT = {"eltern_einbezogen": True, "kind_einbezogen": True, "gespraech_am": "2026-03-02"}


@pytest.fixture
def case(steps, child):
    case = steps.open("kita_fk", KEY, {**child, "geschlecht": "weiblich"})
    assert case["process"]["version"] == 2
    return case


def _beraten(steps, case_id: int, einschaetzung: str, dissens: str | None = None) -> None:
    steps.complete("kita_fk", case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    steps.complete("kita_leitung", case_id, "leitung_informieren", LEITUNG_JA)
    values = {**BERATUNG, "einschaetzung": einschaetzung, **({"dissens": dissens} if dissens else {})}
    steps.complete("insofa_kleve", case_id, "insofa_beratung", values)


def _entscheiden(steps, case_id: int, vorgehen: str, begruendung: str = "Nach der Beratung.") -> None:
    """The Leitung's decision; the Fachkraft may not take it (lane leitung)."""
    task = steps.open_tasks("kita_leitung", case_id)["vorgehen_festlegen"]
    with pytest.raises(NotAllowed):
        steps.engine.complete_task(steps.world["kita_fk"], task["id"], {"vorgehen": vorgehen, "begruendung": "x"})
    steps.complete("kita_leitung", case_id, "vorgehen_festlegen", {"vorgehen": vorgehen, "begruendung": begruendung})


def _abschluss(steps, case_id: int, ergebnis: str) -> dict:
    steps.complete(
        "kita_leitung", case_id, "abschluss", {"abschlussvermerk": "Verfahren beendet.", "ergebnis": ergebnis}
    )
    closed = steps.view("kita_leitung", case_id)
    assert closed["status"] == "abgeschlossen" and closed["open_tasks"] == []
    return closed


def _review_due(world, clock, day: str) -> None:
    clock.set(datetime.fromisoformat(f"{day}T08:00:01").replace(tzinfo=BERLIN))
    assert any(line.endswith("timer fired") for line in world.engine.run_due())


def test_the_fallschilderung_names_nobody_and_is_all_the_insofa_reads(steps, case):
    cid = case["id"]
    steps.complete("kita_fk", cid, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    # Gewichtige Anhaltspunkte need a Fallschilderung for the consultation ...
    without = {k: v for k, v in LEITUNG_JA.items() if k != "fallschilderung"}
    assert list(steps.refused("kita_leitung", cid, "leitung_informieren", without)) == ["fallschilderung"]
    # ... that names nobody: the child's names, street and birth date in any spelling are refused (R09),
    # the message names the kind of datum, never the datum.
    for text, kind in (
        ("Mia kommt hungrig in die Kita.", "Vornamen des Kindes"),
        ("Das Kind (BEISPIELKIND) wirkt verängstigt.", "Nachnamen des Kindes"),
        ("Die Familie wohnt am Markt 1 in Goch.", "Straße"),
        ("Geboren am 17.5.2020, wirkt jünger.", "Geburtsdatum"),
    ):
        values = {**LEITUNG_JA, "fallschilderung": text}
        [message] = steps.refused("kita_leitung", cid, "leitung_informieren", values)["fallschilderung"]
        assert "Fallschilderung für die Beratung" in message and kind in message, message
        assert not any(datum in message for datum in ("Mia", "Beispielkind", "Markt", "2020")), message
    steps.complete("kita_leitung", cid, "leitung_informieren", LEITUNG_JA)

    # The insofa's step: the Fallschilderung, age, gender and organisation — nothing that identifies,
    # nothing else the Träger documented (its observations, the Leitung's own assessment).
    task = steps.task("insofa_kleve", cid, "insofa_beratung")
    assert task["beratung"] == {"alter_jahre": 5, "geschlecht": "weiblich", "einrichtung": "Kita Regenbogen Kevelaer"}
    [entry] = task["basis"]
    assert entry["task"] == "leitung_informieren"
    assert {name: v["value"] for name, v in entry["values"].items()} == {"fallschilderung": FALLSCHILDERUNG}
    seen = str(task) + str(steps.view("insofa_kleve", cid))
    for secret in ("Mia", "Beispielkind", "Markt 1", "2020-05-17", "Blaue Flecken", "Trennung der Eltern"):
        assert secret not in seen, secret
    # The Träger's own people see the whole Leitung entry; the insofa's case view has the same facts.
    assert steps.view("insofa_kleve", cid)["beratung"] == task["beratung"]
    assert "child" not in steps.view("insofa_kleve", cid) and "beratung" not in steps.view("kita_leitung", cid)


def test_the_leitung_decides_against_the_insofa_no_danger_then_closed(steps, case, path_coverage, request):
    cid = case["id"]
    _beraten(steps, cid, "kwg_nicht_abwendbar")
    # The insofa's Einschätzung does not route (R11): the Leitung's decision is next, with the
    # consultation's result shown above her form.
    assert list(steps.open_tasks("kita_leitung", cid)) == ["vorgehen_festlegen"]
    decision = steps.task("kita_leitung", cid, "vorgehen_festlegen")
    beratung = next(e for e in decision["basis"] if e["task"] == "insofa_beratung")
    assert beratung["values"]["einschaetzung"]["value"] == "kwg_nicht_abwendbar"
    assert beratung["by_name"] and beratung["values"]["empfehlung"]["value"] == BERATUNG["empfehlung"]
    _entscheiden(steps, cid, "keine_gefaehrdung", "Die Verletzungen sind durch den Unfall beim Turnen erklärt.")
    closed = _abschluss(steps, cid, "keine_kwg")
    assert closed["links"] == []  # no Meldung although the insofa saw a danger: the Träger decides
    assert steps.history("kita_leitung", cid) == [
        "anhaltspunkte_dokumentieren",
        "leitung_informieren",
        "insofa_beratung",
        "vorgehen_festlegen",
        "abschluss",
    ]
    # exactly these flows (the collector lists them in document order)
    assert set(path_coverage.flows_taken_by(model_name(KEY, 2), request.node.nodeid)) == {
        "Flow_start",
        "Flow_dokumentiert",
        "Flow_akut_nein",
        "Flow_leitung",
        "Flow_gewichtig_ja",
        "Flow_beratung",
        "Flow_zum_vorgehen",
        "Flow_vorgehen",
        "Flow_vorgehen_keine",
        "Flow_zum_abschluss",
        "Flow_ende",
    }


def test_hilfebedarf_help_refused_returns_to_the_leitung_not_to_a_meldung(steps, case):
    cid = case["id"]
    _beraten(steps, cid, "hilfebedarf")
    _entscheiden(steps, cid, "hilfen_mit_familie")
    steps.complete("kita_fk", cid, "beteiligung_familie", {**BETEILIGT, "ergebnis": "hilfe_abgelehnt"})
    # R27: help refused after a mere Hilfebedarf is no reason to report — the Leitung decides again.
    assert list(steps.open_tasks("kita_leitung", cid)) == ["vorgehen_festlegen"]
    _entscheiden(steps, cid, "keine_gefaehrdung", "Hilfebedarf ohne Gefährdung; die Eltern lehnen Hilfe ab.")
    closed = _abschluss(steps, cid, "keine_kwg")
    assert closed["links"] == []
    assert steps.history("kita_leitung", cid)[-4:] == [
        "vorgehen_festlegen",
        "beteiligung_familie",
        "vorgehen_festlegen",
        "abschluss",
    ]


def test_no_danger_seen_by_the_insofa_the_leitung_works_with_the_family_schutzplan_wirksam(steps, world, case, clock):
    cid = case["id"]
    _beraten(steps, cid, "keine_kwg", dissens="Ich sehe keine Gefährdung, nur Belastung der Familie.")
    _entscheiden(steps, cid, "hilfen_mit_familie", "Wir sehen es anders als die Beratung: Hilfe ist nötig.")
    steps.complete("kita_fk", cid, "beteiligung_familie", {**BETEILIGT, "ergebnis": "hilfe_angenommen"})
    massnahmen = [{"was": "Erziehungsberatung wahrnehmen", "wer": "Eltern", "bis": "2026-03-13"}]
    steps.complete(
        "kita_fk", cid, "schutzplan_vereinbaren", {"massnahmen": massnahmen, "ueberpruefung_am": "2026-03-16"}
    )
    _review_due(world, clock, "2026-03-16")
    steps.complete("kita_leitung", cid, "schutzplan_ueberpruefen", {"wirksam": "ja", "vermerk": "Hilfe greift."})
    assert _abschluss(steps, cid, "hilfe_laeuft")["links"] == []


def test_schutzplan_observed_then_not_effective_the_leitung_reports(steps, world, case, clock):
    cid = case["id"]
    _beraten(steps, cid, "kwg_abwendbar")
    _entscheiden(steps, cid, "hilfen_mit_familie")
    steps.complete("kita_fk", cid, "beteiligung_familie", {**BETEILIGT, "ergebnis": "hilfe_angenommen"})
    massnahmen = [{"was": "Kinderarzt aufsuchen", "wer": "Mutter", "bis": "2026-03-06"}]
    steps.complete(
        "kita_fk", cid, "schutzplan_vereinbaren", {"massnahmen": massnahmen, "ueberpruefung_am": "2026-03-09"}
    )
    _review_due(world, clock, "2026-03-09")
    steps.complete(
        "kita_leitung",
        cid,
        "schutzplan_ueberpruefen",
        {"wirksam": "weiter_beobachten", "vermerk": "Teilweise umgesetzt.", "naechste_ueberpruefung_am": "2026-03-23"},
    )
    _review_due(world, clock, "2026-03-23")
    steps.complete("kita_leitung", cid, "schutzplan_ueberpruefen", {"wirksam": "nein", "vermerk": "Nicht umgesetzt."})
    # Not effective: the Leitung decides (R11, R27) — here that the danger cannot otherwise be averted.
    assert list(steps.open_tasks("kita_leitung", cid)) == ["vorgehen_festlegen"]
    _entscheiden(steps, cid, "meldung", "Schutzplan gescheitert; ohne das Jugendamt nicht abwendbar.")
    assert steps.task("kita_leitung", cid, "meldung_jugendamt")["data"] == {"insofa_beteiligt": True}
    steps.complete("kita_leitung", cid, "meldung_jugendamt", MELDUNG)
    ja_id = steps.linked_case("kita_leitung", cid)
    ja = steps.view("goch_fk", ja_id)
    assert ja["process"] == {"key": "jugendamt_8a", "version": 2, "title": ja["process"]["title"]}
    assert FALLSCHILDERUNG not in str(ja) and "Schutzplan gescheitert" not in str(ja)  # internal, stays
    steps.ja_kurz_bis_rueckmeldung(
        ja_id, meldende_stelle="kita_kindertagespflege", anhaltspunkte_bestaetigt=True, ja_taetig=True
    )
    steps.complete("kita_leitung", cid, "rueckmeldung_zur_kenntnis", {"vermerk": "Zur Kenntnis genommen."})
    assert _abschluss(steps, cid, "an_jugendamt_uebergeben")["links"][0]["case_id"] == ja_id


def test_keine_gewichtigen_anhaltspunkte_no_fallschilderung_needed(steps, case):
    cid = case["id"]
    steps.complete("kita_fk", cid, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    steps.complete(
        "kita_leitung",
        cid,
        "leitung_informieren",
        {"gewichtige_anhaltspunkte": False, "einschaetzung_leitung": "Durch einen Sturz erklärt."},
    )
    assert _abschluss(steps, cid, "keine_gewichtigen_anhaltspunkte")["links"] == []


def test_dringende_gefahr_sofortmeldung_then_meldebogen_and_rueckmeldung(steps, case):
    cid = case["id"]
    steps.complete("kita_fk", cid, "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": True})
    form = steps.task("kita_leitung", cid, "sofortmeldung_jugendamt")["form"]
    assert "dringender Gefahr" in form["description"]
    steps.complete("kita_leitung", cid, "sofortmeldung_jugendamt", SOFORTMELDUNG)
    ja_id = steps.linked_case("kita_leitung", cid)
    steps.complete("kita_leitung", cid, "meldebogen_nachreichen", MELDEBOGEN)
    prefilled = steps.task("goch_fk", ja_id, "eingang_erfassen")["data"]
    steps.ja_eingang(ja_id, {**prefilled, "meldende_stelle": "kita_kindertagespflege"})
    steps.ja_ersteinschaetzung(ja_id, gewichtige=False, dringlichkeit="rot")
    steps.ja_rueckmeldung(ja_id, anhaltspunkte_bestaetigt=True, ja_taetig=True)
    steps.complete("kita_leitung", cid, "rueckmeldung_zur_kenntnis", {"vermerk": "Zur Kenntnis genommen."})
    assert _abschluss(steps, cid, "an_jugendamt_uebergeben")["links"][0]["case_id"] == ja_id


def test_every_sequence_flow_of_traeger_8a_v2_is_taken(path_coverage, request):
    check_module_coverage(path_coverage, KEY, request, version=2)
