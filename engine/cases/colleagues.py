"""A colleague named in a step (`kollegium` of a `user` field): the second Fachkraft at a Hausbesuch.

Who went along is a fact the Mehraugenprinzip of the Eindruck rests on, so it is chosen from the
people of the case's own organisation who hold the role — never typed as free text, never the person
documenting the step — and the engine checks the choice again on completion (a list in the browser
proves nothing).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.forms import FormDefinition, messages
from engine.persistence import models as m


def _members(role: str, organisation_id: int, exclude_user_id: int) -> Any:
    return (
        select(m.User.username, m.User.display_name)
        .join(m.Membership, m.Membership.user_id == m.User.id)
        .where(
            m.Membership.role == role,
            m.Membership.organisation_id == organisation_id,
            m.Membership.pending.is_(False),
            m.User.active,
            m.User.id != exclude_user_id,
        )
    )


def colleague_choices(session: Session, role: str, organisation_id: int, actor: Actor) -> list[dict[str, str]]:
    """The people the actor may name: value (username) and label (display name), by name."""
    rows = session.execute(_members(role, organisation_id, actor.user_id).order_by(m.User.display_name)).all()
    return [{"value": username, "label": name} for username, name in rows]


def colleague_errors(
    session: Session, actor: Actor, form: FormDefinition, clean: dict[str, Any], organisation_id: int
) -> dict[str, list[str]]:
    """Each `kollegium` field whose username is not another member of the organisation with the role."""
    errors: dict[str, list[str]] = {}
    for field in form.fields:
        if field.type != "user" or field.kollegium is None or not clean.get(field.name):
            continue
        query = _members(field.kollegium, organisation_id, actor.user_id).where(m.User.username == clean[field.name])
        if session.execute(query.limit(1)).first() is None:
            errors[field.name] = [messages.not_a_colleague(field)]
    return errors
