"""Quarters of the calendar year in Europe/Berlin: the period every indicator is counted in.

A quarter is named `JJJJ-Qn` in URLs and the API (`2026-Q3`); it runs from its first day 00:00
to the next quarter's first day 00:00, local time, so a Frist due on 30 September at 23:30 counts
in the third quarter although it is already 1 October in UTC on the database's clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from engine.clock import BERLIN
from engine.errors import ValidationFailed

_NAME = re.compile(r"^(\d{4})-Q([1-4])$")
#: The oldest quarter the choice offers, counted back from the current one.
CHOICES = 12


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def name(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> datetime:
        """First instant, as an aware UTC datetime."""
        return datetime(self.year, 3 * self.number - 2, 1, tzinfo=BERLIN).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """First instant of the next quarter (exclusive), aware UTC."""
        return self.following().start

    def following(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def preceding(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def quarter_of(moment: datetime) -> Quarter:
    local = moment.astimezone(BERLIN)
    return Quarter(local.year, (local.month - 1) // 3 + 1)


def parse_quarter(name: str | None, now: datetime) -> Quarter:
    """`JJJJ-Qn` (None: the current quarter); a quarter after the current one is refused."""
    current = quarter_of(now)
    if name is None:
        return current
    found = _NAME.match(name.strip())
    if found is None:
        raise ValidationFailed({"quartal": ["Ein Quartal in der Form JJJJ-Qn, zum Beispiel 2026-Q3."]})
    quarter = Quarter(int(found[1]), int(found[2]))
    if quarter > current:
        raise ValidationFailed({"quartal": [f"Ein Quartal bis {current.name}; spätere haben noch keine Zahlen."]})
    return quarter


def recent(now: datetime, count: int = CHOICES) -> list[Quarter]:
    """The current quarter and the ones before it, newest first (the page's choice)."""
    quarters = [quarter_of(now)]
    while len(quarters) < count:
        quarters.append(quarters[-1].preceding())
    return quarters
