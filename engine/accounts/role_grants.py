"""Role grants that need a second pair of eyes: a role opening case content takes effect only once
someone responsible for that organisation confirms it.

Why: an administrator manages accounts but must never read a case (issue 13, finding 3: an admin
created a Jugendamt caseworker, signed in as them and read the child's file). So a role in
`CONFIRMED_ROLES` granted by an administrator is stored `pending`, and `actor_for_user` ignores it
until it is confirmed by
- a Leitung of the organisation (`leitung` at a Träger, `ja_leitung` at a Jugendamt), or
- where the organisation has no active Leitung, a second administrator (not the one who asked).
Both sides see the pending role with who asked for it and when. Confirming or rejecting is audited
(`role.confirmed`, `role.rejected`) and ends the user's sessions (their rights changed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.accounts import browser_sessions
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.errors import NotFound
from engine.persistence import models as m
from engine.transactions import Work

LEITUNG_ROLES = frozenset({"leitung", "ja_leitung"})
ADMIN = "admin"


def _has_leitung(work: Work, organisation_id: int) -> bool:
    return (
        work.session.execute(
            select(m.Membership.id)
            .join(m.User, m.User.id == m.Membership.user_id)
            .where(
                m.Membership.organisation_id == organisation_id,
                m.Membership.role.in_(LEITUNG_ROLES),
                m.Membership.pending.is_(False),
                m.User.active,
            )
            .limit(1)
        ).first()
        is not None
    )


def may_confirm(work: Work, actor: Actor, grant: m.Membership) -> bool:
    """The organisation's Leitung; without one, an administrator other than the requester. Never
    the person the role is for."""
    if not grant.pending or grant.user_id == actor.user_id:
        return False
    if _has_leitung(work, grant.organisation_id):
        return bool(actor.roles_in(grant.organisation_id) & LEITUNG_ROLES)
    return actor.has_role(ADMIN) and actor.username != grant.requested_by


def _name_of(work: Work, username: str | None) -> str | None:
    """The requester's display name for the person deciding (an operator of the CLI has no account:
    then the name it acted under)."""
    name = work.session.execute(select(m.User.display_name).where(m.User.username == username)).scalar_one_or_none()
    return name or username


def _describe(work: Work, grant: m.Membership, user: m.User, org: m.Organisation) -> dict[str, Any]:
    return {
        "id": grant.id,
        "username": user.username,
        "name": user.display_name,
        "organisation": org.key,
        "organisation_name": org.name,
        "role": grant.role,
        "requested_by": grant.requested_by,
        "requested_by_name": _name_of(work, grant.requested_by),
        "requested_at": grant.requested_at,
    }


def _pending(work: Work) -> list[tuple[m.Membership, m.User, m.Organisation]]:
    rows = work.session.execute(
        select(m.Membership, m.User, m.Organisation)
        .join(m.User, m.User.id == m.Membership.user_id)
        .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
        .where(m.Membership.pending.is_(True), m.User.active)
        .order_by(m.Membership.requested_at, m.Membership.id)
    ).all()
    return [(grant, user, org) for grant, user, org in rows]


def to_confirm(work: Work, actor: Actor) -> list[dict[str, Any]]:
    """The pending roles `actor` may confirm."""
    return [_describe(work, g, u, o) for g, u, o in _pending(work) if may_confirm(work, actor, g)]


def requested(work: Work, actor: Actor) -> list[dict[str, Any]]:
    """The pending roles `actor` asked for, and their own roles still waiting."""
    return [
        _describe(work, g, u, o)
        for g, u, o in _pending(work)
        if g.requested_by == actor.username or g.user_id == actor.user_id
    ]


def decide(work: Work, actor: Actor, grant_id: int, confirm: bool) -> dict[str, Any]:
    """Confirm (the role takes effect) or reject (it is removed) a pending role; `role.confirmed` /
    `role.rejected` name both the requester and the decider. A grant the actor may not decide is
    NotFound (no hint whether it exists)."""
    grant = work.session.get(m.Membership, grant_id)
    if grant is None or not may_confirm(work, actor, grant):
        raise NotFound("Diese Rollenfreigabe gibt es nicht oder Sie dürfen sie nicht bestätigen.")
    user = work.session.get(m.User, grant.user_id)
    org = work.session.get(m.Organisation, grant.organisation_id)
    assert user is not None and org is not None
    described = _describe(work, grant, user, org)
    requested_at: datetime | None = grant.requested_at
    payload = {
        "username": user.username,
        "organisation": org.key,
        "role": grant.role,
        "requested_by": grant.requested_by,
        "requested_at": requested_at.isoformat() if requested_at else None,
    }
    if confirm:
        grant.pending = False
    else:
        work.session.delete(grant)
    work.session.flush()
    record(work, EventType.ROLE_CONFIRMED if confirm else EventType.ROLE_REJECTED, actor=actor, payload=payload)
    browser_sessions.end_all(work, user, "role_changed", operator=actor.username)
    return described


def record_requested(work: Work, user: m.User, operator: str) -> None:
    """`role.requested` for each pending role of a user just created (in that transaction)."""
    rows = work.session.execute(
        select(m.Membership, m.Organisation)
        .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
        .where(m.Membership.user_id == user.id, m.Membership.pending.is_(True))
    ).all()
    for grant, org in rows:
        payload = {"username": user.username, "organisation": org.key, "role": grant.role}
        record(work, EventType.ROLE_REQUESTED, actor=None, actor_name=operator, payload=payload)
