"""The earlier cases found for a case, as its view and the Eingang show them (engine/cases/earlier_cases.py
finds and decides them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.persistence import models as m

OPEN = "offen"


def earlier_cases(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The matches of a case for its view (`fruehere_faelle`): the earlier case's Aktenzeichen, dates,
    status and the state of the decision, oldest first."""
    rows = session.execute(
        select(m.CaseMatch, m.Case)
        .join(m.Case, m.Case.id == m.CaseMatch.earlier_case_id)
        .where(m.CaseMatch.case_id == case_id)
        .order_by(m.Case.opened_at, m.Case.id)
    ).all()
    return [
        {
            "id": match.id,
            "case_id": earlier.id,
            "reference": earlier.reference,
            "opened_at": earlier.opened_at.isoformat(),
            "closed_at": earlier.closed_at.isoformat() if earlier.closed_at else None,
            "status": earlier.status,
            "match": match.kind,
            "state": match.state,
        }
        for match, earlier in rows
    ]


def open_matches(session: Session, case_ids: list[int]) -> dict[int, int]:
    """How many undecided matches each of these cases has (the Eingang's marker)."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(m.CaseMatch.case_id, func.count())
        .where(m.CaseMatch.case_id.in_(case_ids), m.CaseMatch.state == OPEN)
        .group_by(m.CaseMatch.case_id)
    ).all()
    return {case_id: count for case_id, count in rows}
