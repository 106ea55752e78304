"""The statistics part of `CaseEngine`: a Jugendamt's § 99 Abs. 6 year for its Leitung (rule R23).

Reading the year decrypts every counted record, so it is a command: each reading (on the page, by the
API, as a CLI export) leaves an audit event naming the Jugendamt, the year and how many records left.
Only the Leitung of that Jugendamt may read it (deny by default); the operator's CLI export names
the operator instead of an account.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.accounts.registry import organisation_by_key
from engine.actor import Actor
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.engine_parts import EngineParts
from engine.errors import NotAllowed, NotFound, ValidationFailed
from engine.statistics import export
from engine.statistics.records import Problem, Record, collect
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
        Who may is checked before the year (None: not given or not a number): deny before validating."""
        return self.tx.command(lambda work: _read(work, actor, operator, jugendamt_key, year))


def _read(work: Work, actor: Actor | None, operator: str | None, jugendamt_key: str, year: int | None) -> Statistics99:
    jugendamt = organisation_by_key(work.session, jugendamt_key)
    if jugendamt.kind != "jugendamt":
        raise NotFound(f"Jugendamt „{jugendamt_key}“ ist nicht bekannt.")
    if actor is not None and STATISTICS_ROLE not in actor.roles_in(jugendamt.id):
        raise NotAllowed("Die Statistik nach § 99 Abs. 6 SGB VIII sieht die Leitung des Jugendamts.")
    if year is None or not FIRST_YEAR <= year <= work.now.year:
        raise ValidationFailed({"jahr": [f"Ein Jahr von {FIRST_YEAR} bis {work.now.year}."]})
    collected = collect(work, jugendamt.id, year)
    result = Statistics99(
        jugendamt.key,
        jugendamt.name,
        year,
        collected.records,
        collected.problems,
        collected.not_counted,
        export.summary(collected.records),
    )
    payload = {"jugendamt": jugendamt.key, "jahr": year, "datensaetze": len(result.records)}
    record(work, EventType.STATISTICS_READ, actor=actor, actor_name=operator, payload=payload)
    return result
