"""The reviewer's side of a sampled case: its pseudonymised reading and the structured review.

A review is stored per sampled case and may be revised until the sample's results are read as
final; every save is audited (`quality.reviewed`, with the coded answers and the comments, sealed
under the case's key like every case event). The comments are sealed in the table as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from audit import Shredded
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record, record_read
from engine.cases.case_file import CaseFile, documented
from engine.cases.child import age_years
from engine.cases.redaction import pseudonymised_for_review
from engine.errors import NotFound, denied
from engine.persistence import models as m
from engine.persistence.quality_models import QualityReview, QualitySample, QualitySampleCase
from engine.persistence.sealed import open_child, open_review_comments, seal_review_comments
from engine.processes.file_rules import OWN
from engine.quality.criteria import checked_review
from engine.quality.release import is_released
from engine.quality.samples import SAMPLE_NOT_FOUND, describe, is_reviewer, owned_or_reviewed, sampled_case
from engine.transactions import Work


@dataclass(frozen=True)
class ReviewCase:
    sample_id: int
    position: int
    total: int
    file: CaseFile
    #: the child's age in years when the case was opened (never the birth date)
    age: int | None
    texts_released: bool
    answers: dict[str, str]
    comments: dict[str, str]


def _as_reviewer(work: Work, actor: Actor, sample_id: int, position: int) -> tuple[QualitySampleCase, m.Case]:
    """The sampled case for its reviewer. Anybody else trying it gets the 404 of a missing sample,
    and where the case exists the runner records the refusal on it (`access.denied`, view
    `qualitaet`): probing a sample's cases leaves a trace on each case like any other case read."""
    sample = work.session.get(QualitySample, sample_id)
    if sample is None:
        raise NotFound(SAMPLE_NOT_FOUND)
    row, case = sampled_case(work, sample, position)
    if not is_reviewer(actor, sample):
        raise denied(NotFound(SAMPLE_NOT_FOUND), actor, case.id, view="qualitaet")
    return row, case


def review_case(work: Work, actor: Actor, sample_id: int, position: int) -> ReviewCase:
    """A sampled case as its reviewer reads it (audited as `case.read`, view `qualitaet`)."""
    row, case = _as_reviewer(work, actor, sample_id, position)
    sample = describe(work, owned_or_reviewed(work, actor, sample_id)[0], True)
    released = is_released(work.session, case.id)
    file = pseudonymised_for_review(documented(work, case, OWN), texts_released=released)
    answers, comments = stored_review(work, row, case)
    record_read(work, actor, case.id, {"view": "qualitaet", "stichprobe": sample_id})
    return ReviewCase(sample_id, position, len(sample.cases), file, _age(work, case), released, answers, comments)


def save_review(work: Work, actor: Actor, sample_id: int, position: int, raw: object) -> None:
    row, case = _as_reviewer(work, actor, sample_id, position)
    answers, comments = checked_review(raw)
    review = work.session.get(QualityReview, row.id) or QualityReview(sample_case_id=row.id)
    review.answers = json.dumps(answers, sort_keys=True)
    review.comments = seal_review_comments(work, case.reference, row.id, comments)
    review.reviewed_by_user_id = actor.user_id
    review.reviewed_at = work.now
    work.session.add(review)
    payload = {"stichprobe": sample_id, "antworten": answers, "kommentare": comments}
    record(work, EventType.QUALITY_REVIEWED, actor=actor, case=case, payload=payload)


def stored_review(work: Work, row: QualitySampleCase, case: m.Case) -> tuple[dict[str, str], dict[str, str]]:
    review = work.session.get(QualityReview, row.id)
    if review is None:
        return {}, {}
    try:
        comments = open_review_comments(work, case.reference, row.id, review.comments)
    except Shredded:
        comments = {}
    return json.loads(review.answers), comments


def _age(work: Work, case: m.Case) -> int | None:
    try:
        return age_years(open_child(work, case), case.opened_at.date())
    except Shredded:
        return None
