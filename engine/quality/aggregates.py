"""The quality review's results of a period across samples (LKSG § 8: the Qualitätsentwicklung
reports per period, not per draw): per criterion how often each coded answer was given, and how
many sampled cases are reviewed and how many still pending.

What is counted: the sampled cases closed in the period (a quarter `JJJJ-Qn` or a year `JJJJ`,
Europe/Berlin), of every sample drawn over a Jugendamt's cases (scope `jugendamt`) or over a
network's (scope `netzwerk`). A case drawn in two samples counts in each (each has its own review).

Who reads which (deny by default):
- a Jugendamt's figures: only its Leitung (`ja_leitung`);
- a network's figures: the Leitung of every Jugendamt of the network and every account with the
  role `qualitaet` there (the reviewers);
- no role for either: NotAllowed; a Jugendamt or network not one's own: NotFound.

How exactly (R34): the samples a reader reads exactly on their own pages anyway — the Leitung those
of its Jugendamt, a reviewer those it reviews — count exactly. Everything else is suppressed as on
the network's indicators (engine/indicators/suppression.py: 1–4 read "< 5", secondary suppression
per criterion), each quarter on its own, and the reader's exact part is added only to a figure whose
other part is shown: subtracting what one knows from a figure leaves a shown count or nothing. So a
Jugendamt's Leitung reads its Jugendamt's figures exactly (they are all its own samples). A year is
the sum of its quarters, and both can be chosen: a year's figure is shown only where each of its
quarters' figures is shown, so that no hidden quarter can be computed as the year minus the others;
the hidden year cells then add up to the hidden quarter cells, whose sum each quarter's total
already gives away — nothing more.
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
    #: True where some figures come from samples the reader does not read exactly (small counts hidden)
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
    others = {q: _QuarterTally() for q in period.quarters}
    own = _QuarterTally()
    samples: set[int] = set()
    for sample_id, closed_at, answers, owner_id, reviewer_id in _sampled(work, area, period):
        samples.add(sample_id)
        (own if reads_exactly(actor, owner_id, reviewer_id) else others[quarter_of(closed_at)]).add(answers)
    parts = list(others.values())
    criteria = tuple(
        CriterionFigures(
            c.key,
            c.label,
            Tally(dict(c.answers), plus_own(period_breakdown([t.counts(c.key) for t in parts]), own.counts(c.key))),
        )
        for c in CRITERIA
    )
    pending = [t.pending for t in parts]
    pending_cell = _plus(_sum_cells([single(n) for n in pending], sum(pending)), own.pending)
    reviewed = criteria[0].tally.breakdown.total  # every review answers every criterion
    suppressed = any(t.cases for t in parts)
    return PeriodResults(
        area, period, tuple(areas), tuple(_choices(work)), suppressed, len(samples), reviewed, pending_cell, criteria
    )


def reads_exactly(actor: Actor, owner_id: int, reviewer_id: int) -> bool:
    """Whether the reader reads this sample's results exactly on the sample's page anyway: the
    Leitung of the Jugendamt owning it, its reviewer (engine/quality/samples.py:owned_or_reviewed)."""
    owner = DRAWING_ROLE in actor.roles_in(owner_id)
    return owner or (actor.user_id == reviewer_id and actor.has_role(REVIEWER_ROLE))


class _QuarterTally:
    """The counts of one quarter: answers per criterion and the pending cases."""

    def __init__(self) -> None:
        self.answers: dict[str, Counter[str]] = {c.key: Counter() for c in CRITERIA}
        self.pending = 0
        self.cases = 0

    def add(self, stored: str | None) -> None:
        self.cases += 1
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


def period_breakdown(quarters: list[dict[str, int]]) -> Breakdown:
    """The period's breakdown from its quarters' counts, each quarter suppressed on its own and a
    cell of the period shown only where every quarter's is."""
    protected = [protect(q) for q in quarters]
    cells = {k: _sum_cells([p.cells[k] for p in protected], sum(q[k] for q in quarters)) for k in quarters[0]}
    total = _sum_cells([p.total for p in protected], sum(sum(q.values()) for q in quarters))
    return Breakdown(cells, total)


def plus_own(others: Breakdown, own: dict[str, int]) -> Breakdown:
    """The other samples' suppressed breakdown with the reader's own samples' exact counts added: a
    figure is shown where the others' part is, so subtracting what one knows tells nothing more."""
    return Breakdown({k: _plus(c, own[k]) for k, c in others.cells.items()}, _plus(others.total, sum(own.values())))


def _plus(cell: Cell, exact: int) -> Cell:
    if cell.shown:
        return Cell((cell.value or 0) + exact, SHOWN)
    return Cell(None, PROTECTED) if exact else cell


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


def _sampled(work: Work, area: Area, period: Period) -> list[tuple[int, datetime, str | None, int, int]]:
    """(sample, closing instant, stored answers or None, the sample's owner and reviewer) of every
    sampled case closed in the period."""
    rows = work.session.execute(
        select(
            QualitySampleCase.sample_id,
            m.Case.closed_at,
            QualityReview.answers,
            QualitySample.owner_id,
            QualitySample.reviewer_user_id,
        )
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
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
