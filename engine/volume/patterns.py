"""Template texts with slots: a sealed value of a template case (instance state, step values, a
message, an audit payload) as compact JSON text, cut once into literal chunks and the places where a
clone puts its own values — so cloning is joining strings, not parsing and re-encoding JSON.

A slot is one of:
- a *token*: a string that names the template's world (the scratch organisations, users, references,
  pseudonyms, the template child's data and statistics items), chosen so distinctive that it cannot
  occur by chance; keyed items (`"geburtsjahr":2017`) are tokens with their key, so a bare number
  is never touched;
- a *task id*: every UUID — the instance's task ids must be unique per case, and every later step
  of a clone turns one of them into an open task;
- a *date*: every ISO date or date-time, moved with the clone's time shift (`shift_text`).

The clone gives one mapping from each slot's template text to its own, already JSON-escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
DATE = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?"
_UUID_ONLY = re.compile(UUID)


def compact(value: Any) -> str:
    """The JSON text templates are cut from (no spaces, so keyed tokens match exactly)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def escaped(text: str) -> str:
    """A string as it stands between the quotes of a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


class Pattern:
    """A text cut into literals and slot keys: `render(values)` joins them with each slot's value
    (as one `%` format of the literals, the values fetched by one `itemgetter`: both in C)."""

    __slots__ = ("_fetch", "_format", "keys", "literals")

    def __init__(self, literals: list[str], keys: list[str]) -> None:
        self.literals, self.keys = literals, keys
        self._format = "%s".join(literal.replace("%", "%%") for literal in literals)
        self._fetch = itemgetter(*keys) if keys else None

    def render(self, values: Mapping[str, str]) -> str:
        if self._fetch is None:
            return self.literals[0]
        fetched = self._fetch(values)
        return self._format % (fetched if len(self.keys) > 1 else (fetched,))


class Cutter:
    """Cuts texts along the slots of one template world; collects the task ids and dates it met."""

    def __init__(self, tokens: Iterable[str]) -> None:
        alternation = "|".join(re.escape(t) for t in sorted(set(tokens), key=len, reverse=True))
        self._regex = re.compile(f"({alternation})|({UUID})|({DATE})")
        self.uuids: set[str] = set()
        self.dates: set[str] = set()

    def cut(self, text: str) -> Pattern:
        literals, keys, position = [], [], 0
        for match in self._regex.finditer(text):
            literals.append(text[position : match.start()])
            keys.append(match.group(0))
            if match.group(2):
                self.uuids.add(match.group(0))
            elif match.group(3):
                self.dates.add(match.group(0))
            position = match.end()
        literals.append(text[position:])
        return Pattern(literals, keys)

    def note_uuid(self, value: str) -> None:
        """A task id met in a row rather than a text (it needs a clone's value all the same)."""
        if not _UUID_ONLY.fullmatch(value):
            raise ValueError(f"keine Aufgaben-ID: {value!r}")
        self.uuids.add(value)


def shift_text(text: str, days: int, delta: timedelta) -> str:
    """A date moves by whole `days`, a date-time by `delta` (its offset kept)."""
    if len(text) == 10:
        return (date.fromisoformat(text) + timedelta(days=days)).isoformat()
    return (datetime.fromisoformat(text) + delta).isoformat()
