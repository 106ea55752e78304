"""The § 99 Abs. 6 SGB VIII records of a Jugendamt and a year (domain-8a.md d.7, rule R23).

A record is the completed `statistik_erfassen` step of a jugendamt_8a case: the bundle asks for it
after every confirmed Gefährdungseinschätzung (gewichtige Anhaltspunkte), one case per child. The
survey counts an assessment only when the Jugendamt obtained an unmittelbarer Eindruck, so a case
whose `unmittelbarer_eindruck` step says `nicht_erforderlich` is left out — on purpose, and listed
as such, never silently. The year is the calendar year (Europe/Berlin) in which the record was
completed, because the survey covers assessments *completed* in that year (§ 101 Abs. 2 Nr. 11).

Records carry only the legal items (DP-09): no name, no Aktenzeichen, birth month and year only.
What is wrong with a record (an unknown code, a month outside 1–12, a birth that does not make the
child a minor at completion or does not match the birth date the case holds, a parent "unter 18
Jahre" of a child of six or older, a missing item) is a `Problem` with the case it belongs to, for
the Jugendamt to fix. The values counted are those the Fachkraft confirmed in the step (its completed
history), never case variables read again later, so a later change elsewhere in the case does not
overwrite them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from engine.clock import BERLIN
from engine.forms.definition import FormDefinition
from engine.persistence import models as m
from engine.persistence.sealed import open_child, open_history_values
from engine.transactions import Work

PROCESS_KEY = "jugendamt_8a"
RECORD_TASK = "statistik_erfassen"
#: Items whose codes the summary shows by name.
LABELLED = ("ergebnis", "meldende_stelle")
EINDRUCK_TASK = "unmittelbarer_eindruck"
#: The `art` of an unmittelbarer Eindruck that means none was obtained: not a statistics case.
NO_EINDRUCK = "nicht_erforderlich"

#: The items in the order of the legal list (§ 99 Abs. 6 Nr. 1, then Nr. 2; domain-8a.md d.7).
ITEMS: tuple[str, ...] = (
    "meldende_stelle",
    "gefaehrdungsarten",
    "gefaehrdung_durch",
    "ergebnis",
    "wiederholte_meldung",
    "geschlecht",
    "geburtsmonat",
    "geburtsjahr",
    "herkunft_ausland",
    "deutsch_familiensprache",
    "eingliederungshilfe",
    "aufenthaltsort",
    "alter_mutter",
    "alter_vater",
    "leistungen",
    "massnahme_42",
)
#: Items that may stay empty: the multi-selects that the form requires only for a KWG result
#: (checked by `_check_required_if`) and the services, empty when none was used.
OPTIONAL_ITEMS = frozenset({"gefaehrdungsarten", "gefaehrdung_durch", "leistungen"})
NOT_COUNTED_TEXT = "Kein unmittelbarer Eindruck: zählt nicht zur Statistik."
#: The parents' age groups: a parent "unter_18" of a child this old or older would have been under 12
#: at the child's birth — not plausible, so the record is listed to fix.
PARENT_AGES = ("alter_mutter", "alter_vater")
MINOR_PARENT = "unter_18"
OLDEST_CHILD_OF_A_MINOR = 6
#: Oldest age of a child the statistics covers (a minor: under 18 at completion).
MAX_AGE = 17


@dataclass(frozen=True)
class Record:
    """One counted assessment: the month and year of completion and the legal items; `history_id`
    and `case_id` name the completed step it was read from (never exported: a lock compares by them)."""

    abschluss_monat: int
    abschluss_jahr: int
    items: Mapping[str, Any]
    history_id: int
    case_id: int


@dataclass(frozen=True)
class Problem:
    """A record to fix (or an assessment left out, with the reason): the case it belongs to and the
    completed step (`history_id`) it was read from."""

    case_id: int
    reference: str
    item: str | None
    text: str
    history_id: int


@dataclass(frozen=True)
class Collected:
    records: tuple[Record, ...]
    problems: tuple[Problem, ...]
    #: Assessments documented without an unmittelbarer Eindruck: not counted (listed for the Leitung).
    not_counted: tuple[Problem, ...]


def code_labels(work: Work) -> dict[str, dict[str, str]]:
    """The names of the codes the summary counts (result, reporter), from the newest version's form."""
    form = work.catalog.newest(work.session, PROCESS_KEY).task(RECORD_TASK).form
    return {name: {o.value: o.label for o in field.options} for name in LABELLED if (field := form.field(name))}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=BERLIN), datetime(year + 1, 1, 1, tzinfo=BERLIN)


def collect(work: Work, jugendamt_id: int, year: int) -> Collected:
    """Every record of the Jugendamt completed in `year`, checked; the problems per case."""
    start, end = year_bounds(year)
    rows = work.session.execute(
        select(m.TaskHistory, m.Case)
        .join(m.Case, m.Case.id == m.TaskHistory.case_id)
        .where(
            m.Case.jugendamt_id == jugendamt_id,
            m.Case.organisation_id == jugendamt_id,
            m.TaskHistory.task_key == RECORD_TASK,
            m.TaskHistory.completed_at >= start,
            m.TaskHistory.completed_at < end,
        )
        .order_by(m.TaskHistory.completed_at, m.TaskHistory.id)
    ).all()
    records: list[Record] = []
    problems: list[Problem] = []
    not_counted: list[Problem] = []
    for row, case in rows:
        if not _had_eindruck(work, case):
            not_counted.append(Problem(case.id, case.reference, None, NOT_COUNTED_TEXT, row.id))
            continue
        values = open_history_values(work, case.reference, row)
        completed = row.completed_at.astimezone(BERLIN)
        form = work.catalog.load(work.session, case.definition_id).task(RECORD_TASK).form
        found = check(values, form, completed, _birth_date(work, case))
        problems.extend(Problem(case.id, case.reference, item, text, row.id) for item, text in found)
        if not found:
            items = {name: values.get(name) for name in ITEMS}
            records.append(Record(completed.month, completed.year, items, row.id, case.id))
    return Collected(tuple(records), tuple(problems), tuple(not_counted))


def _had_eindruck(work: Work, case: m.Case) -> bool:
    rows = work.session.execute(
        select(m.TaskHistory).where(m.TaskHistory.case_id == case.id, m.TaskHistory.task_key == EINDRUCK_TASK)
    ).scalars()
    return any(open_history_values(work, case.reference, row).get("art") != NO_EINDRUCK for row in rows)


def _birth_date(work: Work, case: m.Case) -> date | None:
    """The child's birth date as the case knows it (None: unknown, e.g. a Jugendamt's own report)."""
    born = open_child(work, case).get("geburtsdatum")
    return date.fromisoformat(born) if born else None


def check(
    values: Mapping[str, Any], form: FormDefinition, completed: datetime, born: date | None = None
) -> list[tuple[str, str]]:
    """What is wrong with one record: (item, German text) pairs, empty when it may be reported.
    `born`: the child's birth date in the case, which the birth month and year must match."""
    found: list[tuple[str, str]] = []
    for name in ITEMS:
        field = form.field(name)
        value = values.get(name)
        label = field.label if field is not None else name
        if value is None or value == "":
            if name not in OPTIONAL_ITEMS:
                found.append((name, f"{label}: fehlt."))
            continue
        if field is not None and field.options:
            codes = {option.value for option in field.options}
            chosen = value if isinstance(value, list) else [value]
            unknown = [str(code) for code in chosen if code not in codes]
            if unknown:
                found.append((name, f"{label}: unbekannter Schlüssel {', '.join(unknown)}."))
    found.extend(_check_required_if(values, form))
    birth = _check_birth(values, completed, born)
    found.extend(birth or _check_parents(values, form, completed))
    return found


def _check_required_if(values: Mapping[str, Any], form: FormDefinition) -> list[tuple[str, str]]:
    found = []
    for field in form.fields:
        required = field.required_if or {}
        missing = field.name in OPTIONAL_ITEMS and required and not values.get(field.name)
        if missing and all(values.get(key) in allowed for key, allowed in required.items()):
            found.append((field.name, f"{field.label}: fehlt (Pflicht bei diesem Ergebnis)."))
    return found


def age_at(birth_month: int, birth_year: int, month: int, year: int) -> int:
    """Completed years in `month`/`year`; the birth day is not recorded, so a child born in that
    month counts as having had the birthday."""
    return year - birth_year - (1 if month < birth_month else 0)


def _check_birth(values: Mapping[str, Any], completed: datetime, born: date | None) -> list[tuple[str, str]]:
    month, year = values.get("geburtsmonat"), values.get("geburtsjahr")
    if not isinstance(month, int) or not isinstance(year, int):
        return []
    if not 1 <= month <= 12:
        return [("geburtsmonat", f"Geburtsmonat {month}: muss zwischen 1 und 12 liegen.")]
    age = age_at(month, year, completed.month, completed.year)
    if age < 0:
        return [("geburtsjahr", f"Geburt {month}/{year}: liegt nach dem Abschluss der Einschätzung.")]
    if age > MAX_AGE:
        return [("geburtsjahr", f"Geburt {month}/{year}: das Kind wäre beim Abschluss volljährig.")]
    if born is not None and (born.month, born.year) != (month, year):
        text = f"Geburt {month}/{year}: passt nicht zum Geburtsdatum im Fall ({born.month}/{born.year})."
        return [("geburtsmonat", text)]
    return []


def _check_parents(values: Mapping[str, Any], form: FormDefinition, completed: datetime) -> list[tuple[str, str]]:
    """A parent "unter 18 Jahre" cannot have a child of OLDEST_CHILD_OF_A_MINOR years or older."""
    month, year = values.get("geburtsmonat"), values.get("geburtsjahr")
    if not isinstance(month, int) or not isinstance(year, int):
        return []
    age = age_at(month, year, completed.month, completed.year)
    found = []
    for name in PARENT_AGES:
        field = form.field(name)
        if values.get(name) == MINOR_PARENT and age >= OLDEST_CHILD_OF_A_MINOR and field is not None:
            found.append((name, f"{field.label}: unter 18 Jahre passt nicht zu einem Kind von {age} Jahren."))
    return found
