"""The lists a page at a time (issue 11, item 1): keyset pages in the documented order (urgent first,
then due, then the newest case / the oldest task, then the id), no row twice and none skipped while
cases are opened during paging, the filters, refusals of wrong parameters, and a fixed number of
statements per page whatever its length."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select, update

from engine.cases import list_order
from engine.cases.list_query import ListScope
from engine.deadlines.urgency import rank
from engine.errors import ValidationFailed
from engine.persistence import models as m
from engine.persistence.migrate import alembic_config, upgrade_to_head
from tests.process.conftest import EINGANG, ERSTEINSCHAETZUNG
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG, complete, sofortmeldung


def _direct(world, child, user: str = "goch_fk") -> int:
    return world.engine.open_case(world[user], process_key="jugendamt_8a", child=child).case_id


def _triaged(world, child, colour: str) -> int:
    case_id = _direct(world, child)
    complete(world, "goch_fk", case_id, "eingang_erfassen", EINGANG)
    values = {**ERSTEINSCHAETZUNG, "dringlichkeit": colour, "gewichtige_anhaltspunkte": True}
    complete(world, "goch_fk", case_id, "ersteinschaetzung", values)
    return case_id


def _close(world, case_id: int) -> None:
    """A case closed meanwhile (its steps are not what this file tests): status and no open step."""
    with world.engine.writing() as uow:
        uow.session.execute(delete(m.OpenTaskBar).where(m.OpenTaskBar.task_id.in_(_task_ids(uow, case_id))))
        uow.session.execute(delete(m.OpenTask).where(m.OpenTask.case_id == case_id))
        uow.session.execute(update(m.Case).where(m.Case.id == case_id).values(status="abgeschlossen"))
        list_order.refresh(uow.session, case_id)  # as every save does
        uow.commit()


def _task_ids(uow, case_id: int) -> list[str]:
    return list(uow.session.execute(select(m.OpenTask.id).where(m.OpenTask.case_id == case_id)).scalars())


def _all(load, **params: str) -> tuple[list[dict[str, Any]], int]:
    """Every row, page by page (and how many pages)."""
    rows, pages, cursor = [], 0, None
    while True:
        page = load({**params, **({"cursor": cursor} if cursor else {})})
        rows += page.rows
        pages += 1
        if page.next_cursor is None:
            return rows, pages
        cursor = page.next_cursor


def _documented_order(row: dict[str, Any]) -> tuple:
    """docs/decisions.md, "Urgency in the lists": akut/rot, gelb, gruen, the rest; then the earliest
    due (none last); then the newest case; then the id."""
    return (rank(row["urgency"]), row["due_at"] is None, row["due_at"] or "", _desc(row["opened_at"]), -row["id"])


def _desc(text: str) -> tuple:
    return tuple(-ord(c) for c in text)


def _a_jugendamt_with_every_urgency(world, child, clock) -> list[int]:
    ids = [_direct(world, child), _direct(world, child)]  # the same instant: ties broken by the id
    clock.advance(timedelta(minutes=5))
    ids += [_triaged(world, child, "gruen"), _triaged(world, child, "gelb"), _triaged(world, child, "rot")]
    clock.advance(timedelta(minutes=5))
    ids += [sofortmeldung(world, child), _direct(world, child), _direct(world, child)]
    closed = _direct(world, child)
    _close(world, closed)
    return [*ids, closed]


def test_the_pages_together_are_the_whole_list_in_the_documented_order(world, child, clock):
    ids = _a_jugendamt_with_every_urgency(world, child, clock)
    actor = world["goch_fk"]
    whole = world.engine.cases(actor, {"limit": "200"})
    assert whole.next_cursor is None and sorted(r["id"] for r in whole.rows) == sorted(ids)
    assert whole.rows == sorted(whole.rows, key=_documented_order)
    urgencies = [r["urgency"] for r in whole.rows]
    assert set(urgencies[:2]) == {"rot", "akut"} and urgencies[2:4] == ["gelb", "gruen"]
    assert whole.rows[-1]["status"] == "abgeschlossen" and whole.rows[-1]["urgency"] is None
    for size in (1, 2, 4, 9):
        rows, pages = _all(lambda p: world.engine.cases(actor, p), limit=str(size))
        assert rows == whole.rows and pages == -(-len(ids) // size)

    tasks = world.engine.tasks(actor, {"limit": "200"}).rows
    assert len(tasks) > 4
    for size in (1, 3):
        assert _all(lambda p: world.engine.tasks(actor, p), limit=str(size))[0] == tasks
    key = [(rank(t["urgency"]), t["due_at"] is None, t["due_at"] or "") for t in tasks]
    assert key == sorted(key)


def test_cases_opened_while_paging_neither_repeat_nor_hide_a_listed_case(world, child, clock):
    before = [_direct(world, child) for _ in range(3)] + [_triaged(world, child, "gelb")]
    clock.advance(timedelta(minutes=1))
    before += [_direct(world, child) for _ in range(3)]
    actor, seen, cursor, opened = world["goch_fk"], [], None, []
    while True:
        page = world.engine.cases(actor, {"limit": "2", **({"cursor": cursor} if cursor else {})})
        seen += [r["id"] for r in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        clock.advance(timedelta(seconds=30))
        opened += [sofortmeldung(world, child), _direct(world, child)]  # before and after the position
    assert len(seen) == len(set(seen))
    assert set(before) <= set(seen) and set(seen) <= set(before + opened)
    assert set(opened) - set(seen)  # the urgent ones opened meanwhile belong before the position


def test_the_filters_of_the_case_list(world, child, clock):
    plain, akut = _direct(world, child), sofortmeldung(world, child)
    rot, closed = _triaged(world, child, "rot"), _direct(world, child)
    _close(world, closed)
    world.engine.take_over(world["goch_fk2"], plain)
    cases = world.engine.cases
    actor = world["goch_fk"]

    def ids(**params: str) -> set[int]:
        return {r["id"] for r in cases(actor, params).rows}

    assert ids(status="abgeschlossen") == {closed} and ids(status="offen") == {plain, akut, rot}
    assert ids(urgency="akut") == {akut} and ids(urgency="rot") == {rot} and ids(urgency="gruen") == set()
    assert ids(process="jugendamt_8a") == {plain, akut, rot, closed}
    assert {r["id"] for r in cases(world["goch_fk2"], {"assigned": "me"}).rows} == {plain}
    assert ids(assigned="me") == set()
    assert ids(overdue="true") == set() and ids(overdue="false") == {plain, akut, rot, closed}
    clock.advance(timedelta(hours=2))  # the intake of the Sofortmeldung is due within the hour
    late = ids(overdue="true")
    assert akut in late and closed not in late and ids(overdue="false") == {plain, akut, rot, closed} - late
    assert all(r["overdue"] for r in cases(actor, {"overdue": "true"}).rows)
    assert ids(status="offen", urgency="akut", overdue="true", process="jugendamt_8a") == {akut}

    kita = world.engine.open_case(world["kita_fk"], process_key="melder", child=child).case_id
    traeger = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    assert {r["id"] for r in cases(world["kita_fk"], {"process": "melder"}).rows} == {kita}
    traeger_cases = {r["id"] for r in cases(world["kita_fk"], {"process": "traeger_8a"}).rows}
    assert traeger in traeger_cases and kita not in traeger_cases  # with the Sofortmeldung's


def test_the_filters_of_the_task_list_and_a_name_named_by_the_leitung(world, child, clock):
    plain, akut = _direct(world, child), sofortmeldung(world, child)
    world.engine.take_over(world["goch_fk"], plain)
    tasks = world.engine.tasks

    def cases_of(actor: str, **params: str) -> set[int]:
        return {t["case_id"] for t in tasks(world[actor], params).rows}

    assert cases_of("goch_fk", urgency="akut") == {akut} and cases_of("goch_fk", urgency="gelb") == set()
    assert cases_of("goch_fk", assigned="me") == {plain} and cases_of("goch_fk2", assigned="me") == set()
    assert cases_of("goch_fk", process="jugendamt_8a") == {plain, akut}
    assert cases_of("goch_fk", process="traeger_8a") == set()
    clock.advance(timedelta(hours=2))
    assert akut in cases_of("goch_fk", overdue="true") and akut not in cases_of("goch_fk", overdue="false")

    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    complete(world, "kita_fk", case, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    values = {
        "gewichtige_anhaltspunkte": True,
        "einschaetzung_leitung": "Beratung nötig.",
        "fallschilderung": FALLSCHILDERUNG,
        "insofa": "insofa_kleve2",
    }
    complete(world, "kita_leitung", case, "leitung_informieren", values)
    assert cases_of("insofa_kleve2", assigned="me") == {case}  # offered to them by name
    assert {r["id"] for r in world.engine.cases(world["insofa_kleve2"], {"assigned": "me"}).rows} == {case}
    assert cases_of("insofa_kleve") == set()


def test_wrong_parameters_are_refused(world, child):
    _direct(world, child), _direct(world, child)
    actor = world["goch_fk"]
    cases_cursor = world.engine.cases(actor, {"limit": "1"}).next_cursor
    for load, params, wrong in [
        (world.engine.cases, {"status": "garbage"}, "status"),
        (world.engine.cases, {"process": "gibt_es_nicht"}, "process"),
        (world.engine.cases, {"limit": "201"}, "limit"),
        (world.engine.cases, {"cursor": "kaputt"}, "cursor"),
        (world.engine.tasks, {"status": "offen"}, "status"),
        (world.engine.tasks, {"cursor": cases_cursor}, "cursor"),  # a cursor of the other list
    ]:
        with pytest.raises(ValidationFailed) as refused:
            load(actor, params)
        assert list(refused.value.errors) == [wrong], params


def test_a_page_costs_the_same_statements_whatever_its_length(world, child):
    """No N+1: the rows with their organisations and responsible person in one statement, the keys of
    the children's data in one more — for a page of 50 as for a page of 5."""
    for _ in range(26):
        world.engine.take_over(world["goch_fk"], _direct(world, child))
        _direct(world, child)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(world.engine.db, "before_cursor_execute", count)
    try:
        per_page = {}
        for name, load in (("cases", world.engine.cases), ("tasks", world.engine.tasks)):
            for limit in ("50", "5"):
                load(world["goch_fk"], {"limit": limit})  # warm: process versions are loaded once per node
                statements.clear()
                page = load(world["goch_fk"], {"limit": limit, "process": "jugendamt_8a", "assigned": "me"})
                assert len(page.rows) == min(int(limit), 26) and all(r.get("child_name") for r in page.rows)
                per_page[name, limit] = len(statements)
    finally:
        event.remove(world.engine.db, "before_cursor_execute", count)
    assert per_page["cases", "50"] == per_page["cases", "5"] <= 5
    assert per_page["tasks", "50"] == per_page["tasks", "5"] <= 5


def test_the_task_list_offers_what_the_engine_would_let_each_person_complete(world, child, clock):
    """The task list decides in SQL what `permissions.may_complete` decides for one task: lanes,
    the pool and who was named, the Mehraugenprinzip, an escalation for the Leitung."""
    akut = sofortmeldung(world, child)
    complete(world, "goch_fk", akut, "eingang_erfassen", EINGANG)
    rot = {**ERSTEINSCHAETZUNG, "dringlichkeit": "rot", "gewichtige_anhaltspunkte": True}
    complete(world, "goch_fk", akut, "ersteinschaetzung", rot)  # goch_fk may not confirm it
    assert not [t for t in world.engine.tasks(world["goch_fk"]).rows if t["case_id"] == akut]
    confirm = [t["task"] for t in world.engine.tasks(world["goch_fk2"], {"urgency": "rot"}).rows]
    assert confirm == ["ersteinschaetzung_bestaetigen"]
    pooled = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    complete(world, "kita_fk", pooled, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    values = {
        "gewichtige_anhaltspunkte": True,
        "einschaetzung_leitung": "Beratung nötig.",
        "fallschilderung": FALLSCHILDERUNG,
    }
    complete(world, "kita_leitung", pooled, "leitung_informieren", values)
    late = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    clock.advance(timedelta(days=30))
    world.engine.run_due()  # escalations for the Leitung
    assert "frist_klaeren" in {
        t["task"] for t in world.engine.tasks(world["kita_leitung"]).rows if t["case_id"] == late
    }
    for name in sorted(world.actors):
        actor = world[name]
        listed = {t["id"] for t in world.engine.tasks(actor, {"limit": "200"}).rows}
        expected = {
            t["id"]
            for case in world.engine.cases(actor, {"limit": "200"}).rows
            for t in world.engine.case(actor, case["id"])["open_tasks"]
            if t["may_complete"]
        }
        assert listed == expected, name


def test_scopes_narrow_a_list_for_a_page(world, child):
    akut = sofortmeldung(world, child)
    _direct(world, child)
    intake = world.engine.tasks(world["goch_fk"], scope=ListScope(steps=frozenset({"eingang_erfassen"}))).rows
    assert len(intake) == 2
    assert world.engine.tasks(world["goch_fk"], scope=ListScope(lanes=frozenset({"insofa"}))).rows == []
    own = world.engine.cases(world["goch_fk"], scope=ListScope(organisations=frozenset({"ja-goch"}))).rows
    assert akut in {r["id"] for r in own}
    assert world.engine.cases(world["goch_fk"], scope=ListScope(organisations=frozenset({"kita-kevelaer"}))).rows == []


def test_a_shredded_case_is_listed_without_its_child(world, child):
    case_id = _direct(world, child)
    _direct(world, {**child, "vorname": "Ben"})
    _close(world, case_id)
    reference = world.engine.case(world["goch_fk"], case_id)["reference"]
    world.engine.shred_case(reference, reason="Aufbewahrungsfrist abgelaufen", operator="betrieb")
    rows = {r["id"]: r for r in world.engine.cases(world["goch_fk"]).rows}
    assert "child_name" not in rows[case_id] and rows[case_id]["reference"] == reference
    assert [r["child_name"] for i, r in rows.items() if i != case_id] == ["Ben Beispielkind"]


def test_migration_0011_gives_older_tasks_their_lane_roles(world, child):
    """Tasks opened before 0003 carried no lane roles; the SQL of the task list needs them."""
    case_id = _direct(world, child)
    with world.engine.writing() as uow:
        uow.session.execute(update(m.OpenTask).where(m.OpenTask.case_id == case_id).values(lane_roles=""))
        uow.commit()
    assert world.engine.tasks(world["goch_fk"]).rows == []
    from alembic import command

    command.downgrade(alembic_config(world.engine.db), "0010")
    upgrade_to_head(world.engine.db)
    with world.engine.reading() as uow:
        roles = uow.session.execute(select(m.OpenTask.lane_roles).where(m.OpenTask.case_id == case_id)).scalars()
        assert list(roles) == ["ja_fachkraft,ja_leitung"]
    assert [t["case_id"] for t in world.engine.tasks(world["goch_fk"]).rows] == [case_id]
