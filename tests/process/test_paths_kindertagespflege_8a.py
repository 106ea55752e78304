"""kindertagespflege_8a (§ 8a Abs. 5 SGB VIII): every gateway branch through the engine's public entry point.

A Tagespflegeperson works alone: the Jugendamt's Fachberatung Kindertagespflege is the second person of
her assessment and arranges the consultation with an insoweit erfahrene Fachkraft; both see the
pseudonym only. The Tagespflegeperson decides what follows; help refused or a Schutzplan that does not
work leads back to that decision, a Meldung opens the case at the responsible Jugendamt. The last test
checks with the path-coverage collector that these tests take every sequence flow.

Every test runs on both versions (fixture `ktp_version`; version 1 stays deployed for the cases running
on it). Version 2 changes no path: it checks the texts both advisers read under the pseudonym — the
observations, the child's words, the Fachberatung's assessment — for the child's and the parents' names,
street and birth date (R09), which version 1 only asked for in its help texts.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.clock import BERLIN
from engine.errors import NotAllowed, NotFound, ValidationFailed
from tests.process.coverage import check_module_coverage, model_name
from tests.support.kindertagespflege import add_kindertagespflege

KEY = "kindertagespflege_8a"
BEOBACHTUNG = {
    "beobachtungen": "Hämatome an beiden Oberarmen, das Kind zuckt bei schnellen Bewegungen zusammen.",
    "beobachtet_am": "2026-03-02T08:15:00+01:00",
    "quelle": "eigene_beobachtung",
    "aussagen_kind": "„Papa war böse.“",
}
BERATUNG = {"beratung_am": "2026-03-02", "einschaetzung": "kwg_abwendbar", "empfehlung": "Gespräch mit den Eltern."}
MELDUNG = {
    "eltern_vorab_informiert": True,
    "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
    "zusammenfassung": "Hilfe abgelehnt, die Hämatome kehren wieder.",
}
SOFORTMELDUNG = {
    "gemeldet_am": "2026-03-02T08:45:00+01:00",
    "kanal": "telefon",
    "polizei_informiert": False,
    "eltern_informiert": False,
    "grund_eltern_nicht_informiert": "Die Gefahr geht vom Vater aus.",
    "gefaehrdungsbereiche": ["koerperliche_misshandlung"],
    "zusammenfassung": "Kind mit frischen Verletzungen, will nicht nach Hause.",
}


@pytest.fixture(params=[pytest.param(1, marks=pytest.mark.shipped_up_to(1)), 2], ids=["v1", "v2"])
def ktp_version(request) -> int:
    return request.param


@pytest.fixture
def case(world, steps, child, ktp_version):
    add_kindertagespflege(world)
    case = steps.open("tp", KEY, child)
    assert case["jugendamt"]["key"] == "ja-goch" and case["process"] == {
        "key": KEY,
        "version": ktp_version,
        "title": case["process"]["title"],
    }
    return case


def _documented(steps, case_id, *, akute_gefahr=False):
    steps.complete("tp", case_id, "anhaltspunkte_dokumentieren", {**BEOBACHTUNG, "akute_gefahr": akute_gefahr})


def _bewertet(steps, case_id, gewichtig, **values):
    steps.complete(
        "goch_fb",
        case_id,
        "fachberatung_einschaetzung",
        {"gewichtige_anhaltspunkte": gewichtig, "einschaetzung_fachberatung": "Siehe Gespräch.", **values},
    )


def _beraten(steps, case_id):
    _documented(steps, case_id)
    _bewertet(steps, case_id, True)
    steps.complete("insofa_kleve", case_id, "insofa_beratung", BERATUNG)
    assert list(steps.open_tasks("tp", case_id)) == ["vorgehen_festlegen"]


def _vorgehen(steps, case_id, vorgehen):
    steps.complete("tp", case_id, "vorgehen_festlegen", {"vorgehen": vorgehen, "begruendung": "Nach der Beratung."})


def _familie(steps, case_id, ergebnis):
    values = {"eltern_einbezogen": True, "kind_einbezogen": True, "gespraech_am": "2026-03-02", "ergebnis": ergebnis}
    steps.complete("tp", case_id, "beteiligung_familie", values)


def _schutzplan(steps, world, clock, case_id):
    _familie(steps, case_id, "hilfe_angenommen")
    plan = [{"was": "Erziehungsberatung wahrnehmen", "wer": "Eltern", "bis": "2026-03-13"}]
    steps.complete("tp", case_id, "schutzplan_vereinbaren", {"massnahmen": plan, "ueberpruefung_am": "2026-03-16"})
    assert steps.open_tasks("tp", case_id) == {}  # the timer waits for the review day
    _review_due(world, clock, "2026-03-16")


def _review_due(world, clock, day):
    clock.set(datetime.fromisoformat(f"{day}T08:00:01").replace(tzinfo=BERLIN))
    fired = world.engine.run_due()
    assert any(line.endswith("timer fired") for line in fired), fired


def _abschluss(steps, case_id, ergebnis):
    steps.complete("tp", case_id, "abschluss", {"abschlussvermerk": "Beendet.", "ergebnis": ergebnis})
    closed = steps.view("tp", case_id)
    assert closed["status"] == "abgeschlossen" and closed["open_tasks"] == []
    return closed


def _rueckmeldung(steps, world, case_id, *, akut):
    """The Meldung opened a jugendamt_8a case in Goch; its Rückmeldung comes back and is acknowledged."""
    ja_id = steps.linked_case("tp", case_id)
    ja = steps.view("goch_fk", ja_id)
    assert ja["process"]["key"] == "jugendamt_8a" and ja["jugendamt"]["key"] == "ja-goch"
    assert "Hämatome an beiden" not in str(ja)  # the Tagespflegeperson's own documentation stays with her
    eingang = steps.task("goch_fk", ja_id, "eingang_erfassen")["data"]
    assert eingang["kanal"] == "meldung_traeger"
    assert eingang["meldende_stelle"] == "kita_kindertagespflege"  # the kind's § 99 category
    prefilled = {k: eingang[k] for k in ("eingegangen_am", "meldende_stelle") if k in eingang}
    steps.ja_eingang(ja_id, {"eingegangen_am": "2026-03-02T09:00:00+01:00", **prefilled})
    if akut:
        assert steps.task("goch_fk", ja_id, "ersteinschaetzung")["data"] == {"dringlichkeit": "rot"}
    steps.ja_ersteinschaetzung(ja_id, gewichtige=False, **({"dringlichkeit": "rot"} if akut else {}))
    steps.ja_rueckmeldung(ja_id, anhaltspunkte_bestaetigt=True, ja_taetig=True)
    assert list(steps.open_tasks("tp", case_id)) == ["rueckmeldung_zur_kenntnis"]
    steps.complete("tp", case_id, "rueckmeldung_zur_kenntnis", {"vermerk": "Weiter aufmerksam betreuen."})
    [sent] = steps.trail("tp_revision", case_id, "message.sent")
    return sent["payload"]["payload"]


def test_keine_gewichtigen_anhaltspunkte(steps, case, path_coverage, request):
    _documented(steps, case["id"])
    assert list(steps.open_tasks("goch_fb", case["id"])) == ["fachberatung_einschaetzung"]
    _bewertet(steps, case["id"], False)
    closed = _abschluss(steps, case["id"], "keine_gewichtigen_anhaltspunkte")
    assert [h["completed_by"] for h in closed["history"]] == ["tp", "goch_fb", "tp"]
    assert path_coverage.flows_taken_by(model_name(KEY, case["process"]["version"]), request.node.nodeid) == [
        "Flow_start",
        "Flow_dokumentiert",
        "Flow_akut_nein",
        "Flow_bewertet",
        "Flow_gewichtig_nein",
        "Flow_zum_abschluss",
        "Flow_ende",
    ]


def test_the_fachberatung_and_the_insofa_see_the_pseudonym_and_the_shared_facts_only(steps, world, case, child):
    _documented(steps, case["id"])
    fachberatung = steps.view("goch_fb", case["id"])
    assert child["nachname"] not in str(fachberatung) and child["vorname"] not in str(fachberatung)
    assert fachberatung["pseudonym"] == case["pseudonym"]
    task = steps.task("goch_fb", case["id"], "fachberatung_einschaetzung")
    assert BEOBACHTUNG["beobachtungen"] in str(task)  # the facts she assesses
    assert child["nachname"] not in str(task)
    _bewertet(steps, case["id"], True, insofa="insofa_kleve2")  # she arranges the consultation with one
    with pytest.raises(NotFound):  # offered to the one named only
        world.engine.case(world["insofa_kleve"], case["id"])
    beratung = steps.task("insofa_kleve2", case["id"], "insofa_beratung")
    assert BEOBACHTUNG["beobachtungen"] in str(beratung) and "Siehe Gespräch." in str(beratung)
    assert child["nachname"] not in str(beratung) and child["vorname"] not in str(beratung)


def test_only_the_fachberatung_of_her_jugendamt_is_the_second_person(steps, world, case):
    _documented(steps, case["id"])
    task_id = steps.open_tasks("goch_fb", case["id"])["fachberatung_einschaetzung"]["id"]
    values = {"gewichtige_anhaltspunkte": False, "einschaetzung_fachberatung": "x"}
    for other in ("tp", "goch_fk", "goch_leitung", "insofa_kleve"):  # not the Fachberatung's role
        with pytest.raises((NotAllowed, NotFound)):
            world.engine.complete_task(world[other], task_id, values)
    # The Fachberatung of another Jugendamt — of the same network or another — never learns of the case.
    for other in ("kevelaer_fb", "dueren_fb"):
        with pytest.raises(NotFound):
            world.engine.case(world[other], case["id"])
        with pytest.raises((NotAllowed, NotFound)):
            world.engine.complete_task(world[other], task_id, values)
        assert world.engine.tasks(world[other]).rows == []
    assert steps.open_tasks("goch_fb2", case["id"])  # the Tagespflegeperson's Jugendamt: either of them may take it


def test_only_a_kindertagespflege_opens_this_procedure_and_only_this_one(world, steps, case, child):
    assert [p["key"] for p in world.engine.startable_processes(world["tp"])] == [KEY]
    for other in ("kita_fk", "kita_leitung", "lehrerin", "goch_fk", "goch_fb"):
        assert KEY not in [p["key"] for p in world.engine.startable_processes(world[other])]
        with pytest.raises((NotAllowed, NotFound)):
            world.engine.open_case(world[other], process_key=KEY, child=child)
    with pytest.raises((NotAllowed, NotFound)):
        world.engine.open_case(world["tp"], process_key="traeger_8a", child=child)


def test_beratung_then_keine_gefaehrdung(steps, case):
    _beraten(steps, case["id"])
    _vorgehen(steps, case["id"], "keine_gefaehrdung")
    closed = _abschluss(steps, case["id"], "keine_kwg")
    assert [h["task"] for h in closed["history"]] == [
        "anhaltspunkte_dokumentieren",
        "fachberatung_einschaetzung",
        "insofa_beratung",
        "vorgehen_festlegen",
        "abschluss",
    ]
    assert closed["links"] == []


def test_hilfe_angenommen_schutzplan_weiter_beobachten_then_wirksam(steps, world, case, clock):
    _beraten(steps, case["id"])
    _vorgehen(steps, case["id"], "hilfen_mit_familie")
    _schutzplan(steps, world, clock, case["id"])
    review = {"wirksam": "weiter_beobachten", "vermerk": "Besser.", "naechste_ueberpruefung_am": "2026-04-13"}
    steps.complete("tp", case["id"], "schutzplan_ueberpruefen", review)
    assert steps.open_tasks("tp", case["id"]) == {}
    _review_due(world, clock, "2026-04-13")
    steps.complete("tp", case["id"], "schutzplan_ueberpruefen", {"wirksam": "ja", "vermerk": "Stabil."})
    closed = _abschluss(steps, case["id"], "hilfe_laeuft")
    assert [h["task"] for h in closed["history"]][-4:] == [
        "schutzplan_vereinbaren",
        "schutzplan_ueberpruefen",
        "schutzplan_ueberpruefen",
        "abschluss",
    ]


def test_schutzplan_nicht_wirksam_returns_to_the_decision(steps, world, case, clock):
    _beraten(steps, case["id"])
    _vorgehen(steps, case["id"], "hilfen_mit_familie")
    _schutzplan(steps, world, clock, case["id"])
    steps.complete("tp", case["id"], "schutzplan_ueberpruefen", {"wirksam": "nein", "vermerk": "Nicht umgesetzt."})
    assert list(steps.open_tasks("tp", case["id"])) == ["vorgehen_festlegen"]  # no Meldung by itself
    _vorgehen(steps, case["id"], "keine_gefaehrdung")
    _abschluss(steps, case["id"], "keine_kwg")


def test_hilfe_abgelehnt_returns_to_the_decision_then_meldung(steps, world, case):
    _beraten(steps, case["id"])
    _vorgehen(steps, case["id"], "hilfen_mit_familie")
    _familie(steps, case["id"], "hilfe_abgelehnt")
    assert list(steps.open_tasks("tp", case["id"])) == ["vorgehen_festlegen"]  # R27: no Meldung by itself
    _vorgehen(steps, case["id"], "meldung")
    result = steps.complete("tp", case["id"], "meldung_jugendamt", MELDUNG)
    assert result.status == "offen" and result.open_tasks == ()  # waits for the Rückmeldung
    payload = _rueckmeldung(steps, world, case["id"], akut=False)
    assert payload["melder_typ"] == "kindertagespflege" and payload["insofa_beteiligt"] is True
    assert {k: payload[k] for k in MELDUNG} == MELDUNG and payload["grund_nicht_informiert"] is None
    closed = _abschluss(steps, case["id"], "an_jugendamt_uebergeben")
    assert [link["relation"] for link in closed["links"]] == ["meldung_an"]


def test_dringende_gefahr_sofortmeldung(steps, world, case):
    _documented(steps, case["id"], akute_gefahr=True)
    assert list(steps.open_tasks("tp", case["id"])) == ["sofortmeldung_jugendamt"]
    with pytest.raises(NotFound):  # the Fachberatung is not waited for: nothing is offered to her
        steps.view("goch_fb", case["id"])
    steps.complete("tp", case["id"], "sofortmeldung_jugendamt", SOFORTMELDUNG)
    payload = _rueckmeldung(steps, world, case["id"], akut=True)
    assert payload["dringlichkeit_hinweis"] == "akut" and payload["melder_typ"] == "kindertagespflege"
    assert payload["grund_eltern_nicht_informiert"] == SOFORTMELDUNG["grund_eltern_nicht_informiert"]
    closed = _abschluss(steps, case["id"], "an_jugendamt_uebergeben")
    assert [h["task"] for h in closed["history"]] == [
        "anhaltspunkte_dokumentieren",
        "sofortmeldung_jugendamt",
        "rueckmeldung_8a",
        "rueckmeldung_zur_kenntnis",
        "abschluss",
    ]


def test_version_2_refuses_names_in_the_texts_the_advisers_read(steps, world, child):
    add_kindertagespflege(world)
    case = steps.open("tp", KEY, child)
    assert case["process"]["version"] == 2  # version 1 only asks, in its help texts, not to write names
    refused = []
    for text in (f"{child['vorname']} hat Hämatome.", f"Familie {child['nachname'].upper()} wirkt überfordert."):
        with pytest.raises(ValidationFailed) as error:
            values = {**BEOBACHTUNG, "beobachtungen": text, "akute_gefahr": False}
            steps.complete("tp", case["id"], "anhaltspunkte_dokumentieren", values)
        refused.append(error.value.errors)
    assert [list(errors) for errors in refused] == [["beobachtungen"], ["beobachtungen"]]
    assert child["vorname"] not in str(refused) and child["nachname"] not in str(refused)
    _documented(steps, case["id"])
    with pytest.raises(ValidationFailed) as error:
        _bewertet(steps, case["id"], True, einschaetzung_fachberatung="Am Markt 1 war niemand zu Hause.")
    assert list(error.value.errors) == ["einschaetzung_fachberatung"]
    _bewertet(steps, case["id"], True)
    beratung = steps.task("insofa_kleve", case["id"], "insofa_beratung")
    assert beratung["beratung"]["alter_jahre"] == 5 and beratung["beratung"]["einrichtung"]


@pytest.mark.parametrize("ktp_version", [pytest.param(1, marks=pytest.mark.shipped_up_to(1)), 2], ids=["v1", "v2"])
def test_every_sequence_flow_of_kindertagespflege_8a_is_taken(path_coverage, request, ktp_version):
    check_module_coverage(path_coverage, KEY, request, version=ktp_version)
