"""Ids in addresses: what the database can hold, or the address names nothing.

The id columns are `integer`: 32 bits on PostgreSQL, 64 on SQLite. A larger number
(`/faelle/99999999999999999999`) used to reach the database and fail there (SQLite's OverflowError,
PostgreSQL's "integer out of range": a 500). The app's `int` converter is
replaced by `IdConverter`, so such an address matches no route — a plain 404, problem+json under
/api/v1 and the German error page elsewhere — and ids typed elsewhere go through `parse_id`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: The largest id every supported database holds (PostgreSQL `integer`; SQLite's go up to 2^63 − 1).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` bounded to 0 … MAX_ID (a route that names another bound keeps it)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(text: str) -> int | None:
    """The id `text` names (ASCII digits, at most MAX_ID), else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def install(app: Flask) -> None:
    """Before any blueprint adds its rules: rules look their converter up when they are added."""
    app.url_map.converters["int"] = IdConverter
