"""The CSV of a Jugendamt's § 99 Abs. 6 records and its summary table (counts as published).

The CSV has one row per record in the item order of the legal list (`records.ITEMS`), preceded by
the Jugendamt's key and the month and year of completion; multi-selects are joined by `|`, yes/no as
`ja`/`nein`. The summary counts the records by result, by reporter and by the child's age group at
completion — the breakdowns of the published tables (Destatis, IT.NRW) — so the Leitung can compare
the year with what the Land publishes before locking it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from engine.statistics.records import ITEMS, Record, age_at

HEADER: tuple[str, ...] = ("jugendamt", "abschluss_monat", "abschluss_jahr", *ITEMS)
#: Age groups of the published tables (age in completed years at the end of the assessment).
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("unter 3 Jahre", 0, 3),
    ("3 bis unter 6 Jahre", 3, 6),
    ("6 bis unter 10 Jahre", 6, 10),
    ("10 bis unter 14 Jahre", 10, 14),
    ("14 bis unter 18 Jahre", 14, 18),
)


def to_csv(jugendamt_key: str, records: Iterable[Record]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for record in records:
        cells = [_cell(record.items.get(name)) for name in ITEMS]
        writer.writerow([jugendamt_key, record.abschluss_monat, record.abschluss_jahr, *cells])
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return "" if value is None else str(value)


def age_group(record: Record) -> str:
    month, year = int(record.items["geburtsmonat"]), int(record.items["geburtsjahr"])
    age = age_at(month, year, record.abschluss_monat, record.abschluss_jahr)
    return next(name for name, low, high in AGE_GROUPS if low <= age < high)


def summary(records: Iterable[Record]) -> dict[str, dict[str, int]]:
    """Counts by `ergebnis`, `meldende_stelle` and `altersgruppe` (records are checked: every age fits)."""
    listed = list(records)
    return {
        "ergebnis": dict(Counter(str(r.items["ergebnis"]) for r in listed)),
        "meldende_stelle": dict(Counter(str(r.items["meldende_stelle"]) for r in listed)),
        "altersgruppe": dict(Counter(age_group(r) for r in listed)),
    }


def summary_csv(counts: Mapping[str, Mapping[str, int]]) -> str:
    """The summary as a table: one row per breakdown and value, with its count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("merkmal", "auspraegung", "anzahl"))
    for breakdown, values in counts.items():
        for value, count in sorted(values.items()):
            writer.writerow((breakdown, value, count))
    return out.getvalue()
