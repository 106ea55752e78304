"""jugendamt_8a version 2 (§ 8a Abs. 1–3 SGB VIII, § 42; issue 12 item 1): every gateway branch through
the engine's public entry point. New against version 1: the Inobhutnahme straight from the Eindruck,
the Beteiligung or the Gefährdungseinschätzung (and a case of its own for each other child of the household
named at the Eindruck), then the court's decision without delay when the
parents object or cannot be reached (R26) or else the Hilfeplanverfahren, and on to the
Gefährdungseinschätzung or the Maßnahmen; a reason when the child was not seen and the second Fachkraft
of a Hausbesuch, chosen among the Jugendamt's people (R07); an Inobhutnahme or a court referral only
after a finding of danger (R30); „Betroffene informiert?“ before the Rückmeldung (R13); the statistics
step only after an unmittelbarer Eindruck (R23).

Together these tests take every sequence flow of version 2; the last test checks that with the
path-coverage collector (tests/process/coverage.py).
"""

from __future__ import annotations

from tests.process.conftest import ERSTEINSCHAETZUNG, STATISTIK
from tests.process.coverage import check_module_coverage
from tests.process.test_paths_jugendamt_8a import _direct, _mitteilung_kkg4, _tasks
from tests.support import jugendamt as ja

KEY = "jugendamt_8a"
NO_FINDING = (
    "Beantworten Sie „Muss das Kind jetzt in Obhut genommen werden?“ mit Nein: Ja ist nur möglich, wenn die "
    "Gefährdungseinschätzung eine akute oder latente Kindeswohlgefährdung feststellt."
)


def _gewichtig(steps, case_id: int) -> None:
    steps.ja_ersteinschaetzung(case_id, gewichtige=True)
    assert steps.view("goch_fk", case_id)["process"]["version"] == 2


def test_eindruck_to_inobhutnahme_parents_object_court_without_delay_then_assessment(steps, world, child):
    case = _direct(steps, child)
    cid = case["id"]
    # The Ersteinschätzung not confirmed goes back (Mehraugenprinzip as in version 1).
    steps.complete("goch_fk", cid, "ersteinschaetzung", {**ERSTEINSCHAETZUNG, "gewichtige_anhaltspunkte": True})
    steps.complete("goch_fk2", cid, "ersteinschaetzung_bestaetigen", {"bestaetigt": False, "anmerkung": "Rot?"})
    _gewichtig(steps, cid)

    # The second Fachkraft of the Hausbesuch: another ja_fachkraft of this Jugendamt, chosen from a list.
    form = steps.task("goch_fk", cid, "unmittelbarer_eindruck")["form"]
    [zweite] = [f for f in form["fields"] if f["name"] == "zweite_fachkraft"]
    assert [o["value"] for o in zweite["options"]] == ["goch_fk2"]  # not the one documenting, not the Leitung
    eindruck = {**ja.EINDRUCK, "inobhutnahme_erforderlich": True}
    for someone in ("goch_fk", "kevelaer_fk", "kita_fk", "Frau Müller"):
        errors = steps.refused("goch_fk", cid, "unmittelbarer_eindruck", {**eindruck, "zweite_fachkraft": someone})
        assert errors == {
            "zweite_fachkraft": [
                "Wählen Sie bei „Zweite Fachkraft beim Hausbesuch“ eine andere Person Ihrer Organisation aus der "
                "Liste, nicht sich selbst."
            ]
        }
    without = {k: v for k, v in eindruck.items() if k != "zweite_fachkraft"}
    assert "zweite_fachkraft" in steps.refused("goch_fk", cid, "unmittelbarer_eindruck", without)
    ben = {"vorname": "Ben", "nachname": "Beispielkind", "geburtsdatum": "2022-01-10", "geschlecht": "maennlich"}
    steps.complete("goch_fk", cid, "unmittelbarer_eindruck", {**eindruck, "weitere_kinder_im_haushalt": [ben]})

    # The brother seen at the Hausbesuch has a case of his own, linked, at this Jugendamt, on version 2.
    [sibling] = [lk for lk in steps.view("goch_fk", cid)["links"] if lk["relation"] == "geschwisterfall"]
    brother = steps.view("goch_fk", sibling["case_id"])
    assert brother["process"] == {**brother["process"], "key": KEY, "version": 2}
    assert brother["child"]["vorname"] == "Ben" and brother["jugendamt"]["key"] == "ja-goch"
    assert [t["task"] for t in brother["open_tasks"]] == ["eingang_erfassen"]

    # Straight to the Inobhutnahme (the Leitung), before Beteiligung and Gefährdungseinschätzung.
    assert list(steps.open_tasks("goch_leitung", cid)) == ["inobhutnahme_dokumentieren"]
    steps.complete("goch_leitung", cid, "inobhutnahme_dokumentieren", {**ja.INOBHUTNAHME, "widerspruch": "ja"})
    court = steps.open_tasks("goch_leitung", cid)["familiengericht_42"]
    # § 42 Abs. 3: without delay — the Frist „unverzüglich“ of the network's profile (1 Werktag) from now.
    assert str(court["due_at"]).startswith("2026-03-03T")
    steps.complete("goch_leitung", cid, "familiengericht_42", ja.FAMILIENGERICHT_42)

    # Then the Gefährdungseinschätzung (not confirmed once), the Maßnahmen with the court (§ 1666 BGB).
    assert list(steps.open_tasks("goch_fk", cid)) == ["gefaehrdungseinschaetzung"]
    steps.complete("goch_fk", cid, "gefaehrdungseinschaetzung", {**ja.GEFAEHRDUNG, "ergebnis": "akute_kwg"})
    steps.complete("goch_fk2", cid, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": False})
    steps.complete("goch_fk", cid, "gefaehrdungseinschaetzung", {**ja.GEFAEHRDUNG, "ergebnis": "akute_kwg"})
    steps.complete("goch_fk2", cid, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": True})
    steps.complete("goch_fk", cid, "massnahmen_festlegen", {**ja.MASSNAHMEN, "familiengericht": True})
    steps.complete("goch_leitung", cid, "anrufung_familiengericht", ja.FAMILIENGERICHT)

    # Opened directly: no Rückmeldung. The statistics know the Inobhutnahme.
    statistik = steps.task("goch_fk", cid, "statistik_erfassen")["data"]
    assert statistik["massnahme_42"] is True and statistik["ergebnis"] == "akute_kwg"
    steps.complete("goch_fk", cid, "statistik_erfassen", STATISTIK)
    closed = steps.ja_abschluss(cid)
    assert closed["status"] == "abgeschlossen"
    assert _tasks(closed)[5:] == [
        "unmittelbarer_eindruck",
        "inobhutnahme_dokumentieren",
        "familiengericht_42",
        "gefaehrdungseinschaetzung",
        "gefaehrdungseinschaetzung_bestaetigen",
        "gefaehrdungseinschaetzung",
        "gefaehrdungseinschaetzung_bestaetigen",
        "massnahmen_festlegen",
        "anrufung_familiengericht",
        "statistik_erfassen",
        "abschluss",
    ]


def test_meldung_child_not_seen_inobhutnahme_after_the_assessment_hilfeplan_and_rueckmeldung(
    steps, world, child, revision
):
    kkg_id, cid = _mitteilung_kkg4(steps, child)
    steps.ja_eingang(cid, {"eingegangen_am": "2026-03-02T08:55:00+01:00", "meldende_stelle": "schule"})
    _gewichtig(steps, cid)

    # R07: the child not seen needs a reason (a visit at school needs no second Fachkraft).
    eindruck = {
        "art": "kita_schule",
        "datum": "2026-03-02T08:30:00+01:00",
        "kind_gesehen": False,
        "beobachtungen": "Kind war krank gemeldet.",
        "inobhutnahme_erforderlich": False,
    }
    assert steps.refused("goch_fk", cid, "unmittelbarer_eindruck", eindruck) == {
        "grund_kind_nicht_gesehen": [
            "Geben Sie „Warum wurde das Kind nicht gesehen?“ an, weil „Wurde das Kind gesehen?“ mit Nein "
            "beantwortet wurde."
        ]
    }
    steps.complete(
        "goch_fk", cid, "unmittelbarer_eindruck", {**eindruck, "grund_kind_nicht_gesehen": "Krank; Besuch morgen."}
    )
    steps.complete("goch_fk", cid, "beteiligung", ja.BETEILIGUNG)

    # R30: no Inobhutnahme without a finding of danger — refused, nothing changed.
    keine = {**ja.GEFAEHRDUNG, "ergebnis": "keine_kwg_hilfebedarf", "inobhutnahme_erforderlich": True}
    del keine["gefaehrdungsarten"], keine["gefaehrdung_durch"]
    assert steps.refused("goch_fk", cid, "gefaehrdungseinschaetzung", keine) == {
        "inobhutnahme_erforderlich": [NO_FINDING]
    }
    steps.complete("goch_fk", cid, "gefaehrdungseinschaetzung", {**ja.GEFAEHRDUNG, "inobhutnahme_erforderlich": True})
    steps.complete("goch_fk2", cid, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": True})

    # Confirmed with an Inobhutnahme; the parents agree: the Hilfeplanverfahren, then the Maßnahmen.
    steps.complete("goch_leitung", cid, "inobhutnahme_dokumentieren", ja.INOBHUTNAHME)
    assert list(steps.open_tasks("goch_fk", cid)) == ["hilfeplanverfahren_einleiten"]
    steps.complete("goch_fk", cid, "hilfeplanverfahren_einleiten", ja.HILFEPLAN)
    steps.complete("goch_fk", cid, "massnahmen_festlegen", ja.MASSNAHMEN)

    # R13: before the Rückmeldung, whether the persons concerned were informed, or why not.
    rueckmeldung = {**ja.RUECKMELDUNG, "betroffene_informiert": False}
    assert list(steps.refused("goch_fk", cid, "rueckmeldung_melder", rueckmeldung)) == ["grund_nicht_informiert"]
    steps.complete(
        "goch_fk", cid, "rueckmeldung_melder", {**rueckmeldung, "grund_nicht_informiert": "Schutz des Kindes."}
    )
    [received] = steps.trail("schule_revision", kkg_id, "message.received")
    assert received["payload"]["payload"] == {"anhaltspunkte_bestaetigt": True, "ja_taetig": True}  # two facts only
    assert steps.task("goch_fk", cid, "statistik_erfassen")["data"]["massnahme_42"] is True
    steps.complete("goch_fk", cid, "statistik_erfassen", STATISTIK)
    # R23: the record is what the Fachkraft confirmed, counted, plausible.
    stats = world.engine.statistics_99(world["goch_leitung"], "ja-goch", 2026)
    [record] = stats.records
    assert stats.problems == () and record.case_id == cid
    assert record.items["massnahme_42"] is True and record.items["ergebnis"] == "latente_kwg"
    closed = steps.ja_abschluss(cid)
    assert _tasks(closed)[-7:] == [
        "gefaehrdungseinschaetzung_bestaetigen",
        "inobhutnahme_dokumentieren",
        "hilfeplanverfahren_einleiten",
        "massnahmen_festlegen",
        "rueckmeldung_melder",
        "statistik_erfassen",
        "abschluss",
    ]


def test_beteiligung_to_inobhutnahme_parents_unreachable_and_no_court_without_danger(steps, world, child):
    case = _direct(steps, child)
    cid = case["id"]
    _gewichtig(steps, cid)
    steps.complete(
        "goch_fk",
        cid,
        "unmittelbarer_eindruck",
        {
            "art": "nicht_erforderlich",
            "datum": "2026-03-02T08:30:00+01:00",
            "kind_gesehen": True,
            "begruendung_nicht_erforderlich": "Kind ist seit gestern in der Klinik.",
            "beobachtungen": "Bericht der Klinik liegt vor.",
            "inobhutnahme_erforderlich": False,
        },
    )
    steps.complete("goch_fk", cid, "beteiligung", {**ja.BETEILIGUNG, "inobhutnahme_erforderlich": True})
    unerreichbar = {**ja.INOBHUTNAHME, "sorgeberechtigte_informiert": False, "widerspruch": "nicht_erreichbar"}
    steps.complete(
        "goch_leitung", cid, "inobhutnahme_dokumentieren", {**unerreichbar, "grund_nicht_informiert": "Verreist."}
    )
    steps.complete("goch_leitung", cid, "familiengericht_42", {**ja.FAMILIENGERICHT_42, "anlass": "nicht_erreichbar"})
    keine = {"ergebnis": "keine_kwg_hilfebedarf", "tatsachen": "Überforderung.", "inobhutnahme_erforderlich": False}
    steps.complete("goch_fk", cid, "gefaehrdungseinschaetzung", keine)
    steps.complete("goch_fk2", cid, "gefaehrdungseinschaetzung_bestaetigen", {"bestaetigt": True})

    # R30: the court only after a finding of danger.
    assert steps.refused("goch_fk", cid, "massnahmen_festlegen", {**ja.MASSNAHMEN, "familiengericht": True}) == {
        "familiengericht": [
            "Beantworten Sie „Familiengericht anrufen?“ mit Nein: Ja ist nur möglich, wenn die bestätigte "
            "Gefährdungseinschätzung eine akute oder latente Kindeswohlgefährdung festgestellt hat."
        ]
    }
    steps.complete("goch_fk", cid, "massnahmen_festlegen", ja.MASSNAHMEN)
    # No unmittelbarer Eindruck: no statistics case (§ 99 Abs. 6 SGB VIII), straight to the Abschluss.
    assert list(steps.open_tasks("goch_leitung", cid)) == ["abschluss"]
    assert steps.ja_abschluss(cid)["status"] == "abgeschlossen"


def test_no_gewichtige_anhaltspunkte_closes_with_the_result_by_its_label(steps, child):
    case = _direct(steps, child)
    steps.ja_ersteinschaetzung(case["id"], gewichtige=False)
    task = steps.task("goch_leitung", case["id"], "abschluss")
    assert task["data"] == {"ergebnis": "keine_gewichtigen_anhaltspunkte"}
    [ergebnis] = [f for f in task["form"]["fields"] if f["name"] == "ergebnis"]
    assert ergebnis["type"] == "enum" and "keine_gewichtigen_anhaltspunkte" not in ergebnis["help"]
    assert steps.ja_abschluss(case["id"])["status"] == "abgeschlossen"


def test_every_sequence_flow_of_jugendamt_8a_v2_is_taken(path_coverage, request):
    check_module_coverage(path_coverage, KEY, request, version=2)
