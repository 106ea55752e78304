"""Organisations, users and memberships (API tokens: engine/accounts/tokens.py).

Passwords are argon2id hashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor, Membership
from engine.errors import NotFound, ValidationFailed
from engine.labels import KIND_LABELS, REPORTER_LABELS, ROLE_LABELS
from engine.permissions import BREAK_GLASS_ROLES, CASEWORK_ROLES, POOL_ROLES
from engine.persistence import models as m

#: The kinds of organisation and their German names (the catalog is engine.labels).
ORGANISATION_KINDS = KIND_LABELS

#: Which roles make sense in which kind of organisation (procedures.md section 1).
ROLES_BY_KIND = {
    "traeger": {"fachkraft", "leitung", "auditor", "admin"},
    "kindertagespflege": {"fachkraft", "auditor", "admin"},
    "einrichtung_kkg": {"berufsgeheimnistraeger", "auditor", "admin"},
    #: a practice or clinic: its Berufsgeheimnisträger belong to a Heilberuf (§ 4 Abs. 1 Nr. 1, Abs. 3 Satz 3 KKG)
    "gesundheitswesen": {"berufsgeheimnistraeger", "auditor", "admin"},
    "beratungsstelle": {"insofa", "qualitaet", "auditor", "admin", "netzwerk_koordination"},
    "jugendamt": {
        "ja_fachkraft",
        "ja_leitung",
        "ja_fachberatung_ktp",
        "ja_bereitschaft",
        "qualitaet",
        "auditor",
        "admin",
        "netzwerk_koordination",
    },
}

#: Roles that open case content (or, for the auditor, the case's audit trail) at their organisation:
#: granted by an administrator, they take effect only after a confirmation (role_grants.py).
CONFIRMED_ROLES = CASEWORK_ROLES | POOL_ROLES | BREAK_GLASS_ROLES | {"auditor"}

#: The reporter category an organisation of a kind has unless the administrator names another.
REPORTER_BY_KIND = {
    "kindertagespflege": "kita_kindertagespflege",
    "beratungsstelle": "beratungsstelle",
    "gesundheitswesen": "gesundheitswesen",
}

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


def _listed(names: Iterable[str]) -> str:
    """„A“, „B“ oder „C“: the choices of a refusal by their names, never their keys."""
    quoted = [f"„{name}“" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} oder {quoted[-1]}"


#: A German telephone number as people write it: digits with spaces, slashes, hyphens, brackets, a "+".
TELEPHONE = re.compile(r"^\+?[0-9][0-9 /()-]{4,38}$")
_hasher = PasswordHasher()  # argon2id with the library's current parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def organisation_by_key(session: Session, key: str) -> m.Organisation:
    org = session.execute(select(m.Organisation).where(m.Organisation.key == key)).scalar_one_or_none()
    if org is None:
        raise NotFound(f"Organisation „{key}“ ist nicht bekannt.")
    return org


def create_organisation(
    session: Session,
    *,
    key: str,
    name: str,
    kind: str,
    now: datetime,
    jugendamt_key: str | None = None,
    network_key: str | None = None,
    meldende_stelle: str | None = None,
) -> m.Organisation:
    """Every organisation belongs to a network; all but a Jugendamt name their Jugendamt. Its reporter
    category (`meldende_stelle`) defaults by kind where the kind tells it."""
    errors: dict[str, list[str]] = {}
    if meldende_stelle and meldende_stelle not in REPORTER_LABELS:
        errors["meldende_stelle"] = [f"Wählen Sie eine der meldenden Stellen {_listed(REPORTER_LABELS.values())}."]
    if not _KEY.match(key):
        errors["key"] = ["Nur Kleinbuchstaben, Ziffern und Bindestriche (2–63 Zeichen)."]
    elif session.execute(select(m.Organisation.id).where(m.Organisation.key == key)).first():
        errors["key"] = [f"Organisation „{key}“ gibt es schon."]
    if not name.strip():
        errors["name"] = ["Geben Sie den Namen der Organisation an."]
    if kind not in ORGANISATION_KINDS:
        errors["kind"] = [f"Wählen Sie eine der Arten {_listed(ORGANISATION_KINDS.values())}."]
    jugendamt = None
    if kind != "jugendamt" and kind in ORGANISATION_KINDS:
        if not jugendamt_key:
            errors["jugendamt"] = ["Wählen Sie das Jugendamt der Kooperationsvereinbarung aus."]
        else:
            jugendamt = session.execute(
                select(m.Organisation).where(m.Organisation.key == jugendamt_key, m.Organisation.kind == "jugendamt")
            ).scalar_one_or_none()
            if jugendamt is None:
                errors["jugendamt"] = [f"Jugendamt „{jugendamt_key}“ ist nicht bekannt."]
    network = network_key or (jugendamt.network_key if jugendamt else None)
    if not network:
        errors.setdefault("netzwerk", ["Wählen Sie das Netzwerk der Organisation aus."])
    elif session.get(m.Network, network) is None:
        errors["netzwerk"] = [f"Netzwerk „{network}“ ist nicht bekannt."]
    if errors:
        raise ValidationFailed(errors)
    assert network is not None
    org = m.Organisation(
        key=key,
        name=name.strip(),
        kind=kind,
        network_key=network,
        jugendamt_id=jugendamt.id if jugendamt else None,
        meldende_stelle=meldende_stelle or REPORTER_BY_KIND.get(kind),
        created_at=now,
    )
    session.add(org)
    session.flush()
    return org


def create_user(
    session: Session,
    *,
    username: str,
    organisation_key: str,
    role: str,
    password: str | None,
    now: datetime,
    display_name: str | None = None,
    mfa_required: bool = True,
    telefon: str | None = None,
    requested_by: str | None = None,
) -> m.User:
    """A user with one role in one organisation; `telefon`: the direct line a Jugendamt calls back
    after this person's Meldung. With `requested_by` (an administrator in the web) a role in
    `CONFIRMED_ROLES` is created pending: it takes effect once confirmed (role_grants.py)."""
    errors: dict[str, list[str]] = {}
    telefon = (telefon or "").strip() or None
    if telefon is not None and not TELEPHONE.match(telefon):
        errors["telefon"] = ["Bitte eine Telefonnummer aus Ziffern angeben, z. B. 02832 93 44-12."]
    if not _USERNAME.match(username):
        errors["username"] = ["Nur Kleinbuchstaben, Ziffern, Punkt, Binde- und Unterstrich (2–63 Zeichen)."]
    elif session.execute(select(m.User.id).where(m.User.username == username)).first():
        errors["username"] = [f"Benutzername „{username}“ ist vergeben."]
    if password is not None and len(password) < 12:
        errors["password"] = ["Mindestens 12 Zeichen."]
    org = session.execute(select(m.Organisation).where(m.Organisation.key == organisation_key)).scalar_one_or_none()
    if org is None:
        errors["organisation"] = [f"Organisation „{organisation_key}“ ist nicht bekannt."]
    elif role not in (allowed := ROLES_BY_KIND[org.kind]):
        errors["role"] = [
            (
                f"Diese Rolle passt nicht zu dieser Organisation. Wählen Sie eine der"
                f" Rollen {_listed(sorted(ROLE_LABELS[r] for r in allowed))}."
            )
        ]
    if errors:
        raise ValidationFailed(errors)
    assert org is not None
    user = m.User(
        username=username,
        display_name=(display_name or username).strip(),
        telefon=telefon,
        password_hash=hash_password(password) if password else None,
        mfa_required=mfa_required,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    pending = requested_by is not None and role in CONFIRMED_ROLES
    session.add(
        m.Membership(
            user_id=user.id,
            organisation_id=org.id,
            role=role,
            pending=pending,
            requested_by=requested_by if pending else None,
            requested_at=now if pending else None,
        )
    )
    session.flush()
    return user


def user_by_username(session: Session, username: str) -> m.User:
    user = session.execute(select(m.User).where(m.User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"Benutzer „{username}“ ist nicht bekannt.")
    return user


def actor_for_user(session: Session, user: m.User) -> Actor:
    rows = session.execute(
        select(m.Membership.role, m.Organisation)
        .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
        .where(m.Membership.user_id == user.id, m.Membership.pending.is_(False))
    ).all()
    memberships = tuple(Membership(org.id, org.key, org.kind, org.network_key, role) for role, org in rows)
    return Actor(user.id, user.username, user.display_name, memberships)
