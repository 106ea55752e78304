"""Calendar dates as people in Germany type them: TT.MM.JJJJ, whatever the browser's language.

A browser's own date picker (`<input type="date">`) shows the format of the browser's language — an
English browser shows 03/02/2026, which a German reader takes for 3 February. So the UI's date fields are
text fields that show TT.MM.JJJJ (issue 16 item 4), and the server takes both TT.MM.JJJJ and ISO 8601
(`2026-03-02`, what older links and scripts send) and hands the engine ISO. The parser is the
engine's (`engine.clock.parse_day`): its messages ask for TT.MM.JJJJ, so it takes that form too.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from engine.clock import parse_day

__all__ = ["parse_day", "typed_day"]

_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")  # ASCII digits only, unlike \d


def typed_day(value: Any) -> str:
    """What a date field shows: a stored day (date or ISO text) as TT.MM.JJJJ, anything typed as typed."""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    text = "" if value is None else str(value)
    day = parse_day(text) if _ISO.fullmatch(text.strip()) else None
    return day.strftime("%d.%m.%Y") if day else text
