"""The transaction runner: a command commits or leaves nothing; a refusal is recorded in a unit of
its own; a query never takes SQLite's write lock; the web asks for a task's state instead of probing
it with a command."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from engine.errors import Conflict, NotAllowed, NotFound
from engine.persistence import models as m
from tests.support.cases import BEOBACHTUNG


def _count(engine, model):
    with engine.reading() as uow:
        return uow.session.query(model).count()


def test_a_refused_command_leaves_nothing_but_its_recorded_refusal(world):
    engine = world.engine
    recorded = []

    def action(work):
        work.session.add(m.Network(key="nirgendwo", name="Nirgendwo"))
        work.session.flush()
        raise NotAllowed("nein")

    def refusal(work, refused):
        recorded.append((type(refused).__name__, work.session.query(m.Network).filter_by(key="nirgendwo").count()))
        return None

    with pytest.raises(NotAllowed):
        engine.tx.command(action, refusal=refusal)
    assert recorded == [("NotAllowed", 0)]  # the refusal's unit does not see the rolled-back change
    assert engine.tx.query(lambda work: work.session.query(m.Network).filter_by(key="nirgendwo").count()) == 0


def test_a_refusal_handler_may_replace_the_error(world):
    def action(work):
        raise NotAllowed("erst")

    with pytest.raises(Conflict, match="statt"):
        world.engine.tx.command(action, refusal=lambda work, refused: Conflict("statt"))


def test_a_query_does_not_take_the_write_lock(world):
    if world.engine.db.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    begins = []

    @event.listens_for(world.engine.db, "begin")
    def _begin(conn):
        begins.append(conn.get_execution_options().get("schutzpfad_write", False))

    try:
        world.engine.tasks(world["kita_fk"])
        world.engine.cases(world["kita_fk"])
    finally:
        event.remove(world.engine.db, "begin", _begin)
    assert begins and not any(begins)


def test_reading_a_case_is_audited_and_a_refused_read_leaves_a_trace(world, child):
    engine = world.engine
    opened = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.case(world["kita_fk"], opened.case_id)
    with pytest.raises(NotFound):
        engine.case(world["dueren_fk"], opened.case_id)
    with engine.reading() as uow:
        types = [e.type for e in engine.vault.read(uow.session.connection(), case_ref=opened.reference)]
    assert types == ["case.created", "case.read", "access.denied"]


def test_task_status_answers_without_running_a_command(world, child):
    engine = world.engine
    opened = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    task_id = opened.open_tasks[0].id
    assert engine.task_status(world["kita_fk"], task_id).state == "open"
    with pytest.raises(NotFound):
        engine.task_status(world["dueren_fk"], task_id)  # another organisation's case: like a missing one
    before = _count(engine, m.TaskHistory)
    engine.complete_task(world["kita_fk"], task_id, BEOBACHTUNG)
    assert engine.task_status(world["kita_fk"], task_id).state == "done"
    [next_step] = engine.case(world["kita_fk"], opened.case_id)["open_tasks"]  # Leitung informieren
    refused = engine.task_status(world["kita_fk"], next_step["id"])
    assert refused.state == "not_yours" and "Leitung" in refused.refusal
    assert _count(engine, m.TaskHistory) == before + 1
    with pytest.raises(NotFound):
        engine.task_status(world["kita_fk"], "no-such-task")
