"""kkg4 version 2 (§ 4 KKG; issue 12 item 1): every gateway branch through the engine's public entry
point. New against version 1: whether a Heilberuf reports (and may report at once in dringender Gefahr,
§ 4 Abs. 3 Satz 3) follows from the organisation's kind `gesundheitswesen`, not from an answer in the
case; the insoweit erfahrene Fachkraft reads a Fallschilderung the engine checked for names (§ 4 Abs. 2,
R09), and after her consultation the reporting person always decides — her Einschätzung closes
nothing (R11); the Mitteilung's fields are asked only when it is sent.

Together these tests take every sequence flow of version 2; the last test checks that with the
path-coverage collector (tests/process/coverage.py).
"""

from __future__ import annotations

from tests.process.coverage import check_module_coverage
from tests.process.test_paths_kkg4 import MITTEILUNG
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG
from tests.support.praxis import add_praxis

KEY = "kkg4"
DRINGEND = {**BEOBACHTUNG, "akute_gefahr": True}
GESPRAECH = {"gefuehrt": True, "ergebnis": "nicht_abgewendet", "fallschilderung": FALLSCHILDERUNG}


def _open(steps, user: str, child) -> int:
    case = steps.open(user, KEY, child)
    assert case["process"]["version"] == 2
    return case["id"]


def _beraten(steps, world, case_id: int, einschaetzung: str) -> None:
    """The pool's insofa advises on the Fallschilderung; the reporting person's decision is next."""
    [task] = [t for t in world.engine.tasks(world["insofa_kleve"]).rows if t["case_id"] == case_id]
    view = world.engine.task(world["insofa_kleve"], task["id"])
    assert [e["task"] for e in view["basis"]] == ["gespraech_familie"]
    assert {k: v["value"] for k, v in view["basis"][0]["values"].items()} == {"fallschilderung": FALLSCHILDERUNG}
    assert view["beratung"]["einrichtung"] == "Gesamtschule Goch" and view["beratung"]["alter_jahre"] == 5
    values = {"beratung_am": "2026-03-02", "einschaetzung": einschaetzung, "empfehlung": "Siehe Protokoll."}
    world.engine.complete_task(world["insofa_kleve"], task["id"], values)
    assert list(steps.open_tasks("lehrerin", case_id)) == ["mitteilung_jugendamt"]  # R11: she decides


def _abschluss(steps, user: str, case_id: int) -> dict:
    steps.complete(user, case_id, "abschluss", {"abschlussvermerk": "Vorgang beendet."})
    closed = steps.view(user, case_id)
    assert closed["status"] == "abgeschlossen" and closed["open_tasks"] == []
    return closed


def test_a_heilberuf_in_dringender_gefahr_informs_the_jugendamt_at_once(steps, world, child):
    add_praxis(world)
    case_id = _open(steps, "aerztin", child)
    form = steps.task("aerztin", case_id, "anhaltspunkte_dokumentieren")["form"]
    assert "gesundheitsberuf" not in [f["name"] for f in form["fields"]]  # the organisation tells it
    steps.complete("aerztin", case_id, "anhaltspunkte_dokumentieren", DRINGEND)
    assert list(steps.open_tasks("aerztin", case_id)) == ["mitteilung_jugendamt"]  # § 4 Abs. 3 Satz 3 KKG
    steps.complete("aerztin", case_id, "mitteilung_jugendamt", MITTEILUNG)
    ja_id = steps.linked_case("aerztin", case_id)
    assert steps.task("goch_fk", ja_id, "eingang_erfassen")["data"]["meldende_stelle"] == "gesundheitswesen"
    steps.ja_kurz_bis_rueckmeldung(
        ja_id, meldende_stelle="gesundheitswesen", anhaltspunkte_bestaetigt=True, ja_taetig=True
    )
    steps.complete("aerztin", case_id, "rueckmeldung_zur_kenntnis", {"vermerk": "Das Jugendamt ist tätig."})
    assert _abschluss(steps, "aerztin", case_id)["links"][0]["case_id"] == ja_id


def test_a_school_in_dringender_gefahr_talks_with_the_family_first(steps, world, child):
    case_id = _open(steps, "lehrerin", child)
    steps.complete("lehrerin", case_id, "anhaltspunkte_dokumentieren", DRINGEND)
    assert list(steps.open_tasks("lehrerin", case_id)) == ["gespraech_familie"]  # no Heilberuf: § 4 Abs. 1
    steps.complete("lehrerin", case_id, "gespraech_familie", {"gefuehrt": True, "ergebnis": "gefaehrdung_abgewendet"})
    assert _abschluss(steps, "lehrerin", case_id)["links"] == []


def test_the_insofa_sees_no_danger_the_teacher_informs_the_jugendamt_all_the_same(steps, world, child):
    case_id = _open(steps, "lehrerin", child)
    steps.complete("lehrerin", case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    # the consultation needs a Fallschilderung, and one that names nobody (§ 4 Abs. 2 Satz 2 KKG)
    for text, error in (
        (None, "Geben Sie „Fallschilderung für die Beratung“ an"),
        (f"{child['vorname']} erzählt von Schlägen.", "enthält den Vornamen des Kindes"),
    ):
        values = {k: v for k, v in GESPRAECH.items() if k != "fallschilderung"}
        if text is not None:
            values["fallschilderung"] = text
        [message] = steps.refused("lehrerin", case_id, "gespraech_familie", values)["fallschilderung"]
        assert error in message and child["vorname"] not in message
    steps.complete("lehrerin", case_id, "gespraech_familie", GESPRAECH)
    _beraten(steps, world, case_id, "keine_kwg")
    steps.complete("lehrerin", case_id, "mitteilung_jugendamt", MITTEILUNG)  # she decides otherwise: R11
    ja_id = steps.linked_case("lehrerin", case_id)
    steps.ja_kurz_bis_rueckmeldung(ja_id, meldende_stelle="schule", anhaltspunkte_bestaetigt=False, ja_taetig=True)
    steps.complete("lehrerin", case_id, "rueckmeldung_zur_kenntnis", {"vermerk": "Zur Kenntnis genommen."})
    _abschluss(steps, "lehrerin", case_id)


def test_the_insofa_sees_danger_the_teacher_decides_not_to_inform_and_is_asked_nothing_more(steps, world, child):
    case_id = _open(steps, "lehrerin", child)
    steps.complete("lehrerin", case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    steps.complete("lehrerin", case_id, "gespraech_familie", {**GESPRAECH, "ergebnis": "hilfe_angenommen"})
    _beraten(steps, world, case_id, "kwg_nicht_abwendbar")
    # the Mitteilung's fields are asked only when it is sent
    steps.complete("lehrerin", case_id, "mitteilung_jugendamt", {"mitteilung_beabsichtigt": False})
    closed = _abschluss(steps, "lehrerin", case_id)
    assert closed["links"] == [] and world.engine.cases(world["goch_fk"]).rows == []


def test_every_sequence_flow_of_kkg4_v2_is_taken(path_coverage, request):
    check_module_coverage(path_coverage, KEY, request, version=2)
