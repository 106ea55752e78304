"""Messages between cases: a thrown message opens a case at the responsible Jugendamt, the reply
reaches the waiting case — all in the sender's unit of work (tested on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from engine.errors import NotAllowed, NotFound


def _open_task(world, actor_name, task_key):
    tasks = [t for t in world.engine.tasks(world[actor_name]).rows if t["task"] == task_key]
    assert tasks, f"{actor_name} has no open {task_key}"
    return tasks[0]


def test_message_opens_case_at_responsible_jugendamt_and_reply_returns(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="melder", child=child)
    # the child lives in Goch, the Kita is in Kevelaer
    assert engine.case(world["kita_fk"], case.case_id)["jugendamt"]["key"] == "ja-goch"
    assert case.reference.startswith("KS-2026-")

    ask = _open_task(world, "kita_fk", "fragen")
    engine.complete_task(world["kita_fk"], ask["id"], {"frage": "Wie geht es weiter?", "intern": "geheim"})
    after = engine.case(world["kita_fk"], case.case_id)
    assert [link["relation"] for link in after["links"]] == ["meldung_an"]
    ja_case_id = after["links"][0]["case_id"]

    # Only Goch sees the new case; Kevelaer (the Kita's own Jugendamt) does not.
    with pytest.raises(NotFound):
        engine.case(world["kevelaer_fk"], ja_case_id)
    ja_case = engine.case(world["goch_fk"], ja_case_id)
    assert ja_case["organisation"]["key"] == "ja-goch"
    assert ja_case["child"]["nachname"] == "Beispielkind"
    assert ja_case["links"][0]["case_id"] == case.case_id

    reply = _open_task(world, "goch_fk", "antworten")
    engine.complete_task(world["goch_fk"], reply["id"], {"ja": True})
    assert engine.case(world["goch_fk"], ja_case_id)["status"] == "abgeschlossen"

    # The Träger case got the answer and moved on to its last step (Mehraugenprinzip: not kita_fk's).
    waiting = engine.case(world["kita_leitung"], case.case_id)
    assert [t["task"] for t in waiting["open_tasks"]] == ["abschliessen"]
    assert not [t for t in engine.tasks(world["kita_fk"]).rows if t["task"] == "abschliessen"]


def test_meldebogen_carries_only_the_payload_not_internal_notes(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="melder", child=child)
    ask = _open_task(world, "kita_fk", "fragen")
    engine.complete_task(world["kita_fk"], ask["id"], {"frage": "F", "intern": "nur intern"})
    after = engine.case(world["kita_fk"], case.case_id)
    ja_task = _open_task(world, "goch_fk", "antworten")
    view = engine.task(world["goch_fk"], ja_task["id"])
    assert view["case_id"] == after["links"][0]["case_id"]
    with engine.work() as (uow, work):
        from engine.cases import state as case_state
        from engine.persistence import models as m

        ja_case = uow.session.get(m.Case, view["case_id"])
        state = case_state.load(work, ja_case)
        meldung = state.instance.variables["meldung"]
    assert meldung["frage"] == "F"
    assert "intern" not in meldung
    assert meldung["melder"]["organisation"] == "kita-kevelaer"
    assert meldung["bezug"] == case.reference


def test_foreign_organisation_cannot_see_or_complete(world, child):
    engine = world.engine
    engine.open_case(world["kita_fk"], process_key="melder", child=child)
    ask = _open_task(world, "kita_fk", "fragen")
    with pytest.raises(NotFound):
        engine.complete_task(world["dueren_fk"], ask["id"], {"frage": "x"})
    with pytest.raises(NotAllowed):
        engine.open_case(world["goch_fk"], process_key="melder", child=child)
