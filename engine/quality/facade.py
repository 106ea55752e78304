"""The quality part of `CaseEngine` (LKSG § 8 quality review, issue 15 item 2): draw a sample,
release a case's free texts, read and review the sampled cases, read the results per sample and
per period.

Every command and every reading of a sampled case leaves its audit event in the same unit of work;
who may do what is decided in engine/quality/samples.py (deny by default).
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.actor import Actor
from engine.engine_parts import EngineParts
from engine.errors import ValidationFailed
from engine.quality import aggregates, release, results, reviews, samples, sampling


class QualityFacade(EngineParts):
    def draw_quality_sample(self, actor: Actor, data: object) -> int:
        """Draw and store a sample (`quality.sample_drawn` with its seed); returns its id."""
        if not isinstance(data, Mapping):
            raise ValidationFailed({"_schema": ["Die Angaben zur Stichprobe fehlen."]})
        return self.tx.command(lambda work: sampling.draw_sample(work, actor, data).id)

    def quality_draw_options(self, actor: Actor) -> sampling.DrawOptions:
        """What the draw form offers the actor: its Jugendämter, their networks and the reviewers."""
        return self.tx.query(lambda work: sampling.draw_options(work, actor))

    def quality_samples(self, actor: Actor) -> list[samples.Sample]:
        return self.tx.query(lambda work: samples.visible_samples(work, actor))

    def quality_results(self, actor: Actor, sample_id: int) -> results.SampleResults:
        return self.tx.query(lambda work: results.sample_results(work, actor, sample_id))

    def quality_period_results(
        self, actor: Actor, scope: str | None = None, key: str | None = None, period: str | None = None
    ) -> aggregates.PeriodResults:
        """The results of a quarter or year across the samples of one of the reader's Jugendämter
        (its Leitung) or networks (Leitungen and reviewers there), exact for the samples the reader
        reads exactly anyway, small counts of the others suppressed (R34);
        default: the reader's first area and the current quarter."""
        return self.tx.query(lambda work: aggregates.period_results(work, actor, scope, key, period))

    def quality_case(self, actor: Actor, sample_id: int, position: int) -> reviews.ReviewCase:
        """A sampled case, pseudonymised, for its reviewer; the reading is audited (`case.read`)."""
        return self.tx.command(lambda work: reviews.review_case(work, actor, sample_id, position))

    def save_quality_review(self, actor: Actor, sample_id: int, position: int, data: object) -> None:
        self.tx.command(lambda work: reviews.save_review(work, actor, sample_id, position, data))

    def release_for_review(self, actor: Actor, case_id: int) -> None:
        """The owning organisation's Leitung releases a closed case's free texts (`quality.released`)."""
        self.tx.command(lambda work: release.release(work, actor, case_id))

    def withdraw_review_release(self, actor: Actor, case_id: int) -> None:
        """The same Leitung withdraws the release (`quality.release_withdrawn`); it takes effect on
        the reviewer's next reading."""
        self.tx.command(lambda work: release.withdraw(work, actor, case_id))

    def review_release(self, actor: Actor, case_id: int) -> tuple[bool, bool]:
        """(may decide the release, already released) of a case the actor sees, for the case page."""
        return self.tx.query(lambda work: release.release_state(work, actor, case_id))
