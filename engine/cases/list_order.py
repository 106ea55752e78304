"""The lists' order in SQL: how urgent a row is and when it is due — for the case list also stored on
the case, so that its first page is an index read.

The order (engine/cases/lists.py): urgency rank (akut/rot, gelb, gruen, the rest — the same rules as
engine/deadlines/urgency.py), then the due time (a case: its earliest open step's; none last), then
newest case first, then the id. Computed at list time, the case list had to work out rank and
earliest due of every case the person may see before it could cut a page: 105 ms p95 for a Jugendamt
with 11,000 cases among 1.1 M (docs/performance.md). So every save writes them into `cases.list_rank`
and `cases.list_due` (`refresh`, one statement) and `ix_cases_list_order` holds the cases of an
organisation in list order: the first page reads 51 index entries, whatever the organisation's size.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, literal, select, update
from sqlalchemy.orm import Session

from audit.tables import UTCDateTime
from engine.cases.keyset import NEVER
from engine.deadlines.urgency import AKUT, RANK, UNRANKED
from engine.persistence import models as m

CLOSED = "abgeschlossen"


def urgency_sql(*, closed_has_none: bool) -> ColumnElement[Any]:
    """`urgency(dringlichkeit, akut)` as SQL; for the case list a closed case has none."""
    whens: list[tuple[SQLColumnExpression[bool], Any]] = []
    if closed_has_none:
        whens.append((m.Case.status == CLOSED, literal(None)))
    colours = [value for value in RANK if value != AKUT]
    whens += [(m.Case.dringlichkeit.in_(colours), m.Case.dringlichkeit), (m.Case.akut, literal(AKUT))]
    return case(*whens, else_=literal(None))


def rank_sql(urgency: ColumnElement[Any]) -> ColumnElement[int]:
    return case(RANK, value=urgency, else_=UNRANKED)


def due_key(due: SQLColumnExpression[Any]) -> ColumnElement[datetime]:
    """A due time as a sort key: none sorts after every real one."""
    return func.coalesce(due, literal(NEVER, UTCDateTime()), type_=UTCDateTime())


def earliest_due() -> ColumnElement[Any]:
    """The due time of the case's earliest open step of the process (an escalation task is none)."""
    return (
        select(func.min(m.OpenTask.due_at))
        .where(m.OpenTask.case_id == m.Case.id, m.OpenTask.kind == "bpmn")
        .correlate(m.Case)
        .scalar_subquery()
    )


def refresh(session: Session, case_id: int) -> None:
    """Write the case's list order after its status, urgency or open steps' due times changed."""
    session.execute(
        update(m.Case)
        .where(m.Case.id == case_id)
        .values(list_rank=rank_sql(urgency_sql(closed_has_none=True)), list_due=due_key(earliest_due()))
        .execution_options(synchronize_session=False)
    )


def shown_due(list_due: datetime) -> datetime | None:
    """The stored sort key as the lists show it: None for no due time."""
    return None if list_due >= NEVER else list_due
