"""The case list's order as columns (engine/cases/list_order.py): every way a case's urgency, status
or open steps' due times change leaves `list_rank` and `list_due` as the rules compute them from the
case, migration 0025 fills them for the cases before it, and the first page of an organisation's list
is read in index order (no sort of all its cases)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import event, select, update

from engine.cases import list_order
from engine.cases.keyset import NEVER
from engine.persistence import models as m
from engine.persistence.migrate import alembic_config, upgrade_to_head
from tests.process.conftest import EINGANG, ERSTEINSCHAETZUNG
from tests.support.cases import BEOBACHTUNG, closed_case, complete, sofortmeldung


def _stored_and_computed(world) -> dict[int, tuple]:
    """Per case: (stored rank, stored due) and the same computed from the case as it is now."""
    computed_rank = list_order.rank_sql(list_order.urgency_sql(closed_has_none=True))
    computed_due = list_order.due_key(list_order.earliest_due())
    with world.engine.reading() as uow:
        rows = uow.session.execute(
            select(m.Case.id, m.Case.list_rank, m.Case.list_due, computed_rank, computed_due)
        ).all()
    return {row[0]: (tuple(row[1:3]), tuple(row[3:5])) for row in rows}


def _a_mix_of_cases(world, child, clock) -> dict[str, int]:
    engine = world.engine
    direct = engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child).case_id
    triaged = engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child).case_id
    complete(world, "goch_fk", triaged, "eingang_erfassen", EINGANG)
    complete(
        world,
        "goch_fk",
        triaged,
        "ersteinschaetzung",
        {**ERSTEINSCHAETZUNG, "dringlichkeit": "gelb", "gewichtige_anhaltspunkte": True},
    )
    clock.advance(timedelta(minutes=3))
    akut = sofortmeldung(world, child)
    kita = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child).case_id
    complete(world, "kita_fk", kita, "anhaltspunkte_dokumentieren", BEOBACHTUNG)
    closed, _ = closed_case(world, child)
    return {"direct": direct, "triaged": triaged, "akut": akut, "kita": kita, "closed": closed}


def test_every_save_leaves_the_stored_order_as_the_rules_compute_it(world, child, clock):
    cases = _a_mix_of_cases(world, child, clock)
    found = _stored_and_computed(world)
    assert all(stored == computed for stored, computed in found.values()), found
    ranks = {name: found[case_id][0][0] for name, case_id in cases.items()}
    assert ranks == {"direct": 3, "triaged": 1, "akut": 0, "kita": 3, "closed": 3}
    assert found[cases["closed"]][0][1] == NEVER and found[cases["direct"]][0][1] < NEVER


def test_migration_0025_fills_the_order_of_the_cases_before_it(world, child, clock):
    _a_mix_of_cases(world, child, clock)
    with world.engine.writing() as uow:  # as if written by code that knew no such columns
        uow.session.execute(update(m.Case).values(list_rank=3, list_due=NEVER))
        uow.commit()
    command.downgrade(alembic_config(world.engine.db), "0024")
    upgrade_to_head(world.engine.db)
    found = _stored_and_computed(world)
    assert all(stored == computed for stored, computed in found.values()), found
    assert {stored[0] for stored, _ in found.values()} == {0, 1, 3}


def test_the_first_page_is_read_in_index_order(world, child):
    """SQLite's plan for an organisation's first page: the list index, no sort of all its cases (on
    PostgreSQL the planner's choice depends on the table's statistics: the scale benchmark shows it)."""
    if world.engine.db.dialect.name != "sqlite":
        pytest.skip("the plan of SQLite")
    world.engine.open_case(world["goch_fk"], process_key="jugendamt_8a", child=child)
    listed: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        if "list_rank" in statement and "LIMIT" in statement:
            listed.append((statement, parameters))

    event.listen(world.engine.db, "before_cursor_execute", keep)
    try:
        world.engine.cases(world["goch_fk"])
    finally:
        event.remove(world.engine.db, "before_cursor_execute", keep)
    [(statement, parameters)] = listed
    with world.engine.db.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert any("ix_cases_list_order" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
