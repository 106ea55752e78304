"""The network's Ablaufplan ("wie ein Brandschutzplan", issue 15 item 4): one printable page per
network that says who does what, within which Frist, and whom to call — day and night.

Generated, never edited by hand: the steps from the newest deployed version of each procedure, the
Fristen from the network's profile in force, the Jugendämter and their numbers from the directory,
the insofa pool from the network's memberships. The plan names the versions it was built from, so
a printed copy says which state it shows. It holds no case data at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.actor import Actor
from engine.deadlines.profiles import profile
from engine.deadlines.wording import frist_in_words
from engine.directory.routing import CONTACT_FIELDS
from engine.errors import NotFound
from engine.persistence import models as m
from engine.processes.catalog import ProcessCatalog
from engine.processes.stepper import process_steps
from engine.transactions import Work

#: What each Frist of the profile governs, in the words of a Kooperationsvereinbarung.
FRIST_LABELS = {
    "akut": "Sofortmeldung: Eingang und Ersteinschätzung im Jugendamt",
    "leitung_informieren": "Leitung informieren",
    "fachberatung_kindertagespflege": "Kindertagespflege: Bewertung mit der Fachberatung des Jugendamts",
    "insofa_beratung": "Beratung durch die insoweit erfahrene Fachkraft",
    "beteiligung_familie": "Beteiligung der Familie",
    "meldung_schriftlich": "schriftliche Meldung an das Jugendamt nach einer telefonischen",
    "rueckmeldung_erwartet": "Rückmeldung des Jugendamts an die meldende Stelle",
    "schutzplan_max": "Schutzplan: längste Laufzeit",
    "ersteinschaetzung": "Ersteinschätzung im Jugendamt",
    "eindruck_rot": "unmittelbarer Eindruck bei Ampel rot",
    "eindruck_gelb": "unmittelbarer Eindruck bei Ampel gelb",
    "eindruck_gruen": "unmittelbarer Eindruck bei Ampel grün",
    "gefaehrdungseinschaetzung": "Gefährdungseinschätzung im Zusammenwirken mehrerer Fachkräfte",
    "rueckmeldung_melder": "Rückmeldung an die meldende Person",
    "unverzueglich": "„unverzüglich“ (ein Schritt ohne eigene Frist)",
}


@dataclass(frozen=True)
class Ablaufplan:
    network_key: str
    network_name: str
    #: key, title, version and the steps (title, lane roles) of each deployed procedure
    procedures: list[dict[str, Any]]
    #: key, label, value and words of every Frist of the profile in force
    fristen: list[dict[str, str]]
    #: name and contact fields of each Jugendamt of the network
    jugendaemter: list[dict[str, str | None]]
    #: the insofa pool: person, organisation and how to reach them
    insofa: list[dict[str, str | None]]


def networks_of(actor: Actor) -> list[str]:
    """Every member of a network sees its plan: the networks of the actor's memberships."""
    return sorted({ms.network_key for ms in actor.memberships})


def _procedures(work: Work) -> list[dict[str, Any]]:
    newest = {d.key: d for d in ProcessCatalog.list(work.session)}  # ordered by version: the last wins
    out = []
    for definition in newest.values():
        process = work.catalog.load(work.session, definition.id)
        lanes = process.manifest.lanes
        steps = [{"title": s.title, "roles": sorted(lanes.get(s.lane, {s.lane}))} for s in process_steps(process)]
        out.append({"key": definition.key, "title": definition.title, "version": definition.version, "steps": steps})
    return out


def _contact(org: m.Organisation) -> dict[str, str | None]:
    return {"name": org.name, **{name: getattr(org, name) for name in CONTACT_FIELDS}}


def build_plan(work: Work, actor: Actor, network_key: str) -> Ablaufplan:
    """The plan of one of the actor's networks; any other network is NotFound (deny by default)."""
    session = work.session
    network = session.get(m.Network, network_key)
    if network is None or network_key not in networks_of(actor):
        raise NotFound("Netzwerk nicht gefunden.")
    values = profile(session, network_key).merged()
    fristen = [
        {"key": key, "label": FRIST_LABELS.get(key, key), "value": value, "words": frist_in_words(value)}
        for key, value in values.items()
    ]
    offices = session.execute(
        select(m.Organisation)
        .where(m.Organisation.kind == "jugendamt", m.Organisation.network_key == network_key)
        .order_by(m.Organisation.name)
    ).scalars()
    pool = session.execute(
        select(m.User, m.Organisation)
        .join(m.Membership, m.Membership.user_id == m.User.id)
        .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
        .where(
            m.Membership.role == "insofa",
            m.Membership.pending.is_(False),
            m.User.active.is_(True),
            m.Organisation.network_key == network_key,
        )
        .order_by(m.Organisation.name, m.User.display_name)
    ).all()
    insofa = [
        {
            "person": user.display_name,
            "organisation": org.name,
            "telefon": user.telefon or org.telefon,
            "email": org.email,
        }
        for user, org in pool
    ]
    return Ablaufplan(network.key, network.name, _procedures(work), fristen, [_contact(o) for o in offices], insofa)
