"""jugendamt_8a (§ 8a Abs. 1–3, 6 SGB VIII; LKSG NRW § 5): every gateway branch through the engine's
public entry point — opened directly by the Jugendamt or by a Meldung, the Mehraugenprinzip on both
confirmations (and their "not confirmed → back" loops), Maßnahmen with and without Inobhutnahme and
Familiengericht (Leitung lane), the Rückmeldung only for a case that came from a Meldung.

Together these tests take every sequence flow of the process; the last test checks that with the
path-coverage collector (tests/process/coverage.py). They test version 1, which stays deployed for the
cases running on it (pinned: new cases here start on version 1); version 2 has test_paths_jugendamt_8a_v2.py.
"""

from __future__ import annotations

import pytest

from engine.errors import NotAllowed, ValidationFailed
from tests.process.conftest import EINGANG, ERSTEINSCHAETZUNG, STATISTIK
from tests.process.coverage import check_module_coverage
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG

pytestmark = pytest.mark.shipped_up_to(1)

KEY = "jugendamt_8a"
UNMITTELBARER_EINDRUCK = {
    "art": "hausbesuch",
    "datum": "2026-03-02T08:30:00+01:00",
    "kind_gesehen": True,
    "beobachtungen": "Wohnung verwahrlost, Kind wirkt verängstigt.",
}
BETEILIGUNG = {
    "eltern_beteiligt": True,
    "kind_beteiligt": True,
    "melder_beteiligt": False,
    "grund_keine_beteiligung": "sonstiges",
    "grund_text": "Anonymer Hinweis, meldende Person unbekannt.",
}
# Dates of what happened lie before the FakeClock (2026-03-02 09:00): both fields are `nicht_in_zukunft`.
INOBHUTNAHME = {
    "beginn": "2026-03-02T08:50:00+01:00",
    "rechtsgrundlage": "dringende_gefahr",
    "unterbringung": "Bereitschaftspflegefamilie im Kreis Kleve",
    "kind_informiert": True,
    "sorgeberechtigte_informiert": True,
    "widerspruch": "ja",
    "freiheitsentziehung": False,
    "begruendung": "Dringende Gefahr, Eltern widersprechen.",
}
FAMILIENGERICHT = {
    "angerufen_am": "2026-03-02",
    "gericht": "Amtsgericht Goch – Familiengericht",
    "anlass": "widerspruch_inobhutnahme",
    "eilantrag": True,
    "begruendung": "Eltern widersprechen der Inobhutnahme (§ 42 Abs. 3 SGB VIII).",
}


def _direct(steps, child, **eingang):
    """A report received by phone: the Jugendamt opens the case itself (no Meldung, meldung = None)."""
    case = steps.open("goch_fk", KEY, child)
    assert case["process"]["key"] == KEY and case["links"] == []
    assert case["organisation"] == case["jugendamt"] and case["jugendamt"]["key"] == "ja-goch"  # its own case
    assert steps.task("goch_fk", case["id"], "eingang_erfassen")["data"] == {}  # nothing to prefill
    steps.ja_eingang(case["id"], {**EINGANG, **eingang})
    return case


def _eindruck_und_beteiligung(steps, case_id, beteiligung=BETEILIGUNG):
    steps.complete("goch_fk", case_id, "unmittelbarer_eindruck", UNMITTELBARER_EINDRUCK)
    steps.complete("goch_fk", case_id, "beteiligung", beteiligung)


def _massnahmen(steps, case_id, *, inobhutnahme, familiengericht):
    steps.complete(
        "goch_fk",
        case_id,
        "massnahmen_festlegen",
        {
            "schutzplan": not inobhutnahme,
            "hilfeangebot": "hze_27_35a",
            "familiengericht": familiengericht,
            "inobhutnahme": inobhutnahme,
            "polizei_gesundheit": False,
        },
    )


def _tasks(view):
    return [h["task"] for h in view["history"]]


def test_direct_report_with_both_loops_inobhutnahme_and_familiengericht(steps, world, child):
    case = _direct(steps, child, anonym=True, meldende_stelle="anonym")
    cid = case["id"]

    # Ersteinschätzung: a second Fachkraft confirms; the author may not — and a refusal sends it back.
    steps.complete("goch_fk", cid, "ersteinschaetzung", {**ERSTEINSCHAETZUNG, "gewichtige_anhaltspunkte": True})
    check = steps.open_tasks("goch_fk", cid)["ersteinschaetzung_bestaetigen"]
    assert check["may_complete"] is False
    with pytest.raises(NotAllowed) as refused:
        world.engine.complete_task(world["goch_fk"], check["id"], {"bestaetigt": True})
    assert "Mehraugenprinzip" in refused.value.detail
    steps.complete(
        "goch_fk2",
        cid,
        "ersteinschaetzung_bestaetigen",
        {"bestaetigt": False, "anmerkung": "Dringlichkeit zu niedrig."},
    )
    assert list(steps.open_tasks("goch_fk", cid)) == ["ersteinschaetzung"]
    steps.complete(
        "goch_fk",
        cid,
        "ersteinschaetzung",
        {**ERSTEINSCHAETZUNG, "dringlichkeit": "rot", "gewichtige_anhaltspunkte": True},
    )
    steps.complete("goch_fk2", cid, "ersteinschaetzung_bestaetigen", {"bestaetigt": True})
    assert list(steps.open_tasks("goch_fk", cid)) == ["unmittelbarer_eindruck"]
    _eindruck_und_beteiligung(steps, cid)

    # Gefährdungseinschätzung: not confirmed → back; then confirmed by the second Fachkraft.
    steps.complete(
        "goch_fk",
        cid,
        "gefaehrdungseinschaetzung",
        {
            "ergebnis": "latente_kwg",
            "gefaehrdungsarten": ["vernachlaessigung"],
            "gefaehrdung_durch": ["mutter"],
            "tatsachen": "Kühlschrank leer, Kind unterernährt.",
        },
    )
    steps.complete(
        "goch_fk2", cid, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": False, "anmerkung": "Akut."}
    )
    assert list(steps.open_tasks("goch_fk", cid)) == ["gefaehrdungseinschaetzung"]
    steps.complete(
        "goch_fk",
        cid,
        "gefaehrdungseinschaetzung",
        {
            "ergebnis": "akute_kwg",
            "gefaehrdungsarten": ["vernachlaessigung", "koerperliche_misshandlung"],
            "gefaehrdung_durch": ["mutter", "stiefelternteil_partner"],
            "tatsachen": "Zusätzlich Hämatome.",
        },
    )
    with pytest.raises(NotAllowed):
        world.engine.complete_task(
            world["goch_fk"],
            steps.open_tasks("goch_fk", cid)["gefaehrdungseinschaetzung_bestaetigen"]["id"],
            {"bestaetigt": True},
        )
    steps.complete("goch_fk2", cid, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": True})

    # Maßnahmen with Inobhutnahme and Familiengericht: both documented by the Leitung.
    _massnahmen(steps, cid, inobhutnahme=True, familiengericht=True)
    obhut = steps.open_tasks("goch_leitung", cid)["inobhutnahme_dokumentieren"]
    with pytest.raises(NotAllowed, match="Leitung|Rolle"):
        world.engine.complete_task(world["goch_fk"], obhut["id"], INOBHUTNAHME)
    steps.complete("goch_leitung", cid, "inobhutnahme_dokumentieren", INOBHUTNAHME)
    assert list(steps.open_tasks("goch_leitung", cid)) == ["anrufung_familiengericht"]
    steps.complete("goch_leitung", cid, "anrufung_familiengericht", FAMILIENGERICHT)

    # Opened directly: no Rückmeldung, straight to the statistics (a statistics case) and the Abschluss.
    assert list(steps.open_tasks("goch_fk", cid)) == ["statistik_erfassen"]
    statistik = steps.task("goch_fk", cid, "statistik_erfassen")["data"]
    assert statistik["ergebnis"] == "akute_kwg" and statistik["massnahme_42"] is True
    assert statistik["meldende_stelle"] == "anonym"
    steps.complete("goch_fk", cid, "statistik_erfassen", STATISTIK)
    with pytest.raises(NotAllowed):
        steps.complete("goch_fk", cid, "abschluss", {"abschlussvermerk": "x"})  # Leitung lane
    assert steps.task("goch_leitung", cid, "abschluss")["data"] == {"ergebnis": "akute_kwg"}
    closed = steps.ja_abschluss(cid)
    assert closed["status"] == "abgeschlossen" and closed["links"] == []
    assert _tasks(closed) == [
        "eingang_erfassen",
        "ersteinschaetzung",
        "ersteinschaetzung_bestaetigen",
        "ersteinschaetzung",
        "ersteinschaetzung_bestaetigen",
        "unmittelbarer_eindruck",
        "beteiligung",
        "gefaehrdungseinschaetzung",
        "gefaehrdungseinschaetzung_bestaetigen",
        "gefaehrdungseinschaetzung",
        "gefaehrdungseinschaetzung_bestaetigen",
        "massnahmen_festlegen",
        "inobhutnahme_dokumentieren",
        "anrufung_familiengericht",
        "statistik_erfassen",
        "abschluss",
    ]
    assert [h["completed_by"] for h in closed["history"]][-4:] == [
        "goch_leitung",
        "goch_leitung",
        "goch_fk",
        "goch_leitung",
    ]


def test_direct_report_without_gewichtige_anhaltspunkte(steps, child):
    case = _direct(steps, child)
    steps.ja_ersteinschaetzung(case["id"], gewichtige=False, dringlichkeit="gruen")
    # No statistics case (§ 99 Abs. 6 SGB VIII) and, without a Meldung, nobody to report back to.
    assert list(steps.open_tasks("goch_leitung", case["id"])) == ["abschluss"]
    assert steps.task("goch_leitung", case["id"], "abschluss")["data"] == {
        "ergebnis": "keine_gewichtigen_anhaltspunkte"
    }
    closed = steps.ja_abschluss(case["id"])
    assert closed["status"] == "abgeschlossen"
    assert _tasks(closed) == ["eingang_erfassen", "ersteinschaetzung", "ersteinschaetzung_bestaetigen", "abschluss"]


def _mitteilung_kkg4(steps, child):
    """A school's § 4 KKG Mitteilung opens the case. On kkg4 version 1 the teacher says she belongs to a
    Heilberuf and goes straight to the Mitteilung in akuter Gefahr; version 2 knows a school is none (the
    organisation's kind tells it): the talk with the family (refused here) and the consultation come first."""
    kkg = steps.open("lehrerin", "kkg4", child)
    if kkg["process"]["version"] == 1:
        documented = {**BEOBACHTUNG, "akute_gefahr": True, "gesundheitsberuf": True}
        steps.complete("lehrerin", kkg["id"], "anhaltspunkte_dokumentieren", documented)
    else:
        steps.complete("lehrerin", kkg["id"], "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": True})
        gespraech = {
            "gefuehrt": False,
            "grund_nicht_gefuehrt": "Die Gefahr geht vom Vater aus.",
            "ergebnis": "nicht_abgewendet",
            "fallschilderung": FALLSCHILDERUNG,
        }
        steps.complete("lehrerin", kkg["id"], "gespraech_familie", gespraech)
        beratung = {"beratung_am": "2026-03-02", "einschaetzung": "kwg_nicht_abwendbar", "empfehlung": "Mitteilen."}
        steps.complete("insofa_kleve", kkg["id"], "insofa_beratung", beratung)
    steps.complete(
        "lehrerin",
        kkg["id"],
        "mitteilung_jugendamt",
        {
            "mitteilung_beabsichtigt": True,
            "betroffene_vorab_informiert": True,
            "zusammenfassung": "Striemen am Rücken.",
            "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
        },
    )
    return kkg["id"], steps.linked_case("lehrerin", kkg["id"])


def test_meldung_with_gewichtige_anhaltspunkte_gets_exactly_two_booleans_back(steps, world, child, revision):
    kkg_id, cid = _mitteilung_kkg4(steps, child)
    ja = steps.view("goch_fk", cid)
    assert ja["jugendamt"]["key"] == "ja-goch" and [(lk["case_id"], lk["relation"]) for lk in ja["links"]] == [
        (kkg_id, "meldung_von")
    ]
    steps.ja_eingang(cid, {"eingegangen_am": "2026-03-02T08:55:00+01:00", "meldende_stelle": "schule"})
    steps.ja_ersteinschaetzung(cid, gewichtige=True)
    _eindruck_und_beteiligung(steps, cid, {"eltern_beteiligt": True, "kind_beteiligt": True, "melder_beteiligt": True})
    steps.complete(
        "goch_fk",
        cid,
        "gefaehrdungseinschaetzung",
        {"ergebnis": "keine_kwg_hilfebedarf", "tatsachen": "Überforderung, keine Gefährdung."},
    )
    steps.complete("goch_leitung", cid, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": True})
    _massnahmen(steps, cid, inobhutnahme=False, familiengericht=False)
    assert list(steps.open_tasks("goch_fk", cid)) == ["rueckmeldung_melder"]  # neither Leitung task

    # § 64 Abs. 4 SGB VIII, § 4 Abs. 4 KKG: exactly the two booleans — anything else is refused.
    with pytest.raises(ValidationFailed) as extra:
        steps.complete(
            "goch_fk",
            cid,
            "rueckmeldung_melder",
            {"anhaltspunkte_bestaetigt": True, "ja_taetig": True, "ergebnis": "keine_kwg_hilfebedarf"},
        )
    assert "ergebnis" in extra.value.errors
    steps.ja_rueckmeldung(cid, anhaltspunkte_bestaetigt=True, ja_taetig=True)
    [sent] = steps.trail("goch_revision", cid, "message.sent")
    assert sent["payload"]["message"] == "rueckmeldung_8a"
    assert sent["payload"]["payload"] == {"anhaltspunkte_bestaetigt": True, "ja_taetig": True}
    [received] = steps.trail("schule_revision", kkg_id, "message.received")
    assert received["payload"]["payload"] == {"anhaltspunkte_bestaetigt": True, "ja_taetig": True}

    assert steps.task("goch_fk", cid, "statistik_erfassen")["data"]["meldende_stelle"] == "schule"
    steps.complete("goch_fk", cid, "statistik_erfassen", {**STATISTIK, "leistungen": ["leistung_27_35a"]})
    closed = steps.ja_abschluss(cid)
    assert closed["status"] == "abgeschlossen"
    assert _tasks(closed)[-4:] == ["massnahmen_festlegen", "rueckmeldung_melder", "statistik_erfassen", "abschluss"]

    # The Berufsgeheimnisträger acknowledges and closes: both cases closed.
    steps.complete("lehrerin", kkg_id, "rueckmeldung_zur_kenntnis", {"vermerk": "Jugendamt ist tätig."})
    steps.complete("lehrerin", kkg_id, "abschluss", {"abschlussvermerk": "Übergeben."})
    assert steps.view("lehrerin", kkg_id)["status"] == "abgeschlossen"


def test_meldung_without_gewichtige_anhaltspunkte_still_reports_back(steps, world, child, revision):
    traeger = steps.open("kita_fk", "traeger_8a", child)
    steps.complete("kita_fk", traeger["id"], "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": True})
    steps.complete(
        "kita_leitung",
        traeger["id"],
        "sofortmeldung_jugendamt",
        {
            "gemeldet_am": "2026-03-02T08:45:00+01:00",
            "kanal": "persoenlich",
            "polizei_informiert": False,
            "eltern_informiert": True,
            "zusammenfassung": "Kind kam mit Verletzung, Mutter erklärt Unfall.",
        },
    )
    cid = steps.linked_case("kita_leitung", traeger["id"])
    eingang = steps.task("goch_fk", cid, "eingang_erfassen")["data"]
    assert eingang["kanal"] == "meldung_traeger" and eingang["eingegangen_am"].startswith("2026-03-02T07:45:00")
    steps.ja_eingang(cid, {"meldende_stelle": "kita_kindertagespflege"})
    assert steps.task("goch_fk", cid, "ersteinschaetzung")["data"] == {"dringlichkeit": "rot"}  # Sofortmeldung
    steps.ja_ersteinschaetzung(cid, gewichtige=False)
    # Confirmed without gewichtige Anhaltspunkte: no Eindruck, no statistics — but the Rückmeldung,
    # because the reporting case waits for it.
    assert list(steps.open_tasks("goch_fk", cid)) == ["rueckmeldung_melder"]
    steps.ja_rueckmeldung(cid, anhaltspunkte_bestaetigt=False, ja_taetig=False)
    assert list(steps.open_tasks("goch_leitung", cid)) == ["abschluss"]
    closed = steps.ja_abschluss(cid)
    assert closed["status"] == "abgeschlossen"
    assert _tasks(closed)[-3:] == ["ersteinschaetzung_bestaetigen", "rueckmeldung_melder", "abschluss"]
    [received] = steps.trail("kita_revision", traeger["id"], "message.received")
    assert received["payload"]["payload"] == {"anhaltspunkte_bestaetigt": False, "ja_taetig": False}

    # The Träger still owes the written Meldebogen; then acknowledges the Rückmeldung and closes.
    assert list(steps.open_tasks("kita_leitung", traeger["id"])) == ["meldebogen_nachreichen"]
    steps.complete(
        "kita_leitung",
        traeger["id"],
        "meldebogen_nachreichen",
        {"gefaehrdungsbereiche": ["sonstiges"], "ergaenzungen": "Mutter kooperativ."},
    )
    steps.complete("kita_leitung", traeger["id"], "rueckmeldung_zur_kenntnis", {"vermerk": "Zur Kenntnis."})
    steps.complete(
        "kita_leitung",
        traeger["id"],
        "abschluss",
        {"abschlussvermerk": "Jugendamt sieht keine Gefährdung.", "ergebnis": "an_jugendamt_uebergeben"},
    )
    assert steps.view("kita_leitung", traeger["id"])["status"] == "abgeschlossen"


def test_eingang_from_a_meldung_prefills_eingegangen_am(steps, child):
    _, cid = _mitteilung_kkg4(steps, child)
    assert "eingegangen_am" in steps.task("goch_fk", cid, "eingang_erfassen")["data"]


def test_every_sequence_flow_of_jugendamt_8a_is_taken(path_coverage, request):
    check_module_coverage(path_coverage, KEY, request)
