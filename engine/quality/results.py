"""The results of a sample: per criterion, how often each coded answer was given.

A sample covers one period, so its results are the period's; the page lists them per sample. Only
counts of coded answers leave here — no case, no comment — for the owner and the reviewer alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from engine.actor import Actor
from engine.persistence.quality_models import QualityReview, QualitySampleCase
from engine.quality.criteria import CRITERIA
from engine.quality.samples import Sample, describe, owned_or_reviewed
from engine.transactions import Work


@dataclass(frozen=True)
class CriterionResult:
    key: str
    label: str
    #: (answer label, count) in the form's order, every answer listed (also with 0)
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class SampleResults:
    sample: Sample
    criteria: tuple[CriterionResult, ...]


def sample_results(work: Work, actor: Actor, sample_id: int) -> SampleResults:
    sample, as_reviewer = owned_or_reviewed(work, actor, sample_id)
    stored = work.session.execute(
        select(QualityReview.answers)
        .join(QualitySampleCase, QualitySampleCase.id == QualityReview.sample_case_id)
        .where(QualitySampleCase.sample_id == sample.id)
    ).scalars()
    reviews = [json.loads(answers) for answers in stored]
    criteria = tuple(
        CriterionResult(
            c.key,
            c.label,
            tuple((label, sum(1 for r in reviews if r.get(c.key) == code)) for code, label in c.answers),
        )
        for c in CRITERIA
    )
    return SampleResults(describe(work, sample, as_reviewer), criteria)
