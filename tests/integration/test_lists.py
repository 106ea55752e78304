"""The lists (issue 10, items 5 and 6): urgent first (akut/rot, gelb, gruen, the rest), then by due
time; each row with its urgency, current step, due time and — for the own organisation only — the
child's name and age; people by their display names."""

from __future__ import annotations

from datetime import timedelta

from engine.persistence import models as m
from tests.process.conftest import EINGANG, ERSTEINSCHAETZUNG
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG, complete, open_task, sofortmeldung


def _direct(world, child) -> int:
    return world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child).case_id


def _triaged(world, child, colour: str) -> int:
    case_id = _direct(world, child)
    complete(world, "goch_fk", case_id, "eingang_erfassen", EINGANG)
    values = {**ERSTEINSCHAETZUNG, "dringlichkeit": colour, "gewichtige_anhaltspunkte": True}
    complete(world, "goch_fk", case_id, "ersteinschaetzung", values)
    return case_id


def test_cases_are_listed_urgent_first_then_by_due_time(world, child, clock):
    plain = _direct(world, child)
    clock.advance(timedelta(minutes=5))
    gruen = _triaged(world, {**child, "vorname": "Ben"}, "gruen")
    clock.advance(timedelta(minutes=5))
    gelb = _triaged(world, child, "gelb")
    clock.advance(timedelta(minutes=5))
    akut = sofortmeldung(world, {**child, "wohnort_gemeinde": "Goch"})
    later_plain = _direct(world, child)

    listed = world.engine.cases(world["goch_fk"], {"status": "offen"}).rows
    assert [c["id"] for c in listed] == [akut, gelb, gruen, plain, later_plain]
    assert [c["urgency"] for c in listed] == ["akut", "gelb", "gruen", None, None]
    first = listed[0]
    assert first["current_task"] == "eingang_erfassen" and first["current_task_title"] == "Eingang erfassen"
    assert first["due_at"] == (clock.now() + timedelta(hours=1)).isoformat() and first["overdue"] is False
    assert first["child_name"] == "Mia Beispielkind" and first["alter_jahre"] == 5
    assert listed[2]["child_name"] == "Ben Beispielkind"

    clock.advance(timedelta(hours=2))
    assert world.engine.cases(world["goch_fk"], {"status": "offen"}).rows[0]["overdue"] is True


def test_tasks_are_listed_urgent_first_with_the_childs_name(world, child, clock):
    plain = _direct(world, child)
    akut = sofortmeldung(world, child)
    tasks = world.engine.tasks(world["goch_fk"]).rows
    assert [(t["case_id"], t["task"], t["urgency"]) for t in tasks] == [
        (akut, "eingang_erfassen", "akut"),
        (plain, "eingang_erfassen", None),
    ]
    assert tasks[0]["child_name"] == "Mia Beispielkind" and tasks[0]["alter_jahre"] == 5


def test_triage_replaces_akut_by_the_ampel(world, child):
    akut = sofortmeldung(world, child)
    complete(world, "goch_fk", akut, "eingang_erfassen", EINGANG)
    complete(world, "goch_fk", akut, "ersteinschaetzung", {**ERSTEINSCHAETZUNG, "gewichtige_anhaltspunkte": True})
    [row] = [c for c in world.engine.cases(world["goch_fk"]).rows if c["id"] == akut]
    assert row["urgency"] == "gelb"
    assert [t["urgency"] for t in world.engine.tasks(world["goch_fk2"]).rows if t["case_id"] == akut] == ["gelb"]


def test_the_insofa_lists_show_pseudonyms_only(world, child):
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    complete(world, "kita_fk", case.case_id, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    values = {
        "gewichtige_anhaltspunkte": True,
        "einschaetzung_leitung": "Beratung nötig.",
        "fallschilderung": FALLSCHILDERUNG,
    }
    complete(world, "kita_leitung", case.case_id, "leitung_informieren", values)
    [task] = world.engine.tasks(world["insofa_kleve"]).rows
    [listed] = world.engine.cases(world["insofa_kleve"]).rows
    for row in (task, listed):
        assert "child_name" not in row and "alter_jahre" not in row
        assert "Mia" not in repr(row) and "Beispielkind" not in repr(row)
    assert listed["responsible_name"] is None and listed["current_task"] == "insofa_beratung"
    assert listed["due_at"] is not None
    own = world.engine.cases(world["kita_fk"]).rows[0]
    assert own["child_name"] == "Mia Beispielkind"


def test_history_and_responsible_by_display_name(world, child):
    case_id = _direct(world, child)
    world.engine.take_over(world["goch_fk"], case_id)
    complete(world, "goch_fk", case_id, "eingang_erfassen", EINGANG)
    view = world.engine.case(world["goch_fk"], case_id)
    assert view["responsible_name"] == "Goch Fk" and view["responsible"] == "goch_fk"
    assert [(h["task"], h["completed_by_name"]) for h in view["history"]] == [("eingang_erfassen", "Goch Fk")]
    [row] = world.engine.cases(world["goch_fk"]).rows
    assert row["responsible_name"] == "Goch Fk"


def test_a_reminder_mail_addresses_its_recipient_by_name(world, child, clock):
    akut = sofortmeldung(world, child)
    with world.engine.writing() as uow:
        for user in uow.session.query(m.User).filter(m.User.username.in_(["goch_fk", "goch_fk2"])):
            user.email = f"{user.username}@example.org"
        uow.commit()
    clock.advance(timedelta(minutes=45))
    world.engine.run_due()
    with world.engine.reading() as uow:
        mails = {n.recipient: n.body for n in uow.session.query(m.Notification)}
    assert mails["goch_fk@example.org"].startswith("Guten Tag Goch Fk,")
    assert "Mia" not in mails["goch_fk@example.org"] and open_task(world, "goch_fk", akut, "eingang_erfassen")
