"""The organisations and people generated cases belong to: the directory's Jugendämter (with three
Fachkräfte and a Leitung each), a Beratungsstelle with insoweit erfahrene Fachkräfte per network, and
a few hundred Kitas and schools spread over the Jugendämter — created once (keys and usernames start
with `gen`), found again by later runs. Nobody of them has a password: a training instance gives
the people it needs one on the administration pages, or an API token (`schutzpfad users token`).

Also the rule that protects real data: generation refuses a database with any real case.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select

from engine.accounts import registry
from engine.accounts.facade import record_organisation_created, record_user_created
from engine.clock import BERLIN
from engine.errors import Conflict
from engine.persistence import models as m
from engine.transactions import Work
from engine.volume import people

#: Name stems of the generated Kitas and schools (the municipality is added).
KITAS = (
    "Kita Regenbogen",
    "Kita Sonnenschein",
    "Kita Pusteblume",
    "Kita Löwenzahn",
    "Kita Kunterbunt",
    "Familienzentrum Am Park",
    "Ev. Kita Arche Noah",
    "Kath. Kita St. Marien",
    "AWO-Kita Spatzennest",
    "Städtische Kita Sternschnuppe",
    "DRK-Kita Schatzkiste",
    "Kita Zwergenland",
)
SCHULEN = (
    "Grundschule am Wald",
    "Gemeinschaftsgrundschule",
    "Kath. Grundschule",
    "Gesamtschule",
    "Realschule",
    "Gymnasium",
    "Förderschule",
    "Hauptschule",
)
TRAEGER_SHARE = 0.7
JA_ROLES = {"ja_fachkraft": 3, "ja_leitung": 1}
TRAEGER_ROLES = {"traeger": {"fachkraft": 2, "leitung": 1}, "einrichtung_kkg": {"berufsgeheimnistraeger": 2}}
INSOFA_ROLES = {"insofa": 2}


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    display_name: str
    telefon: str | None


@dataclass
class Office:
    id: int
    key: str
    name: str
    kind: str
    network: str
    people: dict[str, list[Person]] = field(default_factory=dict)


@dataclass
class Area:
    """A Jugendamt with what its generated cases need: municipalities, Kitas, schools, the insofa."""

    jugendamt: Office
    municipalities: list[str]
    network_name: str
    beratung: Office
    offices: dict[str, list[Office]] = field(default_factory=dict)


def refuse_real_cases(work: Work) -> None:
    """Generated cases never mix with real children's data."""
    if work.session.execute(select(exists().where(m.Case.generated.is_(False)))).scalar():
        raise Conflict(
            "Die Datenbank enthält echte (nicht erzeugte) Fälle. Testfälle werden nur in eine Datenbank "
            "ohne echte Fälle geschrieben – bitte eine eigene Instanz anlegen (schutzpfad init)."
        )


def ensure_world(work: Work, rng: random.Random, traeger: int, operator: str) -> list[Area]:
    """Create what is missing (audited like an administrator's creation), then read the world."""
    session = work.session
    offices = session.execute(
        select(m.Organisation).where(m.Organisation.kind == "jugendamt").order_by(m.Organisation.key)
    )
    jugendaemter = list(offices.scalars())
    if not jugendaemter:
        raise Conflict("Das Jugendamtsverzeichnis ist leer: bitte zuerst 'schutzpfad init' ausführen.")
    towns = _municipalities(work)
    usernames = set(session.execute(select(m.User.username).where(m.User.username.like("gen.%"))).scalars())
    by_network: dict[str, list[m.Organisation]] = defaultdict(list)
    for ja in jugendaemter:
        by_network[ja.network_key].append(ja)
        _ensure_people(work, rng, ja, JA_ROLES, operator, usernames)
    for network, offices_ in by_network.items():
        network_name = session.get(m.Network, network).name  # type: ignore[union-attr]
        name = f"Kinderschutzfachberatung {network_name.removeprefix('Netzwerk Kinderschutz ')}"
        org = _ensure_org(work, f"gen-beratung-{network}", name, "beratungsstelle", offices_[0].key, operator)
        _ensure_people(work, rng, org, INSOFA_ROLES, operator, usernames)
    generated = m.Organisation.key.like("gen-kita-%") | m.Organisation.key.like("gen-schule-%")
    existing = int(session.execute(select(func.count()).where(generated)).scalar_one())
    for number in range(existing + 1, traeger + 1):
        ja = jugendaemter[rng.randrange(len(jugendaemter))]
        town = rng.choice(towns.get(ja.id) or [ja.name])
        if rng.random() < TRAEGER_SHARE:
            kind, key, name = "traeger", f"gen-kita-{number:04d}", rng.choice(KITAS)
        else:
            kind, key, name = "einrichtung_kkg", f"gen-schule-{number:04d}", rng.choice(SCHULEN)
        org = _ensure_org(work, key, f"{name} {town}", kind, ja.key, operator)
        _ensure_people(work, rng, org, TRAEGER_ROLES[kind], operator, usernames)
    session.flush()
    return _areas(work, towns)


def _municipalities(work: Work) -> dict[int, list[str]]:
    today = work.now.astimezone(BERLIN).date()
    towns: dict[int, list[str]] = defaultdict(list)
    for row in work.session.execute(select(m.Municipality).order_by(m.Municipality.name)).scalars():
        if row.valid_from <= today and (row.valid_to is None or today <= row.valid_to):
            towns[row.jugendamt_id].append(row.name)
    return towns


def _ensure_org(work: Work, key: str, name: str, kind: str, jugendamt: str, operator: str) -> m.Organisation:
    org = work.session.execute(select(m.Organisation).where(m.Organisation.key == key)).scalar_one_or_none()
    if org is None:
        reporter = {"traeger": "kita_kindertagespflege", "einrichtung_kkg": "schule"}.get(kind)
        org = registry.create_organisation(
            work.session, key=key, name=name, kind=kind, now=work.now, jugendamt_key=jugendamt, meldende_stelle=reporter
        )
        record_organisation_created(work, org, operator)
    return org


def _ensure_people(
    work: Work, rng: random.Random, org: m.Organisation, roles: dict[str, int], operator: str, existing: set[str]
) -> None:
    for role, count in roles.items():
        for number in range(1, count + 1):
            username = f"gen.{org.key.removeprefix('gen-')}.{role.replace('_', '')}{number}"
            if username in existing:
                continue
            person = people.person(rng)
            user = registry.create_user(
                work.session,
                username=username,
                organisation_key=org.key,
                role=role,
                password=None,
                now=work.now,
                display_name=person.name,
                mfa_required=True,
                telefon=people.telephone(rng),
            )
            record_user_created(work, user, org.key, role, operator)


def _areas(work: Work, towns: dict[int, list[str]]) -> list[Area]:
    session = work.session
    orgs = {
        org.id: Office(org.id, org.key, org.name, org.kind, org.network_key)
        for org in session.execute(
            select(m.Organisation).where((m.Organisation.kind == "jugendamt") | m.Organisation.key.like("gen-%"))
        ).scalars()
    }
    rows = session.execute(
        select(m.Membership.organisation_id, m.Membership.role, m.User)
        .join(m.User, m.User.id == m.Membership.user_id)
        .where(m.Membership.organisation_id.in_(list(orgs)), m.User.username.like("gen.%"))
        .order_by(m.User.username)
    ).all()
    for org_id, role, user in rows:
        orgs[org_id].people.setdefault(role, []).append(Person(user.id, user.username, user.display_name, user.telefon))
    networks = {n.key: n.name for n in session.execute(select(m.Network)).scalars()}
    parents = dict(session.execute(select(m.Organisation.id, m.Organisation.jugendamt_id)).tuples().all())
    beratung = {o.network: o for o in orgs.values() if o.kind == "beratungsstelle"}
    areas = {
        o.id: Area(o, towns[o.id], networks[o.network], beratung[o.network])
        for o in orgs.values()
        if o.kind == "jugendamt" and towns.get(o.id)
    }
    for office in orgs.values():
        area = areas.get(parents.get(office.id) or -1)
        if area is not None and office.kind in TRAEGER_ROLES:
            area.offices.setdefault(office.kind, []).append(office)
    return [areas[key] for key in sorted(areas)]
