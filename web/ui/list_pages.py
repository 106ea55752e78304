"""What the list pages (Fälle, Eingang, Meine Aufgaben, Beratungen) share: the filter form and the
pages of a list (issue 11, item 1).

The filters are the API's (`status`, `process`, `overdue`, `urgency`, `assigned=me`) with the same
names in the address, so a filtered list can be bookmarked or sent on. A page shows a list a page
at a time (keyset: "Nächste Seite" and "Zur ersten Seite", no page numbers). A page with two lists
(the Eingang, the Beratungen) gives each its own position (`tasks_cursor`, `cases_cursor`); the
filters apply to both. The engine checks every parameter: a wrong one (an edited or outdated
address) shows the page with the engine's German message and no rows, status 422, never a list that
silently ignores what was asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from engine.api import Page
from web.list_params import list_params, page_url
from web.ui.access import engine

#: The filter controls, by parameter name: the label and, for a choice, the options come from below.
FILTER_LABELS: dict[str, LazyString] = {
    "q": _l("Suche nach Kind oder Aktenzeichen"),
    "status": _l("Status"),
    "urgency": _l("Dringlichkeit"),
    "process": _l("Verfahren"),
    "overdue": _l("Nur überfällige"),
    "assigned": _l("Nur mir zugeordnete"),
}
#: What a list's parameters are called on the page when they are not filters (in the messages).
OTHER_LABELS: dict[str, LazyString] = {"cursor": _l("Seite"), "limit": _l("Einträge je Seite")}
URGENCY_OPTIONS = (
    ("akut", _l("Sofortmeldung – akut")),
    ("rot", _l("Rot")),
    ("gelb", _l("Gelb")),
    ("gruen", _l("Grün")),
)


@dataclass
class ListSection:
    """One list of a page: its rows and the addresses of its next and first page."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    next_url: str | None = None
    first_url: str | None = None


def section(load: Callable[[dict[str, str]], Page], cursor_param: str, others: tuple[str, ...] = ()) -> ListSection:
    """Load one list of the page: the filters of the address, this list's `cursor_param` as the
    engine's `cursor`; `others`: the other lists' cursor parameters of the same page."""
    params = list_params(request.args, leave_out=(cursor_param, "cursor", *others))  # each list its own
    if request.args.get(cursor_param):
        params["cursor"] = request.args[cursor_param]
    page = load(params)
    return ListSection(
        rows=page.rows,
        next_url=page_url(cursor_param, page.next_cursor) if page.next_cursor else None,
        first_url=page_url(cursor_param, None) if request.args.get(cursor_param) else None,
    )


def process_options() -> list[tuple[str, str]]:
    """The deployed processes (newest title per key), for the filter `process`."""
    titles = {p["key"]: p["title"] for p in engine().processes()}
    return sorted(titles.items(), key=lambda item: item[1])


def filter_context(fields: tuple[str, ...], errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """What the filter form of a page needs (the template's `filters`): its fields, the values of
    the address, the errors, labels and options."""
    values = {name: request.args.get(name, "") for name in FILTER_LABELS}
    return {
        "fields": fields,
        "current": values,
        "errors": errors or {},
        "labels": {**FILTER_LABELS, **OTHER_LABELS},
        "filtered": any(values[name] for name in fields),
        "urgencies": URGENCY_OPTIONS,
        "processes": process_options() if "process" in fields else [],
    }
