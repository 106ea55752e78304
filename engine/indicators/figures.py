"""The indicators of one network and quarter, read from index tables only (rule R34).

Sources, none of them sealed: `deadlines` (Fristentreue, Rückmeldungen), `task_history`'s
`started_at`, `completed_at` and coded facts (durations, participation, reporter kind), `cases`,
`case_links` and the directory (Meldungen by Jugendamt). Nothing here opens a data key; the
integration test runs it with the key material removed.

What counts where:
- a Frist counts in the quarter it fell due, once it is decided: kept when its step ended by the due
  instant, missed when it escalated, ended later or is still open past it; a Frist still running
  is not counted yet;
- a step's duration (opened → completed, calendar hours) counts in the quarter it was completed;
  steps from before migration 0022 have no opening time and are left out;
- a participation step counts in the quarter it was completed, by the reason nobody-or-somebody
  was left out (`beteiligt`: everybody took part);
- a Meldung is a case of a Jugendamt of the network opened in the quarter, except a case handed
  over by another Jugendamt (R37: not a new report); its reporter kind is the § 99 category the
  Eingang recorded, before that the reporting organisation's category, else "noch nicht erfasst".
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from engine.cases.messages import RECEIVED_FROM
from engine.directory.plan import FRIST_LABELS
from engine.indicators.codes import INVOLVED, PARTICIPATION, PARTICIPATION_FIELD, REPORTER_FIELD, read_codes
from engine.indicators.quarters import Quarter
from engine.indicators.suppression import Breakdown, Cell, protect, single
from engine.labels import REPORTER_LABELS
from engine.persistence import models as m
from engine.transactions import Work

#: The Jugendamt's Frist for answering the reporting organisation (§ 8a Abs. 1, § 4 Abs. 4 KKG).
RUECKMELDUNG_FRIST = "rueckmeldung_melder"
KEPT, MISSED = "eingehalten", "versaeumt"
NOT_YET = "noch_nicht_erfasst"
NOT_YET_LABEL = "noch nicht erfasst"
INVOLVED_LABEL = "alle beteiligt"
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Tally:
    """A breakdown with the German name of each category, in the order shown."""

    labels: dict[str, str]
    breakdown: Breakdown


@dataclass(frozen=True)
class FristRow:
    procedure: str
    step: str
    frist: str
    breakdown: Breakdown


@dataclass(frozen=True)
class DurationRow:
    procedure: str
    step: str
    count: Cell
    #: None while fewer than 5 steps are behind them
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class DecidedFrist:
    procedure: str
    task_key: str
    step: str
    frist_key: str
    kept: bool


def decided_fristen(work: Work, network_key: str, quarter: Quarter) -> list[DecidedFrist]:
    """The step Fristen of the network that fell due in the quarter, up to now, kept or missed."""
    rows = work.session.execute(
        _network(
            select(
                m.ProcessDefinition.title,
                m.Deadline.task_key,
                m.Deadline.title,
                m.Deadline.frist_key,
                m.Deadline.due_at,
                m.Deadline.state,
                m.Deadline.closed_at,
            )
            .join(m.Case, m.Case.id == m.Deadline.case_id)
            .join(m.ProcessDefinition, m.ProcessDefinition.id == m.Case.definition_id),
            network_key,
        ).where(
            m.Deadline.kind == "task",
            m.Deadline.frist_key.is_not(None),
            m.Deadline.due_at >= quarter.start,
            m.Deadline.due_at < min(quarter.end, work.now),
        )
    ).all()
    return [
        DecidedFrist(procedure, task_key, title, frist_key, state == "closed" and closed_at <= due_at)
        for procedure, task_key, title, frist_key, due_at, state, closed_at in rows
    ]


def fristentreue(decided: Iterable[DecidedFrist]) -> list[FristRow]:
    """Per step and Frist: how many Fristen were kept and missed."""
    counts: dict[tuple[str, str, str, str], Counter[str]] = defaultdict(Counter)
    for frist in decided:
        counts[(frist.procedure, frist.task_key, frist.step, frist.frist_key)][KEPT if frist.kept else MISSED] += 1
    return [
        FristRow(procedure, step, FRIST_LABELS.get(frist_key, frist_key), protect({KEPT: c[KEPT], MISSED: c[MISSED]}))
        for (procedure, _key, step, frist_key), c in sorted(counts.items())
    ]


def rueckmeldungen(decided: Iterable[DecidedFrist]) -> Breakdown:
    """Rückmeldungen to the reporting organisation sent within their Frist."""
    outcomes = [frist.kept for frist in decided if frist.frist_key == RUECKMELDUNG_FRIST]
    return protect({KEPT: outcomes.count(True), MISSED: outcomes.count(False)})


def durations(work: Work, network_key: str, quarter: Quarter) -> list[DurationRow]:
    """Per step: median and 90th percentile (nearest rank) of the hours from opening to completion."""
    rows = work.session.execute(
        _network(
            select(
                m.ProcessDefinition.title,
                m.TaskHistory.task_key,
                m.TaskHistory.title,
                m.TaskHistory.started_at,
                m.TaskHistory.completed_at,
            )
            .join(m.Case, m.Case.id == m.TaskHistory.case_id)
            .join(m.ProcessDefinition, m.ProcessDefinition.id == m.Case.definition_id),
            network_key,
        ).where(*_completed_in(quarter), m.TaskHistory.started_at.is_not(None))
    ).all()
    hours: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for procedure, task_key, title, started_at, completed_at in rows:
        hours[(procedure, task_key, title)].append((completed_at - started_at).total_seconds() / SECONDS_PER_HOUR)
    out = []
    for (procedure, _key, title), values in sorted(hours.items()):
        count = single(len(values))
        if count.shown:
            ordered = sorted(values)
            out.append(DurationRow(procedure, title, count, statistics.median(ordered), _nearest_rank(ordered, 0.9)))
        else:
            out.append(DurationRow(procedure, title, count, None, None))
    return out


def participation(work: Work, network_key: str, quarter: Quarter) -> Tally:
    """Participation steps by the reason somebody was not involved (`beteiligt`: nobody left out)."""
    rows = work.session.execute(
        _network(
            select(m.Case.definition_id, m.TaskHistory.task_key, m.TaskHistory.kennzahlen).join(
                m.Case, m.Case.id == m.TaskHistory.case_id
            ),
            network_key,
        ).where(*_completed_in(quarter), m.TaskHistory.kennzahlen.like(f'%"{PARTICIPATION}"%'))
    ).all()
    labels = {INVOLVED: INVOLVED_LABEL}
    counts: Counter[str] = Counter()
    for definition_id, task_key, raw in rows:
        labels.update(_option_labels(work, definition_id, task_key, PARTICIPATION_FIELD))
        counts[read_codes(raw)[PARTICIPATION]] += 1
    return _tally(labels, counts)


def meldungen(work: Work, network_key: str, quarter: Quarter) -> tuple[Tally, Tally]:
    """Meldungen (cases opened at the network's Jugendämter) by reporter kind and by Jugendamt."""
    session = work.session
    office = aliased(m.Organisation)
    cases = session.execute(
        select(m.Case.id, office.key, office.name)
        .join(office, office.id == m.Case.organisation_id)
        .where(
            office.kind == "jugendamt",
            office.network_key == network_key,
            m.Case.opened_at >= quarter.start,
            m.Case.opened_at < quarter.end,
        )
    ).all()
    case_ids = [case_id for case_id, _key, _name in cases]
    handed_over = _handed_over(work, case_ids)
    recorded = _recorded_reporters(work, case_ids)
    sender_kind = _sender_categories(work, case_ids)
    reporter_labels: dict[str, str] = dict(REPORTER_LABELS)
    by_reporter: Counter[str] = Counter()
    by_office: Counter[str] = Counter()
    office_labels = {key: name for _id, key, name in sorted(cases, key=lambda row: row[2])}
    for case_id, key, _name in cases:
        if case_id in handed_over:
            continue
        found = recorded.get(case_id)
        if found is not None:
            reporter_labels.update(found[1])
        by_reporter[found[0] if found else sender_kind.get(case_id, NOT_YET)] += 1
        by_office[key] += 1
    reporter_labels[NOT_YET] = NOT_YET_LABEL
    used = {k: v for k, v in reporter_labels.items() if by_reporter[k]}
    return _tally(dict(sorted(used.items(), key=lambda kv: kv[1])), by_reporter), _tally(office_labels, by_office)


def _tally(labels: dict[str, str], counts: Counter[str]) -> Tally:
    shown = {key: label for key, label in labels.items() if counts[key]}
    return Tally(shown, protect({key: counts[key] for key in shown}))


def _network(query: Select[Any], network_key: str) -> Select[Any]:
    """Only cases of the network's organisations (the case's organisation decides)."""
    return query.join(m.Organisation, m.Organisation.id == m.Case.organisation_id).where(
        m.Organisation.network_key == network_key
    )


def _completed_in(quarter: Quarter) -> tuple[Any, ...]:
    return (m.TaskHistory.completed_at >= quarter.start, m.TaskHistory.completed_at < quarter.end)


def _nearest_rank(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _option_labels(work: Work, definition_id: int, task_key: str, field_name: str) -> dict[str, str]:
    """The German names of a coded field's options, from the form of the version that recorded them."""
    form = work.catalog.load(work.session, definition_id).task(task_key).form
    field = form.field(field_name)
    return {option.value: option.label for option in field.options} if field else {}


def _handed_over(work: Work, case_ids: list[int]) -> set[int]:
    """Cases received from another Jugendamt's case (a transfer, R37)."""
    sender = aliased(m.Case)
    sender_office = aliased(m.Organisation)
    rows = work.session.execute(
        select(m.CaseLink.case_id)
        .join(sender, sender.id == m.CaseLink.linked_case_id)
        .join(sender_office, sender_office.id == sender.organisation_id)
        .where(
            m.CaseLink.case_id.in_(case_ids),
            m.CaseLink.relation == RECEIVED_FROM,
            sender_office.kind == "jugendamt",
        )
    ).scalars()
    return set(rows)


def _recorded_reporters(work: Work, case_ids: list[int]) -> dict[int, tuple[str, dict[str, str]]]:
    """The reporter category each case's Eingang recorded, with the names of that form's options."""
    rows = work.session.execute(
        select(m.TaskHistory.case_id, m.Case.definition_id, m.TaskHistory.task_key, m.TaskHistory.kennzahlen)
        .join(m.Case, m.Case.id == m.TaskHistory.case_id)
        .where(m.TaskHistory.case_id.in_(case_ids), m.TaskHistory.kennzahlen.like(f'%"{REPORTER_FIELD}"%'))
        .order_by(m.TaskHistory.completed_at)
    ).all()
    out: dict[int, tuple[str, dict[str, str]]] = {}
    for case_id, definition_id, task_key, raw in rows:
        out.setdefault(
            case_id, (read_codes(raw)[REPORTER_FIELD], _option_labels(work, definition_id, task_key, REPORTER_FIELD))
        )
    return out


def _sender_categories(work: Work, case_ids: list[int]) -> dict[int, str]:
    """The § 99 category of the organisation whose Meldung opened each case, where it has one."""
    sender = aliased(m.Case)
    sender_org = aliased(m.Organisation)
    rows = work.session.execute(
        select(m.CaseLink.case_id, sender_org.meldende_stelle)
        .join(sender, sender.id == m.CaseLink.linked_case_id)
        .join(sender_org, sender_org.id == sender.organisation_id)
        .where(
            m.CaseLink.case_id.in_(case_ids),
            m.CaseLink.relation == RECEIVED_FROM,
            sender_org.meldende_stelle.is_not(None),
        )
    ).all()
    return {case_id: category for case_id, category in rows if category is not None}
