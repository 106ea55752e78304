"""The Jugendamt directory in the database: Jugendämter are organisations of kind `jugendamt`.

`init` loads the shipped directory (bpmn/directory/jugendaemter.json); an admin can extend it.
Routing reads it back as a plain `Directory` (engine/directory.py holds the matching rules).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.directory.routing import Directory, Jugendamt, MunicipalityEntry, Network
from engine.persistence import models as m


def store_directory(session: Session, directory: Directory, now: datetime) -> int:
    """Insert what is missing (idempotent); returns the number of rows added."""
    added = 0
    for network in directory.networks():
        if session.get(m.Network, network.key) is None:
            session.add(m.Network(key=network.key, name=network.name))
            added += 1
    session.flush()
    orgs = {
        o.key: o for o in session.execute(select(m.Organisation).where(m.Organisation.kind == "jugendamt")).scalars()
    }
    for ja in directory.jugendaemter():
        if ja.key not in orgs:
            orgs[ja.key] = m.Organisation(
                key=ja.key, name=ja.name, kind="jugendamt", network_key=ja.network, created_at=now, **dict(ja.contact)
            )
            session.add(orgs[ja.key])
            added += 1
    session.flush()
    known = {(row.name, row.valid_from) for row in session.execute(select(m.Municipality)).scalars()}
    for entry in directory.entries():
        if (entry.name, entry.valid_from) in known:
            continue
        session.add(
            m.Municipality(
                name=entry.name,
                jugendamt_id=orgs[entry.jugendamt_key].id,
                valid_from=entry.valid_from,
                valid_to=entry.valid_to,
                aliases=json.dumps(list(entry.aliases), ensure_ascii=False),
            )
        )
        added += 1
    session.flush()
    return added


def load_directory(session: Session) -> Directory:
    networks = [Network(n.key, n.name) for n in session.execute(select(m.Network).order_by(m.Network.key)).scalars()]
    offices = list(
        session.execute(
            select(m.Organisation).where(m.Organisation.kind == "jugendamt").order_by(m.Organisation.key)
        ).scalars()
    )
    keys = {o.id: o.key for o in offices}
    entries = [
        MunicipalityEntry(
            row.name, keys[row.jugendamt_id], row.valid_from, row.valid_to, tuple(json.loads(row.aliases))
        )
        for row in session.execute(select(m.Municipality).order_by(m.Municipality.name)).scalars()
    ]
    return Directory(networks, [Jugendamt(o.key, o.name, o.network_key) for o in offices], entries)
