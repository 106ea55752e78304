"""The network's indicators as the page shows them: each figure's text (a suppressed count reads
"< 5" or "geschützt", R34), the rows of the tables and the bars of the charts beside them.

Kept apart from the route (web/ui/network_pages.py) so the page template only lays things out.
Step names, procedures, Fristen and the coded answers' labels are the engine's and the bundles' German:
on a page in another language their cells and bar labels are marked lang="de" (web/ui/bundle_texts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from engine.api import SUPPRESSED_SMALL, Breakdown, Cell, Indicators, Tally
from web.charts import Bar, Chart, chart
from web.ui.bundle_texts import german_lang_code, german_text

KEPT, MISSED = "eingehalten", "versaeumt"
HOURS_PER_DAY = 24
#: Up to this many hours a duration reads in hours, above it in days.
HOURS_SHOWN_UP_TO = 48


@dataclass(frozen=True)
class Section:
    """One table and its chart: `rows` are lists of cell texts, the first cell the row's header."""

    rows: list[list[str]]  # Markup where a cell is marked German
    chart: Chart


def cell_text(cell: Cell) -> str:
    if cell.shown:
        return format_decimal(cell.value or 0)
    return "< 5" if cell.state == SUPPRESSED_SMALL else _("geschützt")


def share_text(breakdown: Breakdown, key: str) -> str:
    share = breakdown.share(key)
    return "–" if share is None else f"{format_decimal(round(share, 1))} %"


def hours_text(hours: float | None) -> str:
    if hours is None:
        return "–"
    if hours <= HOURS_SHOWN_UP_TO:
        return _("%(n)s Std.", n=format_decimal(round(hours, 1)))
    return _("%(n)s Tage", n=format_decimal(round(hours / HOURS_PER_DAY, 1)))


def _kept_bar(label: str, breakdown: Breakdown) -> Bar:
    """The share of kept Fristen; a suppressed one draws no bar and says why."""
    share = breakdown.share(KEPT)
    text = share_text(breakdown, KEPT) if share is not None else cell_text(breakdown.cells[MISSED])
    return Bar(label, share, text, label_lang=german_lang_code())


def fristentreue(found: Indicators) -> Section:
    steps = [row.step for row in found.fristentreue]
    rows, bars = [], []
    for row in found.fristentreue:
        label = row.step if steps.count(row.step) == 1 else f"{row.step} ({row.frist})"
        b = row.breakdown
        rows.append(
            [
                german_text(row.step),
                german_text(row.procedure),
                german_text(row.frist),
                cell_text(b.cells[KEPT]),
                cell_text(b.cells[MISSED]),
                cell_text(b.total),
                share_text(b, KEPT),
            ]
        )
        bars.append(_kept_bar(label, b))
    return Section(rows, chart(bars))


def rueckmeldungen(found: Indicators) -> Section:
    b = found.rueckmeldungen
    if b.total.value == 0:
        return Section([], chart([]))
    names = {KEPT: _("innerhalb der Frist"), MISSED: _("nach Ablauf der Frist")}
    rows = [[names[key], cell_text(b.cells[key]), share_text(b, key)] for key in (KEPT, MISSED)]
    rows.append([_("zusammen"), cell_text(b.total), ""])
    bars = [Bar(names[key], b.cells[key].value, cell_text(b.cells[key])) for key in (KEPT, MISSED)]
    return Section(rows, chart(bars))


def durations(found: Indicators) -> Section:
    rows, bars = [], []
    for row in found.durations:
        median, p90 = hours_text(row.median_hours), hours_text(row.p90_hours)
        rows.append([german_text(row.step), german_text(row.procedure), cell_text(row.count), median, p90])
        shown = row.p90_hours is not None
        text = _("Median %(m)s, 90 %% bis %(p)s", m=median, p=p90) if shown else cell_text(row.count)
        bars.append(Bar(row.step, row.p90_hours, text, inner=row.median_hours, label_lang=german_lang_code()))
    return Section(rows, chart(bars))


def tally(found: Tally, total_label: str, *, german: bool = True) -> Section:
    """A breakdown by category (participation, reporter kind, Jugendamt) with shares and its total;
    `german`: the categories are named in German (not so the Jugendämter: proper names)."""
    labels, breakdown = found.labels, found.breakdown
    lang = german_lang_code() if german else None
    rows: list[list[str]] = [
        [german_text(label) if german else label, cell_text(breakdown.cells[key]), share_text(breakdown, key)]
        for key, label in labels.items()
    ]
    if labels:
        rows.append([total_label, cell_text(breakdown.total), ""])
    bars = [
        Bar(label, breakdown.cells[key].value, cell_text(breakdown.cells[key]), label_lang=lang)
        for key, label in labels.items()
    ]
    return Section(rows, chart(bars))


def quarter_label(year: int, number: int) -> str:
    return _("%(n)s. Quartal %(y)s", n=number, y=year)


def sections(found: Indicators) -> dict[str, Any]:
    return {
        "quarter": quarter_label(found.quarter.year, found.quarter.number),
        "quarters": [(q.name, quarter_label(q.year, q.number)) for q in found.quarters],
        "fristentreue": fristentreue(found),
        "rueckmeldungen": rueckmeldungen(found),
        "durations": durations(found),
        "participation": tally(found.participation, _("Beteiligungsschritte zusammen")),
        "reporter": tally(found.by_reporter, _("Meldungen zusammen")),
        "jugendamt": tally(found.by_jugendamt, _("Meldungen zusammen"), german=False),
    }
