"""Keyset pagination (issue 11, item 1): a page continues after the last row of the previous one.

No OFFSET: a page costs the same wherever it is, and rows opened meanwhile neither repeat a row nor
skip one — a new row lands before or after the position, the rows already listed stay where they
were. A list declares its order as `SortKey`s (the last one unique, so the order is total); the
cursor is the last row's key values, JSON in URL-safe base64 without padding, named after its list.
It is opaque to clients, but not secret: whatever position it names, the list's own conditions
(who may see what, the filters) still apply, so a changed cursor can only show another part of the
same list — an undecodable one is refused with a German message (ValidationFailed, 422).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, or_

from engine.errors import ValidationFailed

#: Stands for "no due time" in a sort key: after every real one.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
CURSOR_INVALID = (
    "Die Angabe der Seite (cursor) ist ungültig oder gehört zu einer anderen Liste. "
    "Bitte beginnen Sie auf der ersten Seite."
)
#: A cursor is a handful of short values; anything much longer was not made here.
MAX_CURSOR_LENGTH = 400


@dataclass(frozen=True)
class SortKey:
    """One part of a list's order: a SQL expression, the Python type of its values, the direction."""

    expr: SQLColumnExpression[Any]
    type: type[int] | type[str] | type[datetime]
    descending: bool = False

    def ordered(self) -> ColumnElement[Any]:
        return self.expr.desc() if self.descending else self.expr.asc()

    def beyond(self, value: Any) -> ColumnElement[bool]:
        return self.expr < value if self.descending else self.expr > value


def order_by(keys: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    return [key.ordered() for key in keys]


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after the position `values` in the order of `keys` (directions may be mixed):
    k1 beyond v1, or k1 = v1 and k2 beyond v2, or …"""
    branches = []
    for i, key in enumerate(keys):
        equal = [keys[j].expr == values[j] for j in range(i)]
        branches.append(and_(*equal, key.beyond(values[i])))
    return or_(false(), *branches)


def encode(list_name: str, values: Sequence[Any]) -> str:
    """The cursor after a row whose key values are `values`."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    text = json.dumps({"l": list_name, "k": plain}, separators=(",", ":"), ensure_ascii=True)
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


def decode(list_name: str, keys: Sequence[SortKey], cursor: str) -> list[Any]:
    """The key values a cursor of this list carries; ValidationFailed (`cursor`) for anything else."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        content = json.loads(raw.decode("ascii"))
        if not isinstance(content, dict) or content.get("l") != list_name:
            raise ValueError(cursor)
        plain = content.get("k")
        if not isinstance(plain, list) or len(plain) != len(keys):
            raise ValueError(cursor)
        return [_value(key.type, value) for key, value in zip(keys, plain, strict=True)]
    except (ValueError, OverflowError, binascii.Error, UnicodeError):
        raise ValidationFailed({"cursor": [CURSOR_INVALID]}, CURSOR_INVALID) from None


def _value(kind: type, value: Any) -> Any:
    if kind is datetime:
        if not isinstance(value, str):
            raise ValueError(value)
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(value)
        return parsed.astimezone(UTC)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63):
        raise ValueError(value)
    if kind is str and (not isinstance(value, str) or "\x00" in value):  # PostgreSQL refuses NUL in text
        raise ValueError(value)
    return value
