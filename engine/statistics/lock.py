"""A Jugendamt's § 99 Abs. 6 year, reviewed and locked by its Leitung (R23).

Once the year is locked, the statistics of that year are the locked records — the export, the API and
the page return exactly them, whatever happens to the cases afterwards. A later change to a counted
case (its record changed or gone, an assessment newly counting or no longer counting, a record added
to the year) does not change the numbers: it is listed as "nach Abschluss geändert" beside them, for
the Leitung to decide whether to unlock (a correction, with a reason) and lock again.

Why the records are stored sealed rather than as a plain frozen copy or a hash alone: the records are
still personal data (birth month and year with the Jugendamt's area, DP-09), and everything of that
kind is encrypted at rest (R29); a hash alone could not give the numbers back once a case changes or
is shredded. So the snapshot is sealed (AES-256-GCM) under the system key — not a case's key, because
the locked year must outlive the shredding of a case it counts — bound to its Jugendamt and year as
associated data. The SHA-256 of the locked CSV is stored beside it and recorded in the audit event
`statistics.locked`: a file handed to the statistics office can be checked against the trail.

The snapshot keeps which completed step each record came from (`history_id`, `case_id`), only so
that later changes can be found and linked to their case; the export never carries them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.persistence import models as m
from engine.persistence.sealed import SYSTEM_SCOPE
from engine.statistics import export
from engine.statistics.records import ITEMS, RECORD_TASK, Collected, Problem, Record
from engine.transactions import Work


@dataclass(frozen=True)
class Snapshot:
    """What a lock froze: the counted records and the assessments left out, as they were."""

    records: tuple[Record, ...]
    not_counted: tuple[Problem, ...]


@dataclass(frozen=True)
class YearLock:
    """Who locked the year when, and the SHA-256 of the CSV it gives."""

    locked_at: datetime
    locked_by: str
    sha256: str


def csv_sha256(jugendamt_key: str, records: Iterable[Record]) -> str:
    return hashlib.sha256(export.to_csv(jugendamt_key, records).encode("utf-8")).hexdigest()


def _record_name(jugendamt_key: str, year: int) -> str:
    return f"statistics_locks/{jugendamt_key}/{year}/records"


def seal_snapshot(work: Work, jugendamt_key: str, year: int, snapshot: Snapshot) -> bytes:
    value = {
        "records": [
            {
                "history_id": r.history_id,
                "case_id": r.case_id,
                "abschluss_monat": r.abschluss_monat,
                "abschluss_jahr": r.abschluss_jahr,
                "items": dict(r.items),
            }
            for r in snapshot.records
        ],
        "not_counted": [
            {"history_id": p.history_id, "case_id": p.case_id, "reference": p.reference, "text": p.text}
            for p in snapshot.not_counted
        ],
    }
    name = _record_name(jugendamt_key, year)
    return work.vault.seal_field(work.session.connection(), SYSTEM_SCOPE, name, value, now=work.now)


def open_snapshot(work: Work, jugendamt_key: str, lock: m.StatisticsLock) -> Snapshot:
    name = _record_name(jugendamt_key, lock.year)
    value = work.vault.open_json(work.session.connection(), SYSTEM_SCOPE, name, lock.records)
    records = tuple(
        Record(r["abschluss_monat"], r["abschluss_jahr"], r["items"], r["history_id"], r["case_id"])
        for r in value["records"]
    )
    not_counted = tuple(
        Problem(p["case_id"], p["reference"], None, p["text"], p["history_id"]) for p in value["not_counted"]
    )
    return Snapshot(records, not_counted)


def changed_after_lock(work: Work, locked: Snapshot, live: Collected) -> tuple[Problem, ...]:
    """What differs between the locked year and the cases as they are now, one entry per completed
    step, in German for the Leitung; empty when nothing changed."""
    live_records = {r.history_id: r for r in live.records}
    live_problems: dict[int, list[Problem]] = {}
    for problem in live.problems:
        live_problems.setdefault(problem.history_id, []).append(problem)
    live_left_out = {p.history_id for p in live.not_counted}
    found: list[Problem] = []
    for record in locked.records:
        now = live_records.get(record.history_id)
        if now is not None and now == record:
            continue
        if now is not None:
            names = [name for name in ITEMS if now.items.get(name) != record.items.get(name)]
            quoted = ", ".join(f"„{label}“" for label in _labels(work, record.case_id, names))
            text = f"Nach Abschluss geändert: {quoted}."
        elif record.history_id in live_problems:
            wrong = " ".join(p.text for p in live_problems[record.history_id])
            text = f"Nach Abschluss geändert: jetzt zu korrigieren ({wrong})"
        elif record.history_id in live_left_out:
            text = "Nach Abschluss geändert: zählt jetzt nicht mehr (kein unmittelbarer Eindruck)."
        else:
            text = "Nach Abschluss geändert: der Datensatz ist nicht mehr lesbar."
        found.append(_flagged(work, record.case_id, record.history_id, text))
    known = {r.history_id for r in locked.records} | {p.history_id for p in locked.not_counted}
    newly_counted = {p.history_id for p in locked.not_counted} & (live_records.keys() | live_problems.keys())
    for history_id, case_id in _live_steps(live):
        if history_id in newly_counted:
            text = "Nach Abschluss geändert: zählt jetzt (unmittelbarer Eindruck nachgetragen)."
        elif history_id not in known:
            text = "Nach Abschluss hinzugekommen: nicht in den abgeschlossenen Zahlen."
        else:
            continue
        found.append(_flagged(work, case_id, history_id, text))
    return tuple(found)


def _live_steps(live: Collected) -> list[tuple[int, int]]:
    """Each completed step of the live year once: (history_id, case_id)."""
    steps = {r.history_id: r.case_id for r in live.records}
    for problem in (*live.problems, *live.not_counted):
        steps.setdefault(problem.history_id, problem.case_id)
    return sorted(steps.items())


def _flagged(work: Work, case_id: int, history_id: int, text: str) -> Problem:
    case = work.session.get(m.Case, case_id)
    return Problem(case_id, case.reference if case else "", None, text, history_id)


def _labels(work: Work, case_id: int, names: list[str]) -> list[str]:
    """The items by their form labels (people read them; the item keys are internal)."""
    case = work.session.get(m.Case, case_id)
    if case is None:
        return names
    form = work.catalog.load(work.session, case.definition_id).task(RECORD_TASK).form
    return [field.label if (field := form.field(name)) is not None else name for name in names]
