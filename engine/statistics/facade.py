"""The statistics part of `CaseEngine`: a Jugendamt's § 99 Abs. 6 year for its Leitung (rule R23).

Reading the year decrypts every counted record, so it is a command: each reading (on the page, by the
API, as a CLI export) leaves an audit event naming the Jugendamt, the year and how many records left.
Only the Leitung of that Jugendamt may read, lock and unlock it (deny by default); the operator's CLI
export names the operator instead of an account. A locked year reads as it was locked (`lock.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from engine.accounts.registry import organisation_by_key
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.clock import BERLIN
from engine.engine_parts import EngineParts
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.persistence import models as m
from engine.statistics import export
from engine.statistics.lock import Snapshot, YearLock, changed_after_lock, csv_sha256, open_snapshot, seal_snapshot
from engine.statistics.records import Problem, Record, code_labels, collect
from engine.transactions import Work

#: Who reads and locks a Jugendamt's statistics: its Leitung.
STATISTICS_ROLE = "ja_leitung"
#: Years the statistics can be asked for (the § 99 Abs. 6 items in their current wording).
FIRST_YEAR = 2019


@dataclass(frozen=True)
class Statistics99:
    jugendamt_key: str
    jugendamt_name: str
    year: int
    records: tuple[Record, ...]
    #: records to fix before the year can be reported (per case, with the item and what is wrong)
    problems: tuple[Problem, ...]
    #: assessments without an unmittelbarer Eindruck: documented, not counted
    not_counted: tuple[Problem, ...]
    summary: dict[str, dict[str, int]]
    #: set when the Leitung locked the year: `records` are then the locked ones
    lock: YearLock | None = None
    #: a locked year: the cases changed since ("nach Abschluss geändert"), not in the numbers
    changed_after_lock: tuple[Problem, ...] = ()
    #: the names of the codes in `summary` (result, reporter) for people to read
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def csv(self) -> str:
        return export.to_csv(self.jugendamt_key, self.records)

    @property
    def summary_csv(self) -> str:
        return export.summary_csv(self.summary)


class StatisticsFacade(EngineParts):
    def statistics_99(
        self, actor: Actor | None, jugendamt_key: str, year: int | None, *, operator: str | None = None
    ) -> Statistics99:
        """The year's records of the Jugendamt, checked, with the summary; `actor` None: the operator.
        Who may is checked before the year (None: not given or not a number): deny before validating.
        A locked year gives its locked records and what changed since."""
        return self.tx.command(lambda work: _read(work, actor, operator, jugendamt_key, year))

    def lock_statistics_99(self, actor: Actor, jugendamt_key: str, year: int | None) -> Statistics99:
        """The Leitung locks a past year whose records need no fixing (else ValidationFailed listing
        them); audited as `statistics.locked` with the counts and the CSV's SHA-256."""
        return self.tx.command(lambda work: _lock(work, actor, jugendamt_key, year))

    def unlock_statistics_99(self, actor: Actor, jugendamt_key: str, year: int | None, reason: str) -> None:
        """A correction: the Leitung unlocks a locked year, with a reason (audited `statistics.unlocked`)."""
        self.tx.command(lambda work: _unlock(work, actor, jugendamt_key, year, reason))


def _jugendamt(work: Work, actor: Actor | None, jugendamt_key: str) -> m.Organisation:
    jugendamt = organisation_by_key(work.session, jugendamt_key)
    if jugendamt.kind != "jugendamt":
        raise NotFound(f"Jugendamt „{jugendamt_key}“ ist nicht bekannt.")
    if actor is not None and STATISTICS_ROLE not in actor.roles_in(jugendamt.id):
        raise NotAllowed("Die Statistik nach § 99 Abs. 6 SGB VIII sieht die Leitung des Jugendamts.")
    return jugendamt


def _year(work: Work, year: int | None) -> int:
    if year is None or not FIRST_YEAR <= year <= work.now.year:
        raise ValidationFailed({"jahr": [f"Geben Sie ein Jahr von {FIRST_YEAR} bis {work.now.year} an."]})
    return year


def _lock_row(work: Work, jugendamt: m.Organisation, year: int) -> m.StatisticsLock | None:
    return work.session.execute(
        select(m.StatisticsLock).where(m.StatisticsLock.jugendamt_id == jugendamt.id, m.StatisticsLock.year == year)
    ).scalar_one_or_none()


def _year_of(work: Work, jugendamt: m.Organisation, year: int) -> Statistics99:
    collected = collect(work, jugendamt.id, year)
    row = _lock_row(work, jugendamt, year)
    labels = code_labels(work)
    if row is None:
        summary = export.summary(collected.records)
        return Statistics99(
            jugendamt.key,
            jugendamt.name,
            year,
            collected.records,
            collected.problems,
            collected.not_counted,
            summary,
            labels=labels,
        )
    locked = open_snapshot(work, jugendamt.key, row)
    by = work.session.get(m.User, row.locked_by_user_id)
    lock = YearLock(row.locked_at, by.display_name if by else "", row.sha256)
    return Statistics99(
        jugendamt.key,
        jugendamt.name,
        year,
        locked.records,
        (),
        locked.not_counted,
        export.summary(locked.records),
        lock,
        changed_after_lock(work, locked, collected),
        labels,
    )


def _read(work: Work, actor: Actor | None, operator: str | None, jugendamt_key: str, year: int | None) -> Statistics99:
    jugendamt = _jugendamt(work, actor, jugendamt_key)
    result = _year_of(work, jugendamt, _year(work, year))
    payload = {"jugendamt": jugendamt.key, "jahr": result.year, "datensaetze": len(result.records)}
    if result.lock is not None:
        payload["abgeschlossen"] = True
    record(work, EventType.STATISTICS_READ, actor=actor, actor_name=operator, payload=payload)
    return result


def _lock(work: Work, actor: Actor, jugendamt_key: str, year: int | None) -> Statistics99:
    jugendamt = _jugendamt(work, actor, jugendamt_key)
    year = _year(work, year)
    if year >= work.now.astimezone(BERLIN).year:
        raise ValidationFailed(
            {"jahr": [f"Das Jahr {year} ist noch nicht vorbei; abschließen lässt es sich ab Januar {year + 1}."]}
        )
    current = _year_of(work, jugendamt, year)
    if current.lock is not None:
        raise Conflict(f"Die Statistik {year} ist bereits abgeschlossen.")
    if current.problems:
        raise ValidationFailed({"zu_korrigieren": [f"{p.reference}: {p.text}" for p in current.problems]})
    sha256 = csv_sha256(jugendamt.key, current.records)
    work.session.add(
        m.StatisticsLock(
            jugendamt_id=jugendamt.id,
            year=year,
            locked_at=work.now,
            locked_by_user_id=actor.user_id,
            record_count=len(current.records),
            sha256=sha256,
            records=seal_snapshot(work, jugendamt.key, year, Snapshot(current.records, current.not_counted)),
        )
    )
    work.session.flush()
    payload = {
        "jugendamt": jugendamt.key,
        "jahr": year,
        "datensaetze": len(current.records),
        "nicht_gezaehlt": len(current.not_counted),
        "ergebnis": current.summary["ergebnis"],
        "sha256": sha256,
    }
    record(work, EventType.STATISTICS_LOCKED, actor=actor, payload=payload)
    return _year_of(work, jugendamt, year)


def _unlock(work: Work, actor: Actor, jugendamt_key: str, year: int | None, reason: str) -> None:
    jugendamt = _jugendamt(work, actor, jugendamt_key)
    year = _year(work, year)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"grund": ["Geben Sie an, was korrigiert werden muss."]})
    row = _lock_row(work, jugendamt, year)
    if row is None:
        raise Conflict(f"Die Statistik {year} ist nicht abgeschlossen.")
    payload = {
        "jugendamt": jugendamt.key,
        "jahr": year,
        "datensaetze": row.record_count,
        "sha256": row.sha256,
        "grund": reason,
    }
    work.session.delete(row)
    work.session.flush()
    record(work, EventType.STATISTICS_UNLOCKED, actor=actor, payload=payload)
