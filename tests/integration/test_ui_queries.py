"""Engine queries behind the UI pages: what a user may start, the stepper/diagram data of a case,
the auditor's metadata view — each checked against the actor."""

from __future__ import annotations

import pytest

from engine.errors import NotAllowed, NotFound
from tests.support.cases import BEOBACHTUNG, open_task


def test_startable_processes_follow_role_and_organisation_kind(world):
    engine = world.engine
    assert [p["key"] for p in engine.startable_processes(world["kita_fk"])] == ["melder", "traeger_8a"]  # + test bundle
    assert [p["key"] for p in engine.startable_processes(world["lehrerin"])] == ["kkg4"]
    assert engine.startable_processes(world["insofa_kleve"]) == []
    assert "Goch" in engine.municipalities() and "Dülmen" in engine.municipalities()


def test_case_map_has_stepper_and_diagram_but_no_content(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    data = engine.case_map(world["kita_fk"], case.case_id)
    assert data["current"] == ["anhaltspunkte_dokumentieren"] and data["done"] == []
    assert data["steps"][0] == {
        "task": "anhaltspunkte_dokumentieren",
        "title": "Gewichtige Anhaltspunkte dokumentieren",
        "lane": "fachkraft",
        "state": "aktuell",
    }
    assert data["bpmn"].startswith(b"<?xml")
    assert child["nachname"] not in str(data)
    with pytest.raises(NotFound):
        engine.case_map(world["dueren_fk"], case.case_id)


def test_auditor_metadata_stays_in_scope(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    events = engine.audit_events(world["kita_revision"], case_reference=case.reference)
    assert [e["type"] for e in events] == ["case.created"] and "payload" not in events[0]
    assert engine.audit_events(world["dueren_revision"], case_reference=case.reference) == []
    with pytest.raises(NotAllowed):
        engine.audit_events(world["kita_fk"])


def _sofortmeldung(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.complete_task(world["kita_fk"], case.open_tasks[0].id, {**BEOBACHTUNG, "akute_gefahr": True})
    task = open_task(world, "kita_leitung", case.case_id, "sofortmeldung_jugendamt")
    engine.complete_task(
        world["kita_leitung"],
        task["id"],
        {
            "gemeldet_am": "2026-03-02T08:45:00+01:00",
            "kanal": "telefon",
            "polizei_informiert": False,
            "eltern_informiert": True,
            "zusammenfassung": "Akut.",
        },
    )
    return engine.case(world["kita_leitung"], case.case_id)["links"][0]["case_id"]


def test_take_over_and_ampel(world, child):
    engine = world.engine
    ja = _sofortmeldung(world, child)
    with pytest.raises(NotFound):
        engine.take_over(world["kevelaer_fk"], ja)
    engine.take_over(world["goch_fk"], ja)
    view = engine.case(world["goch_fk"], ja)
    assert view["responsible"] == "goch_fk" and view["ampel"] is None
    eingang = open_task(world, "goch_fk", ja, "eingang_erfassen")
    engine.complete_task(
        world["goch_fk"],
        eingang["id"],
        {
            "eingegangen_am": "2026-03-02T08:50:00+01:00",
            "kanal": "meldung_traeger",
            "meldende_stelle": "kita_kindertagespflege",
            "anonym": False,
            "inhalt": "Akut.",
        },
    )
    first = open_task(world, "goch_fk", ja, "ersteinschaetzung")
    engine.complete_task(
        world["goch_fk"],
        first["id"],
        {
            "dringlichkeit": "rot",
            "gewichtige_anhaltspunkte": True,
            "begruendung": "Verletzungen.",
            "bekannter_fall": False,
            "weitere_kinder_im_haushalt": False,
        },
    )
    assert engine.case(world["goch_fk"], ja)["ampel"] == {"dringlichkeit": "rot", "bestaetigt": False}


def test_auditor_export_is_recorded(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    from engine.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        engine.export_case_trail(world["kita_revision"], case.case_id, "")
    events = engine.export_case_trail(world["kita_revision"], case.case_id, "Auskunftsersuchen Art. 15")
    assert events[0]["payload"]["child"]["nachname"] == child["nachname"]
    assert engine.audit_events(world["kita_revision"], case_reference=case.reference)[0]["type"] == "audit.exported"


def test_task_form_offers_the_network_pool_and_says_why_not(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_leitung"], process_key="traeger_8a", child=child)
    engine.complete_task(world["kita_leitung"], case.open_tasks[0].id, BEOBACHTUNG)
    task = open_task(world, "kita_leitung", case.case_id, "leitung_informieren")
    assert task["may_complete"] is False and "Mehraugenprinzip" in task["refusal"]
    view = engine.task(world["kita_leitung2"], task["id"])
    assert view["refusal"] is None
    pool = next(f for f in view["form"]["fields"] if f["name"] == "insofa")["options"]
    assert [o["value"] for o in pool] == ["insofa_kleve", "insofa_kleve2"]  # Kreis Kleve only, not Düren
