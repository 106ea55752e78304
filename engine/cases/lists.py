"""The lists (Eingang, Fälle, Meine Aufgaben, Beratungen, `GET /cases`, `GET /tasks`): urgent first.

Every row says how urgent its case is (`urgency`: akut before the triage, then the Ampel rot / gelb /
gruen — `engine/deadlines/urgency.py`), its current step and when it is due; the lists sort by urgency,
then by due time. Rows come from the view columns `save` writes, never from an instance. The child's
name and age appear only where the actor works for the case's organisation (one small sealed blob per
listed case); a pool member (the insofa) sees the pseudonym only — § 64 Abs. 2a SGB VIII.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from audit import Shredded
from engine.actor import Actor
from engine.cases.child import age_years
from engine.cases.queries import _org, iso, open_step, step_dict  # one package: the same read models
from engine.cases.visibility import sees_identifying_data
from engine.clock import BERLIN
from engine.deadlines.urgency import rank, urgency
from engine.permissions import CASEWORK_ROLES, POOL_ROLES
from engine.persistence import models as m
from engine.persistence.sealed import open_child
from engine.transactions import Work


def display_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """People by name, never by username (issue 10, item 6)."""
    wanted = {uid for uid in user_ids if uid is not None}
    if not wanted:
        return {}
    rows = session.execute(select(m.User.id, m.User.display_name).where(m.User.id.in_(wanted))).all()
    return {uid: name for uid, name in rows}


class _People:
    """The child's name and age per case, opened once per case and only for who may see them."""

    def __init__(self, work: Work, actor: Actor) -> None:
        self.work, self.actor = work, actor
        self.today = work.now.astimezone(BERLIN).date()
        self._seen: dict[int, dict[str, Any]] = {}

    def child_fields(self, case: m.Case) -> dict[str, Any]:
        if case.id not in self._seen:
            self._seen[case.id] = self._open(case)
        return self._seen[case.id]

    def _open(self, case: m.Case) -> dict[str, Any]:
        if not sees_identifying_data(self.actor, case):
            return {}
        try:
            child = open_child(self.work, case)
        except Shredded:  # end of retention: nothing left to show
            return {}
        return {"child_name": f"{child['vorname']} {child['nachname']}", "alter_jahre": age_years(child, self.today)}


def _sort_key(urgency_value: str | None, due_at: datetime | None, tiebreak: float) -> tuple[int, bool, float, float]:
    """Urgent first (akut/rot, gelb, gruen, the rest), then the earliest due, then the tiebreak."""
    return (rank(urgency_value), due_at is None, due_at.timestamp() if due_at else 0.0, tiebreak)


def list_cases(work: Work, actor: Actor, status: str | None) -> list[dict[str, Any]]:
    """Cases of the organisations the actor works for (pool members see their consultations)."""
    session, now = work.session, work.now
    org_ids = {ms.organisation_id for ms in actor.memberships if ms.role in CASEWORK_ROLES}
    conditions = [m.Case.organisation_id.in_(org_ids)] if org_ids else []
    for role in POOL_ROLES:
        networks = actor.networks_with_role(role)
        if networks:
            offered = select(m.OpenTask.case_id).where(
                m.OpenTask.pool_role == role,
                m.OpenTask.network_key.in_(networks),
                or_(m.OpenTask.offered_to_user_id.is_(None), m.OpenTask.offered_to_user_id == actor.user_id),
            )
            worked = select(m.TaskHistory.case_id).where(m.TaskHistory.completed_by_user_id == actor.user_id)
            conditions += [m.Case.id.in_(offered), m.Case.id.in_(worked)]
    if not conditions:
        return []
    due = (
        select(m.OpenTask.case_id, func.min(m.OpenTask.due_at).label("due_at"))
        .where(m.OpenTask.kind == "bpmn")
        .group_by(m.OpenTask.case_id)
        .subquery()
    )
    stmt = (
        select(m.Case, due.c.due_at)
        .outerjoin(due, due.c.case_id == m.Case.id)
        .where(or_(*conditions))
        .order_by(m.Case.opened_at.desc(), m.Case.id.desc())
    )
    if status:
        stmt = stmt.where(m.Case.status == status)
    rows = session.execute(stmt).all()
    people = _People(work, actor)
    names = display_names(session, (c.responsible_user_id for c, _ in rows))
    listed = []
    for case, due_at in rows:
        identifying = sees_identifying_data(actor, case)
        value = urgency(case.dringlichkeit, case.akut) if case.status != "abgeschlossen" else None
        row = {
            "id": case.id,
            "reference": case.reference,
            "status": case.status,
            "pseudonym": case.pseudonym,
            "opened_at": iso(case.opened_at),
            "organisation": _org(session, case.organisation_id),
            "jugendamt": _org(session, case.jugendamt_id),
            "urgency": value,
            "current_task": case.current_task_key,
            "current_task_title": case.current_task_title,
            "due_at": iso(due_at),
            "overdue": due_at is not None and due_at <= now,
            "responsible_name": names.get(case.responsible_user_id or 0) if identifying else None,
            **people.child_fields(case),
        }
        listed.append((_sort_key(value, due_at, -case.opened_at.timestamp()), row))
    return [row for _, row in sorted(listed, key=lambda item: item[0])]


def list_tasks(work: Work, actor: Actor) -> list[dict[str, Any]]:
    """Open tasks the actor may complete now — a task the Mehraugenprinzip bars is not offered."""
    session, now = work.session, work.now
    org_ids = {ms.organisation_id for ms in actor.memberships if ms.role in CASEWORK_ROLES}
    conditions = [m.OpenTask.organisation_id.in_(org_ids) & m.OpenTask.pool_role.is_(None)] if org_ids else []
    for role in POOL_ROLES:
        networks = actor.networks_with_role(role)
        if networks:
            conditions.append((m.OpenTask.pool_role == role) & m.OpenTask.network_key.in_(networks))
    if not conditions:
        return []
    rows = session.execute(
        select(m.OpenTask, m.Case)
        .join(m.Case, m.Case.id == m.OpenTask.case_id)
        .where(or_(*conditions))
        .order_by(m.OpenTask.due_at.is_(None), m.OpenTask.due_at, m.OpenTask.created_at)
    ).all()
    people = _People(work, actor)
    listed = []
    for row, case in rows:
        step = open_step(session, work.catalog.load(session, case.definition_id), actor, row, now)
        if not step.may_complete:
            continue
        value = urgency(case.dringlichkeit, case.akut)
        entry = {**step_dict(step), "urgency": value, **people.child_fields(case)}
        listed.append((_sort_key(value, row.due_at, row.created_at.timestamp()), entry))
    return [entry for _, entry in sorted(listed, key=lambda item: item[0])]
