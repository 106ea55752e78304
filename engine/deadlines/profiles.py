"""Fristen profiles in the database: the default profile (bpmn/fristen/default.json) with each
network's overrides. `set` appends a row (history kept) and is audited as `fristen.changed`; it
applies to deadlines armed afterwards — an armed deadline keeps its due instant."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.deadlines.fristen import DEFAULT_PROFILE, Profile
from engine.errors import ValidationFailed
from engine.persistence import models as m
from engine.transactions import Work


def _require_network(session: Session, network_key: str) -> None:
    if session.get(m.Network, network_key) is None:
        known = ", ".join(session.execute(select(m.Network.key).order_by(m.Network.key)).scalars())
        raise ValidationFailed({"netzwerk": [f"Unbekanntes Netzwerk. Bekannt sind: {known}."]})


def profile(session: Session, network_key: str) -> Profile:
    """The network's profile in force now: defaults merged with the newest override per key."""
    _require_network(session, network_key)
    return profile_of_known(session, network_key)


def profile_of_known(session: Session, network_key: str) -> Profile:
    """`profile` of a network the database vouches for (an organisation's: a foreign key), without
    asking again whether it exists — arming a step's deadline does not pay for that question."""
    newest = (
        select(m.FristOverride.key, func.max(m.FristOverride.id).label("id"))
        .where(m.FristOverride.network_key == network_key)
        .group_by(m.FristOverride.key)
        .subquery()
    )
    rows = session.execute(
        select(m.FristOverride.key, m.FristOverride.value).join(newest, newest.c.id == m.FristOverride.id)
    ).all()
    return Profile(DEFAULT_PROFILE, {key: value for key, value in rows})


def set_override(work: Work, network_key: str, key: str, value: str, *, changed_by: str) -> Profile:
    """Validate against the accepted forms and known keys, store, audit."""
    current = profile(work.session, network_key)
    updated = current.with_override(key, value)
    work.session.add(
        m.FristOverride(
            network_key=network_key, key=key, value=updated.value(key), changed_at=work.now, changed_by=changed_by
        )
    )
    work.session.flush()
    record(
        work,
        EventType.FRISTEN_CHANGED,
        actor=None,
        actor_name=changed_by,
        payload={"netzwerk": network_key, "key": key, "old": current.value(key), "new": updated.value(key)},
    )
    return updated
