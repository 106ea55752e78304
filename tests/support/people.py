"""Test people: user accounts made the way the test world makes them (no password, a display name
derived from the username, no second factor), so that a test adding a role to the world reads like
the world itself and there is one place to change when accounts gain a required field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.accounts import registry as accounts
from engine.actor import Actor


def create_test_user(
    session: Session, *, username: str, organisation_key: str, role: str, now: datetime, **extra: Any
) -> Actor:
    """The account `username` with `role` in `organisation_key`, returned as the actor that works with it."""
    user = accounts.create_user(
        session,
        username=username,
        organisation_key=organisation_key,
        role=role,
        password=None,
        now=now,
        display_name=username.replace("_", " ").title(),
        mfa_required=False,
        **extra,
    )
    return accounts.actor_for_user(session, user)


def add_users(world: Any, users: Iterable[tuple[str, str, str]]) -> Any:
    """Add `(username, organisation_key, role)` accounts to `world` in one transaction (returned for chaining)."""
    now = world.engine.clock.now()
    with world.engine.writing() as uow:
        for username, organisation, role in users:
            world.actors[username] = create_test_user(
                uow.session, username=username, organisation_key=organisation, role=role, now=now
            )
        uow.commit()
    return world
