"""Who sees a quality sample, and what: deny by default.

- the sample's owner, the Leitung (`ja_leitung`) of the Jugendamt that drew it: the sample, its
  progress and the results — never the cases' pseudonymised files (it reads its own cases as usual);
- the reviewer named at the draw, while holding the role `qualitaet`: the sample, each sampled case
  pseudonymised (engine/cases/redaction.py), the review form and the results.
Everybody else gets NotFound, as for a sample that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, or_, select

from engine.actor import Actor
from engine.errors import NotFound
from engine.persistence import models as m
from engine.persistence.quality_models import QualityReview, QualitySample, QualitySampleCase
from engine.quality.sampling import DRAWING_ROLE, REVIEWER_ROLE
from engine.transactions import Work

SAMPLE_NOT_FOUND = "Diese Stichprobe gibt es nicht oder sie ist Ihnen nicht zugänglich."


@dataclass(frozen=True)
class SampledCase:
    position: int
    pseudonym: str
    process_title: str
    closed_at: datetime | None
    reviewed: bool


@dataclass(frozen=True)
class Sample:
    id: int
    scope: str
    scope_name: str
    period_from: date
    period_to: date
    size_kind: str
    size_value: int
    seed: str
    population: int
    population_sha256: str
    owner: str
    drawn_by: str
    drawn_at: datetime
    reviewer: str
    cases: tuple[SampledCase, ...]
    #: what the reader may do: `owner` (results), `reviewer` (cases, reviews and results)
    as_reviewer: bool

    @property
    def reviewed(self) -> int:
        return sum(1 for c in self.cases if c.reviewed)


def owned_or_reviewed(work: Work, actor: Actor, sample_id: int) -> tuple[QualitySample, bool]:
    """The sample and whether the actor reads it as its reviewer; NotFound for everybody else."""
    sample = work.session.get(QualitySample, sample_id)
    if sample is None:
        raise NotFound(SAMPLE_NOT_FOUND)
    if is_reviewer(actor, sample):
        return sample, True
    if DRAWING_ROLE in actor.roles_in(sample.owner_id):
        return sample, False
    raise NotFound(SAMPLE_NOT_FOUND)


def is_reviewer(actor: Actor, sample: QualitySample) -> bool:
    return actor.user_id == sample.reviewer_user_id and actor.has_role(REVIEWER_ROLE)


def visible_samples(work: Work, actor: Actor) -> list[Sample]:
    owned = [ms.organisation_id for ms in actor.memberships if ms.role == DRAWING_ROLE]
    conditions: list[ColumnElement[bool]] = [QualitySample.owner_id.in_(owned)] if owned else []
    if actor.has_role(REVIEWER_ROLE):
        conditions.append(QualitySample.reviewer_user_id == actor.user_id)
    if not conditions:
        return []
    rows = work.session.execute(select(QualitySample).where(or_(*conditions)).order_by(QualitySample.id.desc()))
    return [describe(work, s, is_reviewer(actor, s)) for s in rows.scalars()]


def describe(work: Work, sample: QualitySample, as_reviewer: bool) -> Sample:
    session = work.session
    rows = session.execute(
        select(QualitySampleCase, m.Case, m.ProcessDefinition.title, QualityReview.sample_case_id)
        .join(m.Case, m.Case.id == QualitySampleCase.case_id)
        .join(m.ProcessDefinition, m.ProcessDefinition.id == m.Case.definition_id)
        .outerjoin(QualityReview, QualityReview.sample_case_id == QualitySampleCase.id)
        .where(QualitySampleCase.sample_id == sample.id)
        .order_by(QualitySampleCase.position)
    ).all()
    cases = tuple(
        SampledCase(sc.position, case.pseudonym, title, case.closed_at, done is not None)
        for sc, case, title, done in rows
    )
    return Sample(
        id=sample.id,
        scope=sample.scope,
        scope_name=_scope_name(work, sample),
        period_from=sample.period_from,
        period_to=sample.period_to,
        size_kind=sample.size_kind,
        size_value=sample.size_value,
        seed=sample.seed,
        population=sample.population,
        population_sha256=sample.population_sha256,
        owner=_name(session.get(m.Organisation, sample.owner_id)),
        drawn_by=_person(session.get(m.User, sample.drawn_by_user_id)),
        drawn_at=sample.drawn_at,
        reviewer=_person(session.get(m.User, sample.reviewer_user_id)),
        cases=cases,
        as_reviewer=as_reviewer,
    )


def sampled_case(work: Work, sample: QualitySample, position: int) -> tuple[QualitySampleCase, m.Case]:
    row = work.session.execute(
        select(QualitySampleCase, m.Case)
        .join(m.Case, m.Case.id == QualitySampleCase.case_id)
        .where(QualitySampleCase.sample_id == sample.id, QualitySampleCase.position == position)
    ).first()
    if row is None:
        raise NotFound(SAMPLE_NOT_FOUND)
    return row[0], row[1]


def _scope_name(work: Work, sample: QualitySample) -> str:
    if sample.scope == "netzwerk":
        network = work.session.get(m.Network, sample.scope_key)
        return network.name if network else sample.scope_key
    found = work.session.execute(
        select(m.Organisation).where(m.Organisation.key == sample.scope_key)
    ).scalar_one_or_none()
    return _name(found)


def _name(organisation: m.Organisation | None) -> str:
    return organisation.name if organisation else ""


def _person(user: m.User | None) -> str:
    return (user.display_name or user.username) if user else ""
