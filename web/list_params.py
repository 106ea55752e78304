"""A list's query string as the engine's list parameters, and the address of its next page — for the
API (`Link: <…>; rel="next"`) and the UI ("Nächste Seite") alike.

The engine checks names and values (`engine/cases/list_query.py`); here only what a query string adds:
a parameter given twice is refused rather than one of its values picked silently.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from werkzeug.datastructures import MultiDict

from engine.errors import ValidationFailed

ONCE = "Bitte diesen Parameter nur einmal angeben."


def list_params(args: MultiDict[str, str], *, leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """The parameters of a list, one value each (`leave_out`: what the page uses for itself)."""
    repeated = {name: [ONCE] for name, values in args.lists() if len(values) > 1 and name not in leave_out}
    if repeated:
        raise ValidationFailed(repeated, ONCE)
    return {name: value for name, value in args.items() if name not in leave_out}


def page_url(cursor_param: str, cursor: str | None) -> str:
    """This page's address with `cursor_param` set to `cursor` (None: left out — the first page);
    relative (RFC 8288 § 3.1 resolves it against the request's address, like `Location`)."""
    values: dict[str, Any] = {name: value for name, value in request.args.items() if name != cursor_param}
    if cursor is not None:
        values[cursor_param] = cursor
    assert request.endpoint is not None
    return url_for(request.endpoint, **(request.view_args or {}), **values)
