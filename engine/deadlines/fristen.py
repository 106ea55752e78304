"""Deadlines (Fristen, procedures.md § 4): parsing, the engine's own date arithmetic, profiles.

Fristen come from each network's Kooperationsvereinbarung, so they are data (a profile of strings),
not constants in BPMN. Two forms are accepted and nothing else, because a value that merely *looks*
plausible (`3 Wochentage`, `P-1D`) must never arm a deadline with a guessed meaning:

- ISO 8601 durations `PnYnMnWnDTnHnMnS`. Y/M/W/D are calendar steps in Europe/Berlin that keep the
  local time of day (years and months first, clamping the day to the month's end like dateutil's
  relativedelta — P1M from 31 January is the last day of February; then weeks and days). H/M/S are
  real elapsed time added afterwards (PT4H across the spring-forward night is four real hours).
  Every number is a non-negative integer, the total must be positive, and only the last time part
  (H, M or S) may carry a decimal fraction (`PT1.5H`, `PT0,5S`): a fractional calendar day has no
  meaning across DST. Designators are upper case, as ISO 8601 writes them.
- `N Werktag` / `N Werktage` (N ≥ 1, case-insensitive, one space): the N-th working day strictly
  after the start's local date, at the start's local time of day. Working days are Monday–Friday
  except the public holidays of North Rhine-Westphalia (24 and 31 December are working days).

A local wall time that does not exist (02:30 on the spring-forward day) resolves forward by the gap
(03:30 CEST); an ambiguous one (02:30 on the fall-back day) takes the first occurrence (fold=0,
CEST). Both are what zoneinfo does with fold=0, so the result is deterministic.
Standard library plus `holidays` only, so the CLI and tests use exactly the arithmetic the engine uses.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import holidays

from engine.clock import BERLIN
from engine.errors import ValidationFailed
from engine.shipped import BPMN_ROOT

ACCEPTED_FORMS = (
    "Erlaubt sind ISO-8601-Dauern wie PT4H, PT30M, P8W, P1M oder P1DT2H (positiv; nur die letzte "
    "Zeitangabe darf einen Dezimalbruch haben) oder „N Werktage“ wie 1 Werktag oder 3 Werktage."
)
_UNKNOWN = f"Unbekannte Frist. {ACCEPTED_FORMS}"
_TOO_LONG = f"Frist zu lang (höchstens 100 Jahre). {ACCEPTED_FORMS}"
_MAX_DAYS = 36_600  # about 100 years: keeps every accepted value inside datetime's range
_NUM = r"[0-9]{1,6}"
_FRAC = r"[0-9]{1,6}(?:[.,][0-9]{1,6})?"
_ISO = re.compile(
    rf"P(?:(?P<years>{_NUM})Y)?(?:(?P<months>{_NUM})M)?(?:(?P<weeks>{_NUM})W)?(?:(?P<days>{_NUM})D)?"
    rf"(?P<t>T(?:(?P<hours>{_FRAC})H)?(?:(?P<minutes>{_FRAC})M)?(?:(?P<seconds>{_FRAC})S)?)?"
)
_WERKTAGE = re.compile(r"(?P<n>[1-9][0-9]{0,3}) werktage?", re.IGNORECASE)
_MICROS = {"hours": 3_600_000_000, "minutes": 60_000_000, "seconds": 1_000_000}


@dataclass(frozen=True)
class Frist:
    """One parsed profile value; `text` is its normalised spelling (what a profile stores)."""

    kind: Literal["duration", "werktage"]
    text: str
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    elapsed: timedelta = timedelta(0)
    werktage: int = 0

    @property
    def has_calendar_part(self) -> bool:
        """Only calendar parts go through local wall time; pure elapsed time never does."""
        return bool(self.years or self.months or self.weeks or self.days)


def _refuse(message: str = _UNKNOWN) -> ValidationFailed:
    return ValidationFailed({"value": [message]})


def parse_frist(value: str) -> Frist:
    """Parse a profile value, or raise ValidationFailed({"value": [...]}) naming the accepted forms."""
    if not isinstance(value, str):
        raise _refuse()
    text = value.strip()
    if m := _WERKTAGE.fullmatch(text):
        n = int(m["n"])
        return Frist(kind="werktage", text=f"{n} Werktag" if n == 1 else f"{n} Werktage", werktage=n)
    m = _ISO.fullmatch(text)
    if m is None or text.endswith("T"):
        raise _refuse()
    parts = {k: v for k, v in m.groupdict().items() if v is not None and k != "t"}
    if not parts:
        raise _refuse()  # "P" and "PT": ISO 8601 needs at least one component
    time_parts = [k for k in ("hours", "minutes", "seconds") if k in parts]
    if any(("." in parts[k] or "," in parts[k]) for k in time_parts[:-1]):
        raise _refuse()  # a fraction is allowed on the last time component only
    micros = sum(int(Decimal(parts[k].replace(",", ".")) * _MICROS[k]) for k in time_parts)
    calendar_parts = {k: int(parts.get(k, "0")) for k in ("years", "months", "weeks", "days")}
    elapsed = timedelta(microseconds=micros)
    if not micros and not any(calendar_parts.values()):
        raise _refuse()  # a deadline of zero is no deadline
    c = calendar_parts
    approx_days = c["years"] * 366 + c["months"] * 31 + c["weeks"] * 7 + c["days"] + elapsed.days
    if approx_days > _MAX_DAYS:
        raise _refuse(_TOO_LONG)
    return Frist(kind="duration", text=text, elapsed=elapsed, **calendar_parts)


@lru_cache(maxsize=64)
def _nrw_holidays(year: int) -> frozenset[date]:
    """Public holidays of NRW for one year (cached: Werktage arithmetic asks day by day)."""
    return frozenset(holidays.country_holidays("DE", subdiv="NW", years=year).keys())


def is_werktag(day: date) -> bool:
    """Monday–Friday and not an NRW public holiday (24.12/31.12 are not holidays, so they count)."""
    return day.weekday() < 5 and day not in _nrw_holidays(day.year)


def _resolve_local(naive: datetime) -> datetime:
    """Local Berlin wall time → UTC; gap times move forward by the gap, ambiguous ones take fold=0."""
    return naive.replace(tzinfo=BERLIN, fold=0).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    """Calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _require_aware(start: datetime, name: str = "start") -> None:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"{name} muss eine Zeitzone tragen")


def due(frist: Frist, start: datetime) -> datetime:
    """The due instant (aware, UTC) of `frist` counted from the aware instant `start`."""
    _require_aware(start)
    if frist.kind == "werktage":
        local = start.astimezone(BERLIN)
        day, left = local.date(), frist.werktage
        while left:
            day += timedelta(days=1)
            if is_werktag(day):
                left -= 1
        return _resolve_local(datetime.combine(day, local.time()))
    result = start.astimezone(UTC)
    if frist.has_calendar_part:
        local = start.astimezone(BERLIN)
        day = _add_months(local.date(), frist.years * 12 + frist.months)
        day += timedelta(days=frist.weeks * 7 + frist.days)
        result = _resolve_local(datetime.combine(day, local.time()))
    return result + frist.elapsed


def reminder_at(start: datetime, due_at: datetime) -> datetime:
    """Start + 75 % of the real elapsed time until due (procedures.md § 4), floored to microseconds."""
    _require_aware(start)
    _require_aware(due_at, "due_at")
    span = due_at - start
    if span < timedelta(0):
        raise ValueError("due_at liegt vor start")
    # in UTC: `+` on a zoneinfo-aware datetime is wall-clock arithmetic and would be off across DST
    return start.astimezone(UTC) + span * 3 // 4


def parse_instant(text: str, *, field: str) -> datetime:
    """An ISO 8601 instant **with** offset (a naive time is ambiguous across DST), or ValidationFailed."""
    wrong = "Bitte einen Zeitpunkt nach ISO 8601 mit Zeitzone angeben, z. B. 2026-12-24T10:00:00+01:00."
    try:
        instant = datetime.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        raise ValidationFailed({field: [wrong]}) from None
    if instant.tzinfo is None:
        raise ValidationFailed({field: [wrong]})
    return instant


def due_text(value: str, start_iso: str) -> str:
    """`schutzpfad fristen due VALUE --from ISO`: one ISO 8601 instant in Europe/Berlin with offset.

    Local time with its offset is what people check a deadline against; it is still an exact instant.
    """
    frist = parse_frist(value)
    return due(frist, parse_instant(start_iso, field="from")).astimezone(BERLIN).isoformat()


def default_profile_path() -> Path:
    """The shipped default profile, in the shipped data folder."""
    return BPMN_ROOT / "fristen" / "default.json"


def load_default_profile(path: Path | str | None = None) -> Mapping[str, str]:
    """Read the default profile; every value must parse, so a broken file fails at import, not at arming."""
    data: Any = json.loads(Path(path or default_profile_path()).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != 1 or not isinstance(data.get("values"), dict):
        raise ValueError("Fristenprofil: format 1 mit einem Objekt 'values' erwartet")
    values: dict[str, str] = {}
    for key, raw in data["values"].items():
        try:
            values[key] = parse_frist(raw).text
        except ValidationFailed:
            raise ValueError(f"Fristenprofil: ungültiger Wert für {key}") from None
    if not values:
        raise ValueError("Fristenprofil: keine Werte")
    return MappingProxyType(values)


DEFAULT_PROFILE: Mapping[str, str] = load_default_profile()


@dataclass(frozen=True)
class Profile:
    """A network's Fristen: the defaults plus its overrides. Immutable: a change is a new Profile.

    Overrides may only name keys the defaults know, and every value must parse, so a profile that
    exists is a profile whose every deadline can be computed.
    """

    defaults: Mapping[str, str] = field(default_factory=lambda: DEFAULT_PROFILE)
    overrides: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        defaults = {k: parse_frist(v).text for k, v in self.defaults.items()}
        overrides = {}
        for key, value in self.overrides.items():
            self._check_key(key, defaults)
            overrides[key] = parse_frist(value).text
        object.__setattr__(self, "defaults", MappingProxyType(defaults))
        object.__setattr__(self, "overrides", MappingProxyType(overrides))

    @staticmethod
    def _check_key(key: str, known: Mapping[str, str]) -> None:
        if key not in known:
            listed = ", ".join(sorted(known))
            raise ValidationFailed({"key": [f"Unbekannter Fristenschlüssel. Bekannt sind: {listed}."]})

    def value(self, key: str) -> str:
        """The effective value (override, else default) in normalised spelling."""
        self._check_key(key, self.defaults)
        return self.overrides.get(key, self.defaults[key])

    def frist(self, key: str) -> Frist:
        return parse_frist(self.value(key))

    def merged(self) -> dict[str, str]:
        """Every key with its effective value, in the defaults' order."""
        return {key: self.value(key) for key in self.defaults}

    def with_override(self, key: str, value: str) -> Profile:
        """A new profile with `key` set; ValidationFailed for an unknown key or a value that does not parse."""
        self._check_key(key, self.defaults)
        frist = parse_frist(value)
        return Profile(self.defaults, {**self.overrides, key: frist.text})

    def without_override(self, key: str) -> Profile:
        """A new profile where `key` falls back to its default again."""
        self._check_key(key, self.defaults)
        return Profile(self.defaults, {k: v for k, v in self.overrides.items() if k != key})
