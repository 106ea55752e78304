"""Completing the case file of cases documented before it existed (migration 0008): `init` fills
each history row's sealed values and the Meldebogen of a case a Meldung opened from the audit trail,
which recorded both when they happened (`task.completed` with the values, `message.received` with the
payload). A shredded case stays empty: its key, and so its content, is gone for good."""

from __future__ import annotations

from sqlalchemy import select

from engine.persistence import models as m
from engine.persistence.sealed import seal_history_values, seal_message
from engine.transactions import Work

#: The relation a Meldung writes on the case it opened (engine/cases/messages.py).
OPENED_BY_MESSAGE = "meldung_von"


def fill_case_file(work: Work) -> int:
    """Fill what is missing; returns the number of cases completed."""
    session = work.session
    missing = select(m.TaskHistory.case_id).where(
        m.TaskHistory.values.is_(None), m.TaskHistory.task_uuid.not_like("message-%")
    )
    unfiled = select(m.CaseLink.case_id).where(
        m.CaseLink.relation == OPENED_BY_MESSAGE,
        ~select(m.CaseMessage.id)
        .where(m.CaseMessage.case_id == m.CaseLink.case_id, m.CaseMessage.from_case_id == m.CaseLink.linked_case_id)
        .exists(),
    )
    cases = session.execute(select(m.Case).where(m.Case.id.in_(missing.union(unfiled)))).scalars().all()
    for case in cases:
        _fill(work, case)
    session.flush()
    return len(cases)


def _fill(work: Work, case: m.Case) -> None:
    session, connection = work.session, work.session.connection()
    kinds = ["task.completed", "message.received"]
    events = [(e.type, e.time, e.payload) for e in work.vault.read(connection, case_ref=case.reference, types=kinds)]
    if any(payload is None for _, _, payload in events):  # shredded
        return
    recorded = [(kind, time, payload) for kind, time, payload in events if payload is not None]
    documented = {p["task_id"]: p["values"] for kind, _, p in recorded if kind == "task.completed"}
    rows = session.execute(
        select(m.TaskHistory).where(m.TaskHistory.case_id == case.id, m.TaskHistory.values.is_(None))
    ).scalars()
    for row in rows:
        if row.task_uuid in documented:
            row.values = seal_history_values(work, case.reference, row.task_uuid, documented[row.task_uuid])
    kept = set(session.execute(select(m.CaseMessage.from_case_id).where(m.CaseMessage.case_id == case.id)).scalars())
    for kind, time, payload in recorded:
        if kind != "message.received" or payload.get("message") is None:
            continue
        sender = session.execute(select(m.Case).where(m.Case.reference == payload["from_case"])).scalar_one()
        link = session.execute(
            select(m.CaseLink.id).where(
                m.CaseLink.case_id == case.id,
                m.CaseLink.linked_case_id == sender.id,
                m.CaseLink.relation == OPENED_BY_MESSAGE,
            )
        ).first()
        if link is None or sender.id in kept:  # a message filed with its own history row is kept already
            continue
        message = m.CaseMessage(
            case_id=case.id, from_case_id=sender.id, name=payload["message"], payload=b"", received_at=time
        )
        session.add(message)
        session.flush()
        message.payload = seal_message(work, case.reference, message.id, payload["payload"])
        kept.add(sender.id)
