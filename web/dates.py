"""Calendar dates as people in Germany type them: TT.MM.JJJJ, whatever the browser's language.

A browser's own date picker (`<input type="date">`) shows the format of the browser's language — an
English browser shows 03/02/2026, which a German reader takes for 3 February. So the UI's date fields are
text fields that show TT.MM.JJJJ (issue 16 item 4), and the server takes both TT.MM.JJJJ and ISO 8601
(`2026-03-02`, what older links and scripts send) and hands the engine ISO only.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_GERMAN = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")  # ASCII digits only, unlike \d
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_day(text: str) -> date | None:
    """`2.3.2026`, `02.03.2026` or `2026-03-02` → that day; anything else (31.02., 2026-W09) → None."""
    text = text.strip()
    if match := _GERMAN.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def typed_day(value: Any) -> str:
    """What a date field shows: a stored day (date or ISO text) as TT.MM.JJJJ, anything typed as typed."""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    text = "" if value is None else str(value)
    day = parse_day(text) if _ISO.fullmatch(text.strip()) else None
    return day.strftime("%d.%m.%Y") if day else text
