"""What a list is asked for (issue 11, item 1): filters, page size and position — checked here once
for the API and the UI, so an unknown filter or value is refused (ValidationFailed, 422) instead of
being ignored.

The parameters are strings, as a query string carries them; an empty value counts as not given (a
GET form's "alle"):
- `status` (cases only — an open task's case is always open): `offen`, `abgeschlossen`, `abgebrochen`;
- `process`: the key of a deployed process (the list checks that it exists);
- `overdue`: `true` / `false` — the task's due time, for a case the earliest open step's, has passed;
- `urgency`: `akut`, `rot`, `gelb`, `gruen` (as the lists show it; a closed case has none);
- `assigned`: `me` — a case the actor is responsible for (took over) or with a step offered to them
  by name (a pool member named by the Leitung, the escalation of an organisation without Leitung);
  a task of such a case, or offered to them by name;
- `q` (cases only): a search for a child — names, a birth date or an Aktenzeichen
  (`engine/cases/search.py`; case workers only, audited as `case.search` without the terms);
- `limit`: rows per page, 1 to 200, default 50;
- `cursor`: where the previous page ended (its `next_cursor`, `engine/cases/keyset.py`).

A `ListScope` narrows a list for one page of the UI (the Eingang's intake steps and its own offices,
the Beratungen' pool lane); code sets it, never the query string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.deadlines.urgency import RANK
from engine.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
STATUSES = ("offen", "abgeschlossen", "abgebrochen")
URGENCIES = tuple(RANK)
PAGING = ("limit", "cursor")
#: The filters each list takes.
CASE_FILTERS = ("status", "process", "overdue", "urgency", "assigned", "q")
TASK_FILTERS = ("process", "overdue", "urgency", "assigned")
INVALID = "Die Liste kann so nicht angezeigt werden: bitte prüfen Sie Filter und Seitenangabe."
UNKNOWN_PROCESS = "Ein Verfahren mit diesem Schlüssel gibt es nicht."


@dataclass(frozen=True)
class ListQuery:
    status: str | None = None
    process: str | None = None
    overdue: bool | None = None
    urgency: str | None = None
    assigned_to_me: bool = False
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    #: a search for a child (cases only, engine/cases/search.py)
    q: str | None = None


@dataclass(frozen=True)
class ListScope:
    """What a UI page lists of all the actor may see: `organisations` (keys) for the cases,
    `steps` (task keys) and `lanes` for the tasks; None: no restriction."""

    organisations: frozenset[str] | None = None
    steps: frozenset[str] | None = None
    lanes: frozenset[str] | None = None


def _one_of(allowed: tuple[str, ...]) -> str:
    quoted = [f"„{value}“" for value in allowed]
    return ", ".join(quoted[:-1]) + f" oder {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def parse(params: Mapping[str, str], filters: tuple[str, ...]) -> ListQuery:
    """The list query from its parameters; every wrong one is named in `errors` (German, without
    echoing the value)."""
    errors: dict[str, list[str]] = {}
    given = {name: value.strip() for name, value in params.items() if value.strip()}
    for name in given.keys() - set(filters) - set(PAGING):
        errors[name] = [f"Unbekannter Filter. Diese Liste kennt {_one_of(filters + PAGING)}."]

    def choice(name: str, allowed: tuple[str, ...]) -> str | None:
        value = given.get(name) if name in filters else None
        if value is not None and value not in allowed:
            errors[name] = [f"Unbekannter Wert. Möglich: {_one_of(allowed)}."]
            return None
        return value

    status = choice("status", STATUSES)
    urgency = choice("urgency", URGENCIES)
    overdue = choice("overdue", ("true", "false"))
    assigned = choice("assigned", ("me",))
    limit = DEFAULT_LIMIT
    if "limit" in given:
        text = given["limit"]
        if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_LIMIT:
            limit = int(text)
        else:
            errors["limit"] = [f"Bitte eine ganze Zahl von 1 bis {MAX_LIMIT} angeben."]
    if errors:
        raise ValidationFailed(errors, INVALID)
    return ListQuery(
        status=status,
        process=given.get("process") if "process" in filters else None,
        overdue=None if overdue is None else overdue == "true",
        urgency=urgency,
        assigned_to_me=assigned == "me",
        q=given.get("q") if "q" in filters else None,
        limit=limit,
        cursor=given.get("cursor"),
    )
