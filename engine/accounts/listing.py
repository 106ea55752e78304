"""What administrators see of accounts: organisations and users — never case content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.contacts import CONTACT_FIELDS
from engine.persistence import models as m


def organisations(session: Session) -> list[dict[str, Any]]:
    offices = {o.id: o.key for o in session.execute(select(m.Organisation)).scalars()}
    return [
        {
            "key": o.key,
            "name": o.name,
            "kind": o.kind,
            "network": o.network_key,
            "jugendamt": offices.get(o.jugendamt_id) if o.jugendamt_id else None,
            "contact": {name: getattr(o, name) for name in CONTACT_FIELDS},
        }
        for o in session.execute(select(m.Organisation).order_by(m.Organisation.kind, m.Organisation.key)).scalars()
    ]


def users(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(m.User, m.Organisation.key, m.Membership)
        .join(m.Membership, m.Membership.user_id == m.User.id)
        .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
        .order_by(m.User.username)
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for user, organisation, grant in rows:
        entry = out.setdefault(
            user.username,
            {
                "username": user.username,
                "name": user.display_name,
                "active": user.active,
                "mfa_required": user.mfa_required,
                "mfa_enrolled": bool(user.mfa_secret),
                "roles": [],
            },
        )
        entry["roles"].append(
            {
                "id": grant.id,
                "organisation": organisation,
                "role": grant.role,
                "pending": grant.pending,
                "requested_by": grant.requested_by,
                "requested_at": grant.requested_at,
            }
        )
    return list(out.values())
