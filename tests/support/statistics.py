"""A counted case's Statistikmeldung changed in place, as a correction of the case would change it:
the lock tests need a counted record that changes after the year was locked (the engine has no
correction step of its own for a completed Statistikmeldung yet)."""

from __future__ import annotations

from sqlalchemy import select

from engine.persistence import models as m
from engine.persistence.sealed import open_history_values, seal_history_values
from engine.statistics.records import RECORD_TASK
from engine.transactions import Work


def correct_record(world, case_id: int, **values) -> None:
    def correct(work: Work) -> None:
        case = work.session.get(m.Case, case_id)
        row = work.session.execute(
            select(m.TaskHistory).where(m.TaskHistory.case_id == case_id, m.TaskHistory.task_key == RECORD_TASK)
        ).scalar_one()
        changed = {**open_history_values(work, case.reference, row), **values}
        row.values = seal_history_values(work, case.reference, row.task_uuid, changed)

    world.engine.tx.command(correct)
