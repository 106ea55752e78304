"""The retention run (`schutzpfad retention run [--dry-run]`, and monthly by the scheduler).

It finds every closed case whose period has ended — by its record type (with or without findings,
`findings.py`) and the policy — that is neither shredded nor under a Löschsperre, and crypto-shreds
it, one case per transaction (an interrupted run leaves whole cases behind, and the next run goes
on). A dry run lists the same without shredding. Either is audited (`retention.run`) with counts
and Aktenzeichen, never with the children's data. The period from the 30th birthday needs the
child's birth date: it is read (decrypted) here, only to compute the date, and never leaves the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, func, literal, select

from audit.tables import audit_events, data_keys
from engine.auditing import shredding
from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.clock import BERLIN
from engine.persistence import models as m
from engine.persistence.sealed import case_scope, open_children
from engine.retention.policy import RetentionPolicy, due_date
from engine.transactions import Work

CLOSED = "abgeschlossen"
#: Cases read per statement while looking for what is due.
_BATCH = 500


@dataclass(frozen=True)
class DueCase:
    reference: str
    record_type: str
    due: date


@dataclass(frozen=True)
class Reported:
    """A record type the run does not shred: how many entries are past their period, and why kept."""

    record_type: str
    count: int
    note: str


def due_cases(work: Work, policy: RetentionPolicy) -> list[DueCase]:
    today = work.now.astimezone(BERLIN).date()
    shredded = select(data_keys.c.scope).where(data_keys.c.shredded_at.is_not(None))
    query = (
        select(m.Case)
        .where(
            m.Case.status == CLOSED,
            m.Case.closed_at.is_not(None),
            m.Case.hold.is_(None),
            (literal(case_scope("")) + m.Case.reference).not_in(shredded),
        )
        .order_by(m.Case.id)
    )
    due: list[DueCase] = []
    for batch in _batches(work, query):
        births = _birth_dates(work, [case for case in batch if case.befund is not False])
        for case in batch:
            record_type = "fall_ohne_befund" if case.befund is False else "fall_mit_befund"
            assert case.closed_at is not None
            when = due_date(policy[record_type], case.closed_at.astimezone(BERLIN), births.get(case.id))
            if when <= today:
                due.append(DueCase(case.reference, record_type, when))
    return due


def reported(work: Work, policy: RetentionPolicy) -> list[Reported]:
    """The record types kept on purpose beyond their period (see policy.DEFAULTS), with counts."""
    cutoff = policy["audit_metadaten"].before(work.now.astimezone(BERLIN).date())
    since = datetime.combine(cutoff, time(), tzinfo=BERLIN)
    older = work.session.execute(select(func.count()).where(audit_events.c.time < since)).scalar_one()
    return [
        Reported(
            "audit_metadaten",
            int(older),
            "Kopfdaten des Protokolls bleiben: ohne sie ist die Kette nicht mehr prüfbar (Inhalte vernichteter "
            "Fälle sind unlesbar).",
        ),
        Reported(
            "statistik",
            0,
            "Keine eigenen Statistikdatensätze: die Angaben nach § 99 liegen im Fall und werden mit ihm vernichtet.",
        ),
    ]


def shred_due(work: Work, *, due: DueCase, operator: str, policy: RetentionPolicy) -> bool:
    """Shred one due case, unless a Löschsperre was set or it was shredded since the list was made."""
    case = work.session.execute(select(m.Case).where(m.Case.reference == due.reference)).scalar_one()
    if case.hold is not None:
        return False
    if work.vault.is_shredded(work.session.connection(), case_scope(case.reference)):
        return False
    label = policy[due.record_type].label
    reason = f"Aufbewahrungsfrist abgelaufen ({label}, fällig seit {due.due:%d.%m.%Y})"
    shredding.shred_case(work, reference=due.reference, reason=reason, operator=operator)
    return True


def record_run(work: Work, *, operator: str, dry_run: bool, due: list[DueCase], shredded: list[str]) -> None:
    record(
        work,
        EventType.RETENTION_RUN,
        actor=None,
        actor_name=operator,
        payload={"probelauf": dry_run, "faellig": [d.reference for d in due], "vernichtet": shredded},
    )


def _batches(work: Work, query: Select[tuple[m.Case]]) -> Iterator[list[m.Case]]:
    last = 0
    while True:
        rows = list(work.session.execute(query.where(m.Case.id > last).limit(_BATCH)).scalars())
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _birth_dates(work: Work, cases: list[m.Case]) -> dict[int, date]:
    found: dict[int, date] = {}
    for case_id, child in open_children(work, cases).items():
        value = (child or {}).get("geburtsdatum")
        if isinstance(value, str):
            try:
                found[case_id] = date.fromisoformat(value)
            except ValueError:
                continue
    return found
