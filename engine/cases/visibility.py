"""Whether an actor may see a case (deny by default); the database side of engine/permissions.py."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.permissions import JUGENDAMT_POOL_ROLES, POOL_ROLES, works_case_of_organisation
from engine.persistence import models as m


def can_see_case(session: Session, actor: Actor, case: m.Case) -> bool:
    """Case workers of the owning organisation; a pool member (insofa) while a task of the case is
    offered to them or after they worked on it — and then only the pseudonymised view."""
    if works_case_of_organisation(actor, case.organisation_id):
        return True
    return is_pool_viewer(session, actor, case.id)


def pool_offers(actor: Actor, role: str) -> ColumnElement[bool] | None:
    """The open tasks offered to the actor as a member of `role`'s pool (None: no member of it): of
    the case's network — for a Jugendamt pool role, of the Jugendamt the case's organisation belongs
    to — unless named to somebody else. `permissions.in_pool` decides the same for one task."""
    networks = actor.networks_with_role(role)
    if not networks:
        return None
    offered = (
        (m.OpenTask.pool_role == role)
        & m.OpenTask.network_key.in_(networks)
        & or_(m.OpenTask.offered_to_user_id.is_(None), m.OpenTask.offered_to_user_id == actor.user_id)
    )
    if role in JUGENDAMT_POOL_ROLES:
        offices = actor.organisations_with_role(role)
        offered &= m.OpenTask.organisation_id.in_(
            select(m.Organisation.id).where(m.Organisation.jugendamt_id.in_(offices))
        )
    return offered


def is_pool_viewer(session: Session, actor: Actor, case_id: int) -> bool:
    for role in POOL_ROLES:
        pool = pool_offers(actor, role)
        if pool is None:
            continue
        offered = session.execute(select(m.OpenTask.id).where(m.OpenTask.case_id == case_id, pool).limit(1)).first()
        worked = session.execute(
            select(m.TaskHistory.id)
            .where(m.TaskHistory.case_id == case_id, m.TaskHistory.completed_by_user_id == actor.user_id)
            .limit(1)
        ).first()
        if offered or worked:
            return True
    return False


def sees_identifying_data(actor: Actor, case: m.Case) -> bool:
    """§ 64 Abs. 2a SGB VIII, § 4 Abs. 2 KKG: the insofa sees the pseudonym only."""
    return works_case_of_organisation(actor, case.organisation_id)
