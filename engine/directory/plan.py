"""The network's Ablaufplan ("wie ein Brandschutzplan", issue 15 item 4): one printable page per
network that says who does what, within which Frist, and whom to call — day and night.

Generated, never edited by hand: each procedure's flow from the newest deployed version
(engine/processes/flowchart.py) with who does each step and the Frist that governs it, the Fristen
from the network's profile in force, the Jugendämter and their numbers from the directory, the insofa
pool from the network's memberships. The plan is stamped with what it was built from — each bundle's
version and deployment date, the profile's version and date, the directory's state — and a short
fingerprint of all of it, so that a printed copy on a wall says which state it shows and two copies
can be compared at a glance. It holds no case data at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from engine.actor import Actor
from engine.deadlines.profiles import profile
from engine.deadlines.urgency import AKUT, UNVERZUEGLICH, frist_key_of, runs_on_akut
from engine.deadlines.wording import frist_in_words
from engine.directory.routing import CONTACT_FIELDS
from engine.errors import NotFound
from engine.persistence import models as m
from engine.processes.catalog import ProcessCatalog
from engine.processes.flowchart import FlowItem, process_flow
from engine.transactions import Work

#: a `{field}` in a step's declared Frist, filled from its data when armed (`eindruck_{dringlichkeit}`)
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

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
class PlanFrist:
    """A Frist on the step it governs: `when` it applies ("" always), its words, from when it counts."""

    when: str
    words: str
    counted_from: str = ""


@dataclass(frozen=True)
class PlanItem:
    flow: FlowItem
    #: the roles that may do it (the lane's), and the lane's position for the swimlane drawing
    roles: list[str]
    lane: int
    fristen: list[PlanFrist]


@dataclass(frozen=True)
class PlanProcedure:
    key: str
    title: str
    version: int
    deployed_at: datetime
    #: the SHA-256 of the deployed bundle (the version's identity, part of the fingerprint)
    sha256: str
    #: the roles of each lane, in the manifest's order (the swimlanes from left to right)
    lanes: list[list[str]]
    items: list[PlanItem]


@dataclass(frozen=True)
class PlanStamp:
    """What the plan was generated from, printed on every page."""

    generated_at: datetime
    #: changes of the network's profile so far (0: the shipped defaults) and the newest one's date
    profile_version: int
    profile_changed_at: datetime | None
    #: a digest of the directory's part of the plan (the Jugendämter's contacts, the insofa pool)
    directory_state: str
    #: a digest of everything the plan shows: bundles, profile values, directory
    fingerprint: str


@dataclass(frozen=True)
class Ablaufplan:
    network_key: str
    network_name: str
    procedures: list[PlanProcedure]
    #: key, label, value and words of every Frist of the profile in force
    fristen: list[dict[str, str]]
    #: name and contact fields of each Jugendamt of the network
    jugendaemter: list[dict[str, str | None]]
    #: the insofa pool: person, organisation and how to reach them
    insofa: list[dict[str, str | None]]
    stamp: PlanStamp


def networks_of(actor: Actor) -> list[str]:
    """Every member of a network sees its plan: the networks of the actor's memberships."""
    return sorted({ms.network_key for ms in actor.memberships})


def _procedures(work: Work, words: Mapping[str, str]) -> list[PlanProcedure]:
    newest = {d.key: d for d in ProcessCatalog.list(work.session)}  # ordered by version: the last wins
    out = []
    for definition in newest.values():
        process = work.catalog.load(work.session, definition.id)
        lanes = process.manifest.lanes
        order = list(lanes)
        flow = process_flow(process)
        titles = {item.key: item.title for item in flow}
        items = [
            PlanItem(
                item,
                sorted(lanes.get(item.lane, {item.lane})),
                order.index(item.lane) if item.lane in order else 0,
                _fristen(item, words, titles),
            )
            for item in flow
        ]
        out.append(
            PlanProcedure(
                definition.key,
                definition.title,
                definition.version,
                definition.deployed_at,
                definition.sha256,
                [sorted(roles) for roles in lanes.values()],
                items,
            )
        )
    return out


def _fristen(item: FlowItem, words: Mapping[str, str], titles: Mapping[str, str]) -> list[PlanFrist]:
    """The Fristen that govern `item`, as arming a deadline chooses them (engine/deadlines/arming.py):
    a step's own `frist` or "unverzüglich", the `akut` Frist for the intake of a Sofortmeldung, one
    line per value of a `{placeholder}` (the Ampel); a wait only when its model declares one."""
    properties = item.properties
    declared = frist_key_of(item.key, properties, akut=False) if item.kind == "step" else properties.get("frist")
    if not declared:
        return []
    counted_from = _counted_from(properties.get("frist_ab", ""), titles)
    if "{" in declared:
        pattern = re.compile("[a-z_]+".join(re.escape(part) for part in _PLACEHOLDER.split(declared)))
        found = [
            PlanFrist(FRIST_LABELS.get(key, key), value, counted_from)
            for key, value in words.items()
            if pattern.fullmatch(key)
        ]
    elif declared in words:
        when = "unverzüglich" if declared == UNVERZUEGLICH else ""
        found = [PlanFrist(when, words[declared], counted_from)]
    else:
        found = []
    if item.kind == "step" and runs_on_akut(item.key, properties) and AKUT in words:
        found.append(PlanFrist("nach einer Sofortmeldung", words[AKUT]))
    return found


def _counted_from(frist_ab: str, titles: Mapping[str, str]) -> str:
    if frist_ab == "fall_eroeffnet":
        return "ab Eingang des Falls"
    if frist_ab.startswith("erledigt:"):
        step = frist_ab.split(":", 1)[1]
        return f"ab Abschluss von „{titles.get(step, step)}“"
    return ""


def _contact(org: m.Organisation) -> dict[str, str | None]:
    return {"name": org.name, **{name: getattr(org, name) for name in CONTACT_FIELDS}}


def _stamp(
    work: Work, network_key: str, procedures: list[PlanProcedure], values: Mapping[str, str], directory: object
) -> PlanStamp:
    """The plan's stamp; the fingerprint covers each bundle's digest, the profile's values and the
    directory's part, so any change to what the plan shows changes it."""
    changes, changed_at = work.session.execute(
        select(func.count(m.FristOverride.id), func.max(m.FristOverride.changed_at)).where(
            m.FristOverride.network_key == network_key
        )
    ).one()
    directory_state = _digest(directory)[:8]
    inputs = {
        "bundles": sorted((p.key, p.version, p.sha256) for p in procedures),
        "fristen": dict(values),
        "directory": directory,
    }
    return PlanStamp(work.now, changes, changed_at, directory_state, _digest(inputs)[:12])


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def build_plan(work: Work, actor: Actor, network_key: str) -> Ablaufplan:
    """The plan of one of the actor's networks; any other network is NotFound (deny by default)."""
    session = work.session
    network = session.get(m.Network, network_key)
    if network is None or network_key not in networks_of(actor):
        raise NotFound("Netzwerk nicht gefunden.")
    values = profile(session, network_key).merged()
    words = {key: frist_in_words(value) for key, value in values.items()}
    fristen = [
        {"key": key, "label": FRIST_LABELS.get(key, key), "value": value, "words": words[key]}
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
    jugendaemter = [_contact(o) for o in offices]
    procedures = _procedures(work, words)
    stamp = _stamp(work, network_key, procedures, values, {"jugendaemter": jugendaemter, "insofa": insofa})
    return Ablaufplan(network.key, network.name, procedures, fristen, jugendaemter, insofa, stamp)
