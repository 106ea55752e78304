"""Deadlines with a fake clock: armed in the step, reminder at 75 %, escalation at the due instant,
BPMN timers, closed cases, clock jumps, profile changes — each firing exactly once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from engine.clock import BERLIN
from engine.errors import ValidationFailed
from engine.persistence import models as m
from tests.support.cases import BEOBACHTUNG, open_task, to_schutzplan


def _events(engine, types):
    with engine.work() as (uow, _):
        return [e for e in engine.vault.read(uow.session.connection(), types=types)]


@pytest.fixture
def documented(world, child):
    """A Träger case whose first step is done at 09:00 on Monday 2 March 2026: Leitung informieren
    is due within PT4H."""
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    world.engine.complete_task(world["kita_fk"], case.open_tasks[0].id, BEOBACHTUNG)
    return world.engine.case(world["kita_fk"], case.case_id)


def test_leitung_informieren_is_armed_reminded_and_escalated_once(world, documented, clock):
    engine, start = world.engine, clock.now()
    task = open_task(world, "kita_leitung", documented["id"], "leitung_informieren")
    assert task["due_at"] == (start + timedelta(hours=4)).isoformat() and task["overdue"] is False

    clock.advance(timedelta(hours=2, minutes=59))
    assert engine.run_due() == []
    clock.advance(timedelta(minutes=1))  # 75 % of four hours
    assert engine.run_due() == [f"{documented['reference']} leitung_informieren: reminder"]
    assert engine.run_due() == []

    clock.advance(timedelta(hours=1))  # the due instant
    assert engine.run_due() == [f"{documented['reference']} leitung_informieren: escalated"]
    assert engine.run_due() == []
    assert open_task(world, "kita_leitung", documented["id"], "leitung_informieren")["overdue"] is True
    escalation = open_task(world, "kita_leitung", documented["id"], "frist_klaeren")
    assert escalation["title"].startswith("Frist überschritten – klären")
    assert escalation["id"] in [t["id"] for t in engine.tasks(world["kita_leitung"]).rows]
    assert escalation["id"] not in [t["id"] for t in engine.tasks(world["kita_fk"]).rows]  # for the Leitung
    assert [e.type for e in _events(engine, ["deadline.reminder", "deadline.escalated"])] == [
        "deadline.reminder",
        "deadline.escalated",
    ]

    form = engine.task(world["kita_leitung"], escalation["id"])["form"]
    assert [f["name"] for f in form["fields"]] == ["grund", "naechste_schritte"]
    with pytest.raises(ValidationFailed):
        engine.complete_task(world["kita_leitung"], escalation["id"], {"grund": "Krank"})
    engine.complete_task(
        world["kita_leitung"],
        escalation["id"],
        {"grund": "Leitung erkrankt.", "naechste_schritte": "Vertretung übernimmt heute."},
    )
    view = engine.case(world["kita_leitung"], documented["id"])
    assert view["history"][-1]["task"] == "frist_klaeren"
    assert "leitung_informieren" in [t["task"] for t in view["open_tasks"]]  # the step itself stays open


def test_completing_in_time_closes_the_deadline(world, documented, clock):
    engine = world.engine
    engine.complete_task(
        world["kita_leitung"],
        open_task(world, "kita_leitung", documented["id"], "leitung_informieren")["id"],
        {"gewichtige_anhaltspunkte": False, "einschaetzung_leitung": "Unbedenklich."},
    )
    clock.advance(timedelta(days=30))
    assert not [line for line in engine.run_due() if "leitung_informieren" in line]  # the next step's may fire
    with engine.reading() as uow:
        states = {d.task_key: d.state for d in uow.session.query(m.Deadline)}
    assert states["leitung_informieren"] == "closed"


def test_missed_deadlines_all_fire_at_once_and_a_clock_jump_back_unfires_nothing(world, documented, clock):
    engine = world.engine
    clock.advance(timedelta(days=2))  # the server was down
    fired = engine.run_due()
    assert [line.split(": ")[1] for line in fired] == ["reminder", "escalated"]
    clock.advance(timedelta(days=-3))
    assert engine.run_due() == []
    clock.advance(timedelta(days=5))
    assert engine.run_due() == []


def test_deadline_of_a_case_ended_meanwhile_fires_nothing(world, documented, clock):
    engine = world.engine
    with engine.writing() as uow:
        uow.session.query(m.Case).filter_by(id=documented["id"]).update({"status": "abgebrochen"})
        uow.commit()
    clock.advance(timedelta(days=1))
    assert engine.run_due() == [f"{documented['reference']} leitung_informieren: closed (case ended)"]
    assert _events(engine, ["deadline.reminder", "deadline.escalated"]) == []


def test_profile_change_applies_to_deadlines_armed_afterwards(world, documented, child, clock):
    engine = world.engine
    before = open_task(world, "kita_leitung", documented["id"], "leitung_informieren")["due_at"]
    assert (
        engine.set_frist("kreis-kleve", "leitung_informieren", "PT20S", operator="test")["leitung_informieren"]
        == "PT20S"
    )
    later = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.complete_task(world["kita_fk"], later.open_tasks[0].id, BEOBACHTUNG)
    assert open_task(world, "kita_leitung", documented["id"], "leitung_informieren")["due_at"] == before
    assert (
        open_task(world, "kita_leitung", later.case_id, "leitung_informieren")["due_at"]
        == (clock.now() + timedelta(seconds=20)).isoformat()
    )
    assert engine.fristen("rhein-kreis-neuss")["leitung_informieren"] == "PT4H"
    with pytest.raises(ValidationFailed) as bad:
        engine.set_frist("kreis-kleve", "leitung_informieren", "3 Wochentage", operator="test")
    assert "Werktage" in bad.value.errors["value"][0]
    with pytest.raises(ValidationFailed):
        engine.set_frist("kreis-nirgendwo", "leitung_informieren", "PT4H", operator="test")
    assert [e.type for e in _events(engine, ["fristen.changed"])] == ["fristen.changed"]


def test_schutzplan_review_timer_fires_at_the_chosen_date(world, documented, clock):
    engine = world.engine
    to_schutzplan(world, documented["id"])
    plan = open_task(world, "kita_fk", documented["id"], "schutzplan_vereinbaren")
    too_late = (clock.now().astimezone(BERLIN).date() + timedelta(weeks=8, days=1)).isoformat()
    with pytest.raises(ValidationFailed) as refused:
        engine.complete_task(
            world["kita_fk"],
            plan["id"],
            {"massnahmen": [{"was": "Frühstück", "wer": "Eltern", "bis": "2026-03-20"}], "ueberpruefung_am": too_late},
        )
    assert "schutzplan_max" in refused.value.errors["ueberpruefung_am"][0]
    review_day = date(2026, 3, 16)
    engine.complete_task(
        world["kita_fk"],
        plan["id"],
        {
            "massnahmen": [{"was": "Frühstück", "wer": "Eltern", "bis": "2026-03-20"}],
            "ueberpruefung_am": review_day.isoformat(),
        },
    )
    assert "schutzplan_ueberpruefen" not in [
        t["task"] for t in engine.case(world["kita_fk"], documented["id"])["open_tasks"]
    ]
    clock.set(datetime(2026, 3, 16, 7, 59, tzinfo=BERLIN))
    assert not any("timer" in line for line in engine.run_due())
    clock.set(datetime(2026, 3, 16, 8, 0, 1, tzinfo=BERLIN))
    assert any(line.endswith("timer fired") for line in engine.run_due())
    review = open_task(world, "kita_leitung", documented["id"], "schutzplan_ueberpruefen")
    engine.complete_task(
        world["kita_leitung"],
        review["id"],
        {
            "wirksam": "weiter_beobachten",
            "vermerk": "Besser, weiter beobachten.",
            "naechste_ueberpruefung_am": "2026-04-13",
        },
    )
    clock.set(datetime(2026, 4, 13, 8, 0, 1, tzinfo=BERLIN))
    assert any(line.endswith("timer fired") for line in engine.run_due())
    assert open_task(world, "kita_leitung", documented["id"], "schutzplan_ueberpruefen")["id"] != review["id"]
    assert [e.type for e in _events(engine, ["deadline.fired"])] == ["deadline.fired", "deadline.fired"]


def test_jugendamt_sofortmeldung_runs_on_akut_and_eindruck_by_urgency(world, child, clock):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.complete_task(world["kita_fk"], case.open_tasks[0].id, {**BEOBACHTUNG, "akute_gefahr": True})
    opened = clock.now()
    clock.advance(timedelta(minutes=30))
    engine.complete_task(
        world["kita_leitung"],
        open_task(world, "kita_leitung", case.case_id, "sofortmeldung_jugendamt")["id"],
        {
            "gemeldet_am": "2026-03-02T08:45:00+01:00",
            "kanal": "telefon",
            "polizei_informiert": False,
            "eltern_informiert": True,
            "zusammenfassung": "Akut.",
        },
    )
    ja = engine.case(world["kita_leitung"], case.case_id)["links"][0]["case_id"]
    clock.advance(timedelta(minutes=30))
    engine.complete_task(
        world["goch_fk"],
        open_task(world, "goch_fk", ja, "eingang_erfassen")["id"],
        {
            "eingegangen_am": "2026-03-02T08:50:00+01:00",
            "kanal": "meldung_traeger",
            "meldende_stelle": "kita_kindertagespflege",
            "anonym": False,
            "inhalt": "Akut.",
        },
    )
    first = open_task(world, "goch_fk", ja, "ersteinschaetzung")
    assert first["due_at"] == (opened + timedelta(minutes=30) + timedelta(hours=1)).isoformat()  # akut, from opening
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
    engine.complete_task(
        world["goch_fk2"], open_task(world, "goch_fk2", ja, "ersteinschaetzung_bestaetigen")["id"], {"bestaetigt": True}
    )
    eindruck = open_task(world, "goch_fk", ja, "unmittelbarer_eindruck")
    assert eindruck["due_at"] == (clock.now() + timedelta(hours=4)).isoformat()  # eindruck_rot: PT4H
