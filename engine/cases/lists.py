"""The lists (Eingang, Fälle, Meine Aufgaben, Beratungen, `GET /cases`, `GET /tasks`): urgent first,
a page at a time.

Every row says how urgent its case is (`urgency`: akut before the triage, then the Ampel rot / gelb /
gruen — `engine/deadlines/urgency.py`), its current step and when it is due. The order is SQL, so a
page is a keyset page (`engine/cases/keyset.py`): urgency rank (akut/rot, gelb, gruen, the rest),
then the due time (a case: its earliest open step; none last), then the newest case first (cases)
or the oldest task first (tasks), then the id — for the cases as columns every save writes and an
index per organisation holds in that order (engine/cases/list_order.py). Rows come from the view
columns `save` writes, never from an instance; a page costs a fixed number of statements whatever
its length: the rows with their organisations and responsible person in one, the keys of the
children's data in one more.
The child's name and age appear only where the actor works for the case's organisation; a pool
member (the insofa) sees the pseudonym only — § 64 Abs. 2a SGB VIII.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from engine.actor import Actor
from engine.cases import keyset
from engine.cases.child import age_years, child_name
from engine.cases.keyset import SortKey
from engine.cases.list_order import due_key, rank_sql, shown_due, urgency_sql
from engine.cases.list_query import INVALID, UNKNOWN_PROCESS, ListQuery, ListScope
from engine.cases.queries import iso, step_dict
from engine.cases.results import OpenStep, Page
from engine.cases.search import search
from engine.cases.visibility import pool_offers, sees_identifying_data
from engine.clock import BERLIN
from engine.errors import ValidationFailed
from engine.permissions import CASEWORK_ROLES, POOL_ROLES
from engine.persistence import models as m
from engine.persistence.sealed import open_children
from engine.transactions import Work

# ---- common conditions --------------------------------------------------------------------------------------


def _overdue(due: SQLColumnExpression[Any], now: datetime, wanted: bool) -> ColumnElement[bool]:
    if wanted:
        return due.is_not(None) & (due <= now)
    return due.is_(None) | (due > now)


def _process_condition(work: Work, key: str) -> ColumnElement[bool]:
    definitions = select(m.ProcessDefinition.id).where(m.ProcessDefinition.key == key)
    if work.session.execute(definitions.limit(1)).first() is None:
        raise ValidationFailed({"process": [UNKNOWN_PROCESS]}, INVALID)
    return m.Case.definition_id.in_(definitions)


def _page(
    work: Work, stmt: Any, keys: Sequence[SortKey], query: ListQuery, list_name: str
) -> tuple[list[Any], str | None]:
    """The rows of one page (the statement selects the key values last) and the next page's cursor."""
    if query.cursor is not None:
        stmt = stmt.where(keyset.after(keys, keyset.decode(list_name, keys, query.cursor)))
    rows = work.session.execute(stmt.order_by(*keyset.order_by(keys)).limit(query.limit + 1)).all()
    if len(rows) <= query.limit:
        return list(rows), None
    rows = rows[: query.limit]
    return list(rows), keyset.encode(list_name, rows[-1][-len(keys) :])


def _children(work: Work, actor: Actor, cases: Sequence[m.Case]) -> dict[int, dict[str, Any]]:
    """Name and age of the children of the cases the actor may identify; their keys read at once."""
    today = work.now.astimezone(BERLIN).date()
    own = [c for c in {c.id: c for c in cases}.values() if sees_identifying_data(actor, c)]
    opened = open_children(work, own) if own else {}
    return {
        case_id: {"child_name": child_name(child), "alter_jahre": age_years(child, today)}
        for case_id, child in opened.items()
        if child is not None  # None: shredded at the end of retention, nothing left to show
    }


# ---- cases ----------------------------------------------------------------------------------------------


def _visible_cases(actor: Actor, scope: ListScope) -> ColumnElement[bool] | None:
    """Cases of the organisations the actor works for; a pool member's consultations (offered to
    them, or worked on by them)."""
    org_ids = {ms.organisation_id for ms in actor.memberships if ms.role in CASEWORK_ROLES}
    conditions = [m.Case.organisation_id.in_(org_ids)] if org_ids else []
    for role in POOL_ROLES:
        pool = pool_offers(actor, role)
        if pool is not None:
            offered = select(m.OpenTask.case_id).where(pool)
            worked = select(m.TaskHistory.case_id).where(m.TaskHistory.completed_by_user_id == actor.user_id)
            conditions += [m.Case.id.in_(offered), m.Case.id.in_(worked)]
    if not conditions:
        return None
    visible = or_(*conditions)
    if scope.organisations is not None:
        chosen = {ms.organisation_id for ms in actor.memberships if ms.organisation_key in scope.organisations}
        visible = visible & m.Case.organisation_id.in_(chosen)
    return visible


def list_cases(work: Work, actor: Actor, query: ListQuery, scope: ListScope | None = None) -> Page:
    """A page of the cases the actor may see, urgent first."""
    visible = _visible_cases(actor, scope or ListScope())
    if visible is None:
        return Page([], None)
    urgency = urgency_sql(closed_has_none=True)
    conditions = [visible]
    if query.status:
        conditions.append(m.Case.status == query.status)
    if query.process:
        conditions.append(_process_condition(work, query.process))
    if query.overdue is not None:
        conditions.append(_overdue(m.Case.list_due, work.now, query.overdue))
    if query.urgency:
        conditions.append(urgency == query.urgency)
    if query.assigned_to_me:
        offered = exists().where(m.OpenTask.case_id == m.Case.id, m.OpenTask.offered_to_user_id == actor.user_id)
        conditions.append(or_(m.Case.responsible_user_id == actor.user_id, offered))
    if query.q:  # a search for a child: through the blind index, among the own organisations' cases
        conditions.append(m.Case.id.in_(sorted(search(work, actor, query.q).case_ids)))
    keys = (
        SortKey(m.Case.list_rank, int),
        SortKey(m.Case.list_due, datetime),
        SortKey(m.Case.opened_at, datetime, descending=True),
        SortKey(m.Case.id, int, descending=True),
    )
    # earlier reports on the same child still to be checked (engine/cases/earlier_cases.py): a marker
    undecided = (
        select(func.count())
        .where(m.CaseMatch.case_id == m.Case.id, m.CaseMatch.state == "offen")
        .correlate(m.Case)
        .scalar_subquery()
    )
    organisation, jugendamt = aliased(m.Organisation), aliased(m.Organisation)
    stmt = (
        select(
            m.Case,
            urgency.label("urgency"),
            undecided.label("undecided"),
            organisation.key,
            organisation.name,
            jugendamt.key,
            jugendamt.name,
            m.User.display_name,
            *(key.expr for key in keys),
        )
        .join(organisation, organisation.id == m.Case.organisation_id)
        .join(jugendamt, jugendamt.id == m.Case.jugendamt_id)
        .outerjoin(m.User, m.User.id == m.Case.responsible_user_id)
        .where(*conditions)
    )
    rows, next_cursor = _page(work, stmt, keys, query, "cases")
    children = _children(work, actor, [row[0] for row in rows])
    listed = []
    for case_row, value, undecided_matches, org_key, org_name, ja_key, ja_name, responsible, *_ in rows:
        due_at = shown_due(case_row.list_due)
        listed.append(
            {
                "id": case_row.id,
                "reference": case_row.reference,
                "status": case_row.status,
                "pseudonym": case_row.pseudonym,
                "opened_at": iso(case_row.opened_at),
                "organisation": {"key": org_key, "name": org_name},
                "jugendamt": {"key": ja_key, "name": ja_name},
                "urgency": value,
                "current_task": case_row.current_task_key,
                "current_task_title": case_row.current_task_title,
                "due_at": iso(due_at),
                "overdue": due_at is not None and due_at <= work.now,
                "responsible_name": responsible if sees_identifying_data(actor, case_row) else None,
                # never for the insofa: that the child was reported before is about the child
                "fruehere_offen": undecided_matches if sees_identifying_data(actor, case_row) else 0,
                **children.get(case_row.id, {}),
            }
        )
    return Page(listed, next_cursor)


# ---- tasks ----------------------------------------------------------------------------------------------


def _has_role(role: str) -> ColumnElement[bool]:
    """The task's lane roles (comma-separated, written when it opened) include `role`."""
    return (literal(",") + m.OpenTask.lane_roles + literal(",")).contains(f",{role},", autoescape=True)


def _completable_tasks(actor: Actor) -> ColumnElement[bool] | None:
    """Tasks the actor may complete now, as `permissions.may_complete` decides it for one task: the
    lane's role in the task's organisation (a case worker's), or for a pool lane its pool
    (`visibility.pool_offers`: the case's network, a Jugendamt pool narrower, and the one named, if one
    was named); never a task the Mehraugenprinzip bars."""
    lanes = []
    for organisation_id in {ms.organisation_id for ms in actor.memberships if ms.role in CASEWORK_ROLES}:
        roles = or_(*(_has_role(role) for role in sorted(actor.roles_in(organisation_id))))
        lanes.append((m.OpenTask.organisation_id == organisation_id) & m.OpenTask.pool_role.is_(None) & roles)
    for role in POOL_ROLES:
        pool = pool_offers(actor, role)
        if pool is not None:
            lanes.append(_has_role(role) & pool)
    if not lanes:
        return None
    barred = exists().where(m.OpenTaskBar.task_id == m.OpenTask.id, m.OpenTaskBar.user_id == actor.user_id)
    return or_(*lanes) & ~barred


def list_tasks(work: Work, actor: Actor, query: ListQuery, scope: ListScope | None = None) -> Page:
    """A page of the open tasks the actor may complete now — a task the Mehraugenprinzip bars is not
    offered — urgent first."""
    completable = _completable_tasks(actor)
    if completable is None:
        return Page([], None)
    scope = scope or ListScope()
    urgency = urgency_sql(closed_has_none=False)
    conditions = [completable]
    if scope.steps is not None:
        conditions.append(m.OpenTask.task_key.in_(scope.steps))
    if scope.lanes is not None:
        conditions.append(m.OpenTask.lane.in_(scope.lanes))
    if query.process:
        conditions.append(_process_condition(work, query.process))
    if query.overdue is not None:
        conditions.append(_overdue(m.OpenTask.due_at, work.now, query.overdue))
    if query.urgency:
        conditions.append(urgency == query.urgency)
    if query.assigned_to_me:
        conditions.append(
            or_(m.OpenTask.offered_to_user_id == actor.user_id, m.Case.responsible_user_id == actor.user_id)
        )
    keys = (
        SortKey(rank_sql(urgency), int),
        SortKey(due_key(m.OpenTask.due_at), datetime),
        SortKey(m.OpenTask.created_at, datetime),
        SortKey(m.OpenTask.id, str),
    )
    stmt = (
        select(m.OpenTask, m.Case, urgency.label("urgency"), *(key.expr for key in keys))
        .join(m.Case, m.Case.id == m.OpenTask.case_id)
        .where(*conditions)
    )
    rows, next_cursor = _page(work, stmt, keys, query, "tasks")
    children = _children(work, actor, [row[1] for row in rows])
    listed = []
    for task, case_row, value, *_ in rows:
        step = OpenStep(
            id=task.id,
            case_id=task.case_id,
            case_reference=task.case_reference,
            pseudonym=task.pseudonym,
            task=task.task_key,
            title=task.title,
            lane=task.lane,
            due_at=task.due_at,
            overdue=task.due_at is not None and task.due_at <= work.now,
            may_complete=True,  # the query's condition
            refusal=None,
        )
        listed.append({**step_dict(step), "urgency": value, **children.get(case_row.id, {})})
    return Page(listed, next_cursor)
