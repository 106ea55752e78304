"""Time is a parameter: the engine never reads the wall clock itself.

Production wires `SystemClock`; tests move a `FakeClock` instead of sleeping.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

_GERMAN_DAY = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")  # ASCII digits only, unlike \d
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_GERMAN_MINUTE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})[ ,]+([0-9]{1,2}):([0-9]{2})")


def parse_day(text: str) -> date | None:
    """A calendar day as people in Germany type it (`2.3.2026`, `02.03.2026`) or in ISO 8601
    (`2026-03-02`); anything else (31.02., 2026-W09, 20260302) → None. The form's messages ask for
    TT.MM.JJJJ, so the engine takes it as well as the UI does."""
    text = text.strip()
    if match := _GERMAN_DAY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DAY.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_german_minute(text: str) -> datetime | None:
    """`02.03.2026 14:30` as that minute in Europe/Berlin (aware), else None. The wall time a
    caseworker reads off her watch; in the repeated hour of the autumn change the earlier one."""
    match = _GERMAN_MINUTE.fullmatch(text.strip())
    if not match:
        return None
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=BERLIN)
    except ValueError:
        return None


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock the tests set and advance; it never moves by itself."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta
