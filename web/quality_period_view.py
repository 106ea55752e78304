"""The quality review's results per period as the page shows them (web/ui/quality_pages.py): the
choices of area and period, the counts' texts and per criterion the rows of its table and the bars of
its chart — with the indicators' helpers (web/indicator_view.py), so a suppressed count reads the
same "< 5" or "geschützt" on both pages."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from engine.api import QualityArea, QualityPeriod, QualityPeriodResults
from web.indicator_view import cell_text, quarter_label, tally


def period_label(period: QualityPeriod) -> str:
    if period.is_year:
        return _("Jahr %(year)s", year=period.name)
    quarter = period.quarters[0]
    return quarter_label(quarter.year, quarter.number)


def area_choice(area: QualityArea) -> str:
    """The value of the page's choice: `jugendamt:KEY` or `netzwerk:KEY`."""
    return f"{area.scope}:{area.key}"


def area_label(area: QualityArea) -> str:
    if area.scope == "netzwerk":
        return _("Netzwerk %(name)s", name=area.name)
    return area.name


def page(found: QualityPeriodResults) -> dict[str, Any]:
    return {
        "period": period_label(found.period),
        "area": area_choice(found.area),
        "area_label": area_label(found.area),
        "areas": [(area_choice(a), area_label(a)) for a in found.areas],
        "periods": [(p.name, period_label(p)) for p in found.periods],
        "reviewed": cell_text(found.reviewed),
        "pending": cell_text(found.pending),
        "criteria": [(c.label, tally(c.tally, _("Geprüfte Fälle zusammen"))) for c in found.criteria],
    }
