"""The quality review's results of a period across samples (LKSG § 8: the Qualitätsentwicklung
reports per period, not per draw): per criterion how often each coded answer was given, and how
many sampled cases are reviewed and how many still pending.

What is counted: the sampled cases closed in the period (a quarter `JJJJ-Qn` or a year `JJJJ`,
Europe/Berlin), of every sample drawn over a Jugendamt's cases (scope `jugendamt`) or over a
network's (scope `netzwerk`). A case drawn in two samples counts in each (each has its own review).

Who reads which, and how exactly (deny by default; R34):
- a Jugendamt's figures: only its Leitung (`ja_leitung`), which owns every sample drawn over its
  cases and reads each of them exactly on the sample's page — so the counts are exact here too;
- a network's figures: the Leitung of every Jugendamt of the network and every account with the
  role `qualitaet` there (the reviewers). No reader owns all those samples, so small counts are
  suppressed as on the network's indicators (engine/indicators/suppression.py: 1–4 read "< 5",
  secondary suppression per criterion). A year is the sum of its quarters, and both can be chosen:
  a year's figure is shown only where each of its quarters' figures is shown, so that no hidden
  quarter can be computed as the year minus the others. The hidden year cells then add up to the
  hidden quarter cells, whose sum each quarter's total already gives away — nothing more.
- no role for either: NotAllowed; a Jugendamt or network not one's own: NotFound.
A reading is counts of index rows (coded answers, closing dates), no data key is opened, no case
is named: it is not a case read and leaves no audit event, like the indicators.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.actor import Actor
from engine.errors import NotAllowed, NotFound, ValidationFailed
from engine.indicators.figures import Tally
from engine.indicators.quarters import Quarter, parse_quarter, quarter_of, recent
from engine.indicators.suppression import PROTECTED, SHOWN, SMALL, Breakdown, Cell, is_small, protect, single
from engine.persistence import models as m
from engine.persistence.quality_models import QualityReview, QualitySample, QualitySampleCase
from engine.quality.criteria import CRITERIA
from engine.quality.sampling import DRAWING_ROLE, REVIEWER_ROLE
from engine.transactions import Work

JUGENDAMT, NETZWERK = "jugendamt", "netzwerk"
_YEAR = re.compile(r"^\d{4}$")
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
NO_ROLE = "Die Ergebnisse der Qualitätsprüfung sehen die Leitung des Jugendamts und die prüfenden Personen."
NOT_YOURS = "Diese Ergebnisse gibt es nicht oder sie sind Ihnen nicht zugänglich."


@dataclass(frozen=True)
class Period:
    """A quarter or a year, as the quarters it is made of."""

    name: str
    quarters: tuple[Quarter, ...]

    @property
    def is_year(self) -> bool:
        return len(self.quarters) > 1


@dataclass(frozen=True)
class Area:
    scope: str
    key: str
    name: str


@dataclass(frozen=True)
class CriterionFigures:
    key: str
    label: str
    #: the answers' labels and their counts, suppressed where they must be
    tally: Tally


@dataclass(frozen=True)
class PeriodResults:
    area: Area
    period: Period
    #: what the reader may choose: its areas and the periods, newest first
    areas: tuple[Area, ...]
    periods: tuple[Period, ...]
    #: True where small counts are hidden (a network's figures)
    suppressed: bool
    samples: int
    reviewed: Cell
    pending: Cell
    #: per criterion, in the form's order
    criteria: tuple[CriterionFigures, ...]


def period_results(
    work: Work, actor: Actor, scope: str | None, key: str | None, period_name: str | None
) -> PeriodResults:
    areas = readable_areas(work, actor)
    if not areas:
        raise NotAllowed(NO_ROLE)
    area = areas[0] if not scope and not key else next((a for a in areas if (a.scope, a.key) == (scope, key)), None)
    if area is None:
        raise NotFound(NOT_YOURS)
    period = parse_period(period_name, work)
    per_quarter = {q: _QuarterTally() for q in period.quarters}
    samples: set[int] = set()
    for sample_id, closed_at, answers in _sampled(work, area, period):
        samples.add(sample_id)
        per_quarter[quarter_of(closed_at)].add(answers)
    suppressed = area.scope == NETZWERK
    tallies = list(per_quarter.values())
    criteria = tuple(
        CriterionFigures(
            c.key, c.label, Tally(dict(c.answers), period_breakdown([t.counts(c.key) for t in tallies], suppressed))
        )
        for c in CRITERIA
    )
    pending = [t.pending for t in tallies]
    pending_cell = _sum_cells([single(n) if suppressed else Cell(n, SHOWN) for n in pending], sum(pending))
    reviewed = criteria[0].tally.breakdown.total  # every review answers every criterion
    return PeriodResults(
        area, period, tuple(areas), tuple(_choices(work)), suppressed, len(samples), reviewed, pending_cell, criteria
    )


class _QuarterTally:
    """The counts of one quarter: answers per criterion and the pending cases."""

    def __init__(self) -> None:
        self.answers: dict[str, Counter[str]] = {c.key: Counter() for c in CRITERIA}
        self.pending = 0

    def add(self, stored: str | None) -> None:
        if stored is None:
            self.pending += 1
            return
        for criterion, code in json.loads(stored).items():
            if criterion in self.answers:
                self.answers[criterion][code] += 1

    def counts(self, criterion_key: str) -> dict[str, int]:
        """How often each answer of the criterion was given, every answer listed (also with 0)."""
        criterion = next(c for c in CRITERIA if c.key == criterion_key)
        return {code: self.answers[criterion_key][code] for code, _ in criterion.answers}


def period_breakdown(quarters: list[dict[str, int]], suppressed: bool) -> Breakdown:
    """The period's breakdown from its quarters' counts: exact, or each quarter suppressed on its own
    and a cell of the period shown only where every quarter's is."""
    if not suppressed:
        counts = {k: sum(q[k] for q in quarters) for k in quarters[0]}
        return Breakdown({k: Cell(v, SHOWN) for k, v in counts.items()}, Cell(sum(counts.values()), SHOWN))
    protected = [protect(q) for q in quarters]
    cells = {k: _sum_cells([p.cells[k] for p in protected], sum(q[k] for q in quarters)) for k in quarters[0]}
    total = _sum_cells([p.total for p in protected], sum(sum(q.values()) for q in quarters))
    return Breakdown(cells, total)


def _sum_cells(parts: list[Cell], value: int) -> Cell:
    """The sum of the quarters' cells; hidden if any part is ("< 5" only if the sum is that small)."""
    if all(p.shown for p in parts):
        return Cell(value, SHOWN)
    return Cell(None, SMALL if is_small(value) else PROTECTED)


def readable_areas(work: Work, actor: Actor) -> list[Area]:
    """The reader's Jugendämter (as their Leitung) first, then the networks it reads, by name."""
    led = {ms.organisation_id for ms in actor.memberships if ms.role == DRAWING_ROLE}
    offices = work.session.execute(select(m.Organisation).where(m.Organisation.id.in_(led))).scalars()
    networks = actor.networks_with_role(DRAWING_ROLE) | actor.networks_with_role(REVIEWER_ROLE)
    found = work.session.execute(select(m.Network).where(m.Network.key.in_(networks))).scalars()
    return sorted((Area(JUGENDAMT, o.key, o.name) for o in offices), key=lambda a: a.name) + sorted(
        (Area(NETZWERK, n.key, n.name) for n in found), key=lambda a: a.name
    )


def parse_period(name: str | None, work: Work) -> Period:
    """`JJJJ-Qn` or `JJJJ` (None: the current quarter); nothing after the current quarter or year."""
    text = (name or "").strip()
    if _YEAR.match(text):
        year = int(text)
        if year > quarter_of(work.now).year:
            raise ValidationFailed({"zeitraum": ["Ein Jahr bis zum laufenden; spätere haben noch keine Zahlen."]})
        return Period(str(year), tuple(Quarter(year, n) for n in range(1, 5)))
    if text and not _QUARTER.match(text):
        raise ValidationFailed({"zeitraum": ["Ein Quartal (JJJJ-Qn, zum Beispiel 2026-Q3) oder ein Jahr (JJJJ)."]})
    try:
        quarter = parse_quarter(text or None, work.now)
    except ValidationFailed as refused:  # a quarter still to come: the same words, at this page's field
        raise ValidationFailed({"zeitraum": refused.errors["quartal"]}) from None
    return Period(quarter.name, (quarter,))


def _choices(work: Work) -> list[Period]:
    quarters = recent(work.now)
    years = sorted({q.year for q in quarters}, reverse=True)
    return [Period(q.name, (q,)) for q in quarters] + [
        Period(str(y), tuple(Quarter(y, n) for n in range(1, 5))) for y in years
    ]


def _sampled(work: Work, area: Area, period: Period) -> list[tuple[int, datetime, str | None]]:
    """(sample, closing instant, stored answers or None) of every sampled case closed in the period."""
    rows = work.session.execute(
        select(QualitySampleCase.sample_id, m.Case.closed_at, QualityReview.answers)
        .join(QualitySample, QualitySample.id == QualitySampleCase.sample_id)
        .join(m.Case, m.Case.id == QualitySampleCase.case_id)
        .outerjoin(QualityReview, QualityReview.sample_case_id == QualitySampleCase.id)
        .where(
            QualitySample.scope == area.scope,
            QualitySample.scope_key == area.key,
            m.Case.closed_at >= period.quarters[0].start,
            m.Case.closed_at < period.quarters[-1].end,
        )
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]
