"""Drawing the random sample of closed cases (LKSG § 8, 2025 amendment: cases are selected at random).

Reproducible: the closed cases of the scope and period are put in the order of their ids, and
`random.Random(seed)` draws from that list, so the same seed over the same case set gives the same
sample — which lets anyone check afterwards that the sample was not picked by hand. The seed, the
size of the case set and a SHA-256 over its ids are stored with the sample and written into the
audit event; a redraw with the seed (`seed` given) over a different set is seen at once by its digest.

Who draws: the Leitung of the Jugendamt (`ja_leitung`). The Qualitätsentwicklungsverfahren is run in
each Jugendamt and reported to it (LKSG § 8), and the Leitung answers for the procedure; an
administrator manages accounts, not cases, and must not choose which case files others read.
- scope `jugendamt`: the closed cases the Jugendamt is responsible for (its own and those of the
  Träger in its area), drawn by that Jugendamt's Leitung;
- scope `netzwerk`: the closed cases of every organisation of the network, drawn by the Leitung of a
  Jugendamt of that network (the sample's owner is that Jugendamt).
The reviewer is named at the draw: an account with the role `qualitaet` in the same network.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.cases.state import CLOSED
from engine.clock import BERLIN
from engine.errors import NotAllowed, ValidationFailed
from engine.persistence import models as m
from engine.persistence.quality_models import QualitySample, QualitySampleCase
from engine.transactions import Work

DRAWING_ROLE = "ja_leitung"
REVIEWER_ROLE = "qualitaet"
SCOPES = ("jugendamt", "netzwerk")
LEITUNG_ONLY = "Eine Stichprobe zieht die Leitung des Jugendamts (für ihr Jugendamt oder ihr Netzwerk)."
#: a sample bigger than this is not a sample any more (and the reviewer's work must stay doable)
MAX_SIZE = 500


@dataclass(frozen=True)
class DrawOptions:
    #: (key, name) of the Jugendämter the actor leads, and of their networks
    jugendaemter: tuple[tuple[str, str], ...]
    netzwerke: tuple[tuple[str, str], ...]
    #: (username, display name) of the possible reviewers in those networks
    pruefer: tuple[tuple[str, str], ...]


def draw_options(work: Work, actor: Actor) -> DrawOptions:
    own = [ms for ms in actor.memberships if ms.role == DRAWING_ROLE]
    offices = work.session.execute(
        select(m.Organisation.key, m.Organisation.name).where(m.Organisation.id.in_([ms.organisation_id for ms in own]))
    ).all()
    keys = sorted({ms.network_key for ms in own})
    networks = work.session.execute(select(m.Network.key, m.Network.name).where(m.Network.key.in_(keys))).all()
    people = sorted({p for key in keys for p in reviewers(work, key)}, key=lambda p: p[1])
    return DrawOptions(
        tuple(sorted(((o.key, o.name) for o in offices), key=lambda o: o[1])),
        tuple(sorted(((n.key, n.name) for n in networks), key=lambda n: n[1])),
        tuple(people),
    )


def draw(case_ids: Sequence[int], seed: int, size: int) -> list[int]:
    """`size` of `case_ids` at random from `seed`, in the order drawn (independent of the input order)."""
    return random.Random(seed).sample(sorted(case_ids), min(size, len(case_ids)))  # noqa: S311 - reproducible by design


def population_digest(case_ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(case_ids)).encode()).hexdigest()


def draw_sample(work: Work, actor: Actor, raw: Mapping[str, Any]) -> QualitySample:
    """Check the request, draw, store the sample with its cases and audit it (`quality.sample_drawn`).
    Who may is asked before what was given is checked (deny by default, before validation)."""
    if not any(ms.role == DRAWING_ROLE for ms in actor.memberships):
        raise NotAllowed(LEITUNG_ONLY)
    scope, key = raw.get("bereich"), raw.get("schluessel")
    if scope not in SCOPES:
        raise ValidationFailed({"bereich": ["Jugendamt oder Netzwerk wählen."]})
    if not key:
        raise ValidationFailed({"schluessel": ["Das Jugendamt oder das Netzwerk wählen."]})
    owner = _owner(work, actor, str(scope), str(key))
    errors: dict[str, list[str]] = {}
    start, end = _day(raw, "von", errors), _day(raw, "bis", errors)
    if start and end and end < start:
        errors["bis"] = ["Das Ende des Zeitraums liegt vor seinem Anfang."]
    if end and end > work.now.astimezone(BERLIN).date():
        errors["bis"] = ["Der Zeitraum endet spätestens heute."]
    size_kind, size_value = _size(raw, errors)
    reviewer = _reviewer(work, raw.get("pruefer"), owner.network_key, errors)
    seed = _seed(raw, errors)
    if errors:
        raise ValidationFailed(errors)
    assert start and end and reviewer
    population = _closed_cases(work, str(scope), owner if scope == "jugendamt" else None, owner.network_key, start, end)
    if not population:
        raise ValidationFailed({"von": ["Im Zeitraum wurde kein Fall abgeschlossen."]})
    size = size_value if size_kind == "anzahl" else math.ceil(len(population) * size_value / 100)
    drawn = draw(population, seed, size)
    sample = QualitySample(
        scope=scope,
        scope_key=owner.key if scope == "jugendamt" else owner.network_key,
        period_from=start,
        period_to=end,
        size_kind=size_kind,
        size_value=size_value,
        seed=str(seed),
        population=len(population),
        population_sha256=population_digest(population),
        owner_id=owner.id,
        drawn_by_user_id=actor.user_id,
        drawn_at=work.now,
        reviewer_user_id=reviewer.id,
    )
    work.session.add(sample)
    work.session.flush()
    work.session.add_all(
        QualitySampleCase(sample_id=sample.id, case_id=case_id, position=n) for n, case_id in enumerate(drawn, 1)
    )
    references: dict[int, str] = {
        row.id: row.reference
        for row in work.session.execute(select(m.Case.id, m.Case.reference).where(m.Case.id.in_(drawn)))
    }
    payload = {
        "stichprobe": sample.id,
        "bereich": scope,
        "schluessel": sample.scope_key,
        "von": start.isoformat(),
        "bis": end.isoformat(),
        "seed": sample.seed,
        "grundgesamtheit": len(population),
        "grundgesamtheit_sha256": sample.population_sha256,
        "faelle": [references[i] for i in drawn],
        "pruefer": reviewer.username,
    }
    record(work, EventType.QUALITY_SAMPLE_DRAWN, actor=actor, payload=payload)
    return sample


def _owner(work: Work, actor: Actor, scope: str, key: str) -> m.Organisation:
    """The Jugendamt whose Leitung draws: the named one, or for a network the actor's Jugendamt in it."""
    for membership in actor.memberships:
        if membership.role != DRAWING_ROLE:
            continue
        if (scope == "jugendamt" and membership.organisation_key == key) or (
            scope == "netzwerk" and membership.network_key == key
        ):
            owner = work.session.get(m.Organisation, membership.organisation_id)
            assert owner is not None
            return owner
    raise NotAllowed(LEITUNG_ONLY)


def _day(raw: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> date | None:
    try:
        return date.fromisoformat(str(raw.get(name) or ""))
    except ValueError:
        errors[name] = ["Ein Datum (TT.MM.JJJJ)."]
        return None


def _size(raw: Mapping[str, Any], errors: dict[str, list[str]]) -> tuple[str, int]:
    """Either a number of cases (1–500) or a share in per cent (1–100), not both."""
    given = [(kind, raw.get(kind)) for kind in ("anzahl", "anteil") if raw.get(kind) not in (None, "")]
    if len(given) != 1:
        errors["anzahl"] = ["Entweder eine Anzahl von Fällen oder einen Anteil in Prozent angeben."]
        return "anzahl", 0
    kind, value = given[0]
    upper = MAX_SIZE if kind == "anzahl" else 100
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if not 1 <= number <= upper:
        errors[kind] = [f"Eine ganze Zahl von 1 bis {upper}."]
    return kind, number


def _reviewer(work: Work, username: object, network_key: str, errors: dict[str, list[str]]) -> m.User | None:
    """An active account holding `qualitaet` in an organisation of the network."""
    found = work.session.execute(
        select(m.User)
        .join(m.Membership, m.Membership.user_id == m.User.id)
        .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
        .where(
            m.User.username == str(username or ""),
            m.User.active.is_(True),
            m.Membership.role == REVIEWER_ROLE,
            m.Membership.pending.is_(False),
            m.Organisation.network_key == network_key,
        )
        .limit(1)
    ).scalar_one_or_none()
    if found is None:
        errors["pruefer"] = ["Eine Person mit der Rolle „Qualitätsentwicklung (LKSG § 8)“ aus diesem Netzwerk wählen."]
    return found


def reviewers(work: Work, network_key: str) -> list[tuple[str, str]]:
    """(username, display name) of the accounts that may be named reviewer in the network."""
    rows = work.session.execute(
        select(m.User.username, m.User.display_name)
        .join(m.Membership, m.Membership.user_id == m.User.id)
        .join(m.Organisation, m.Organisation.id == m.Membership.organisation_id)
        .where(
            m.User.active.is_(True),
            m.Membership.role == REVIEWER_ROLE,
            m.Membership.pending.is_(False),
            m.Organisation.network_key == network_key,
        )
        .distinct()
        .order_by(m.User.display_name)
    ).all()
    return [(r.username, r.display_name) for r in rows]


def _seed(raw: Mapping[str, Any], errors: dict[str, list[str]]) -> int:
    """The given seed (to repeat a draw), else a fresh one from the system's secure source."""
    given = raw.get("seed")
    if given in (None, ""):
        return secrets.randbits(63)
    try:
        seed = int(str(given))
    except ValueError:
        seed = -1
    if not 0 <= seed < 2**63:
        errors["seed"] = ["Eine ganze Zahl ab 0 (der Startwert einer früheren Ziehung)."]
    return seed


def _closed_cases(
    work: Work, scope: str, jugendamt: m.Organisation | None, network_key: str, start: date, end: date
) -> list[int]:
    """Ids of the cases closed within the period (Berlin days, both ends included)."""
    since = datetime.combine(start, time(), BERLIN)
    until = datetime.combine(end + timedelta(days=1), time(), BERLIN)
    query = select(m.Case.id).where(m.Case.status == CLOSED, m.Case.closed_at >= since, m.Case.closed_at < until)
    if scope == "jugendamt":
        assert jugendamt is not None
        query = query.where(m.Case.jugendamt_id == jugendamt.id)
    else:
        members = select(m.Organisation.id).where(m.Organisation.network_key == network_key)
        query = query.where(m.Case.organisation_id.in_(members))
    return list(work.session.execute(query.order_by(m.Case.id)).scalars())
