"""Fault cases of the run loop: two completions racing, a stale write, a crash mid-step.
Nothing acknowledged is lost and nothing half-done remains (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.bootstrap import build_engine
from engine.cases import completion as casework
from engine.cases import state as case_state
from engine.cases.references import next_reference
from engine.cases.results import CaseProgress
from engine.errors import Conflict, StaleCase
from engine.persistence import models as m


def _first_task(world, user, case):
    return world.engine.case(world[user], case.case_id)["open_tasks"][0]["id"]


def _race(callables):
    barrier = threading.Barrier(len(callables))
    results: list[object] = [None] * len(callables)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(callables)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.parametrize("nodes", ["one_node", "two_nodes"])
def test_two_threads_complete_the_same_task_exactly_one_wins(world, child, database_url, clock, instance, nodes):
    case = world.engine.open_case(world["kita_fk"], process_key="melder", child=child)
    task_id = _first_task(world, "kita_fk", case)
    other = world.engine if nodes == "one_node" else build_engine(database_url, clock, instance)
    try:
        results = _race(
            [
                lambda: world.engine.complete_task(world["kita_fk"], task_id, {"frage": "A"}),
                lambda: other.complete_task(world["kita_fk2"], task_id, {"frage": "B"}),
            ]
        )
    finally:
        if other is not world.engine:
            other.db.dispose()
    wins = [r for r in results if isinstance(r, CaseProgress)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    view = world.engine.case(world["kita_fk"], case.case_id)
    assert len(view["history"]) == 1
    # Exactly one Meldung went out: one linked Jugendamt case.
    assert len(view["links"]) == 1
    with world.engine.reading() as uow:
        assert uow.session.query(m.Case).count() == 2


def test_stale_write_is_refused(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="melder", child=child)
    task_id = _first_task(world, "kita_fk", case)
    with engine.work() as (uow, work):
        stale = case_state.load(work, uow.session.get(m.Case, case.case_id))
    engine.complete_task(world["kita_fk"], task_id, {"frage": "A"})
    with engine.work() as (uow, work), pytest.raises(StaleCase):
        stale.case = uow.session.get(m.Case, case.case_id)
        case_state.save(work, stale)
    assert len(engine.case(world["kita_fk"], case.case_id)["history"]) == 1


def test_crash_mid_step_leaves_nothing_behind(world, child, monkeypatch):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="melder", child=child)
    task_id = _first_task(world, "kita_fk", case)

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash while delivering the Meldung")

    monkeypatch.setattr(casework, "deliver_messages", crash)
    with pytest.raises(RuntimeError):
        engine.complete_task(world["kita_fk"], task_id, {"frage": "A"})
    view = engine.case(world["kita_fk"], case.case_id)
    assert view["history"] == [] and view["links"] == []
    assert [t["id"] for t in view["open_tasks"]] == [task_id]
    monkeypatch.undo()
    engine.complete_task(world["kita_fk"], task_id, {"frage": "A"})
    assert engine.case(world["kita_fk"], case.case_id)["history"]


def test_a_step_that_reports_and_an_opening_never_deadlock(world, database_url):
    """Found by the SIGKILL trials on PostgreSQL (tests/reliability): a Meldung appends to the audit
    chain (head row locked) and then numbers the Jugendamt's case (reference counter); an opening
    numbers first and appends after. Interleaved, each waited for the other's lock: a 500 for one.
    Writers now take the chain head first (as SQLite's BEGIN IMMEDIATE), so the second waits whole."""
    appended, numbered = threading.Event(), threading.Event()

    def reporting(work):  # the Meldung's order: audit first, then a reference
        record(work, EventType.CASE_READ, actor=None, payload={"view": "test"})
        appended.set()
        numbered.wait(3)  # without the fix the opening holds the counter by now
        return next_reference(work.session, 2026)

    def opening(work):  # an opening's order: a reference first, then audit
        reference = next_reference(work.session, 2026)
        numbered.set()
        record(work, EventType.CASE_READ, actor=None, payload={"view": "test"})
        return reference

    def second():
        appended.wait(10)
        return world.engine.tx.command(opening)

    results = _race([lambda: world.engine.tx.command(reporting), second])
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 2
