"""The blind index answers per organisation (migration 0026): each row carries its case's
organisation, a lookup reads only the asking organisations' entries of a term — from the index
alone on SQLite — and the migration gives the rows from before it their organisation."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import event, select

from engine.persistence import models as m
from engine.persistence.migrate import alembic_config, upgrade_to_head


def _open(world, child, user: str) -> int:
    return world.engine.open_case(world[user], process_key="traeger_8a", child=child).case_id


def _rows(world) -> set[tuple[int, int, int]]:
    with world.engine.reading() as uow:
        found = uow.session.execute(
            select(m.ChildIndex.case_id, m.ChildIndex.organisation_id, m.Case.organisation_id).join(
                m.Case, m.Case.id == m.ChildIndex.case_id
            )
        )
        return {tuple(row) for row in found}


def test_every_index_row_carries_its_cases_organisation_also_after_migration_0026(world, child):
    mine, theirs = _open(world, child, "kita_fk"), _open(world, child, "dueren_fk")
    rows = _rows(world)
    assert {case_id for case_id, _, _ in rows} == {mine, theirs}
    assert all(own == of_case for _, own, of_case in rows)
    command.downgrade(alembic_config(world.engine.db), "0025")
    upgrade_to_head(world.engine.db)
    assert _rows(world) == rows
    found = world.engine.cases(world["kita_fk"], {"q": child["nachname"]}).rows
    assert [r["id"] for r in found] == [mine]


def test_a_name_lookup_reads_the_index_only(world, child):
    """SQLite's plan of the search's lookup: a covering index search on (digest, organisation)."""
    if world.engine.db.dialect.name != "sqlite":
        pytest.skip("the plan of SQLite")
    _open(world, child, "kita_fk")
    lookups: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM child_index" in statement:
            lookups.append((statement, parameters))

    event.listen(world.engine.db, "before_cursor_execute", keep)
    try:
        world.engine.cases(world["kita_fk"], {"q": f"{child['vorname']} {child['nachname']}"})
    finally:
        event.remove(world.engine.db, "before_cursor_execute", keep)
    assert len(lookups) == 2  # one per name
    with world.engine.db.connect() as connection:
        for statement, parameters in lookups:
            plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            assert any("COVERING INDEX ix_child_index_lookup" in step for step in plan), plan
