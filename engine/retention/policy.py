"""Retention periods per record type: defaults from domain-8a.md (DP-16), overridable per installation.

An installation changes them in a JSON file (`SCHUTZPFAD_RETENTION_FILE`, default
`<instance>/aufbewahrung.json` if present), e.g. `{"fall_ohne_befund": {"dauer": "P3Y"}}`; what it
leaves out keeps the default. The defaults are the safe reading of DP-16, which the data-protection
officers still have to confirm (it is marked OPEN there); docs/backup-and-retention.md argues them.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.errors import OperationFailed

#: What a period counts from.
CLOSING, THIRTIETH_BIRTHDAY, EVENT = "abschluss", "30_geburtstag", "ereignis"
_BASES = {CLOSING: "ab Abschluss", THIRTIETH_BIRTHDAY: "ab dem 30. Geburtstag", EVENT: "ab dem Ereignis"}
_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?")


@dataclass(frozen=True)
class Period:
    label: str
    years: int
    months: int
    days: int
    basis: str
    #: Whether the run shreds what is due (the case types) or only reports it (see DEFAULTS).
    shredded: bool

    @property
    def text(self) -> str:
        units = ((self.years, "Jahre"), (self.months, "Monate"), (self.days, "Tage"))
        parts = [f"{n} {unit}" for n, unit in units if n]
        return f"{', '.join(parts) or '0 Tage'} {_BASES[self.basis]}"

    def end(self, start: date) -> date:
        """`start` plus the period; a day the month lacks (31st, 29 February) becomes its last day."""
        month = start.month - 1 + self.months
        year = start.year + self.years + month // 12
        month = month % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)

    def before(self, end: date) -> date:
        """The day whose period ends on `end` (the inverse of `end`, for a cut-off)."""
        month = end.month - 1 - self.months
        year = end.year - self.years + month // 12
        month = month % 12 + 1
        day = min(end.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) - timedelta(days=self.days)


#: The record types and their defaults (DP-16 of domain-8a.md):
#: - a closed case without findings: LKSG § 8 draws its quality sample from the closed cases of the
#:   last five years (DP-16 d), after that storage limitation (DSGVO Art. 5 (1) e) ends it;
#: - a closed case with findings: § 9b SGB VIII keeps HzE files 70 years after the person's 30th
#:   birthday; whether it covers § 8a documentation is OPEN (DP-16 c), so the longer period is default;
#: - statistics: Schutzpfad keeps no statistic record of its own — the § 99 values live in the case
#:   and are shredded with it; planning data is anonymised at once (DP-09), so the period is zero;
#: - audit metadata: the chain's headers (time, actor, type, Aktenzeichen) cannot be removed without
#:   breaking the chain; they are kept as long as the longest case period, the run reports older ones.
DEFAULTS: dict[str, Period] = {
    "fall_ohne_befund": Period("Abgeschlossener § 8a-Fall ohne Befund", 5, 0, 0, CLOSING, True),
    "fall_mit_befund": Period("Abgeschlossener § 8a-Fall mit Befund", 70, 0, 0, THIRTIETH_BIRTHDAY, True),
    "statistik": Period("Statistikdaten (§ 99 SGB VIII) im Fall", 0, 0, 0, CLOSING, False),
    "audit_metadaten": Period("Metadaten des Protokolls", 100, 0, 0, EVENT, False),
}


@dataclass(frozen=True)
class RetentionPolicy:
    periods: dict[str, Period]

    def __getitem__(self, record_type: str) -> Period:
        return self.periods[record_type]


def load_policy(path: Path | None) -> RetentionPolicy:
    """The defaults, overridden by the installation's file (if given and present)."""
    periods = dict(DEFAULTS)
    if path is None or not path.exists():
        return RetentionPolicy(periods)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OperationFailed(f"Aufbewahrungsfristen in {path} nicht lesbar: {exc}") from None
    if not isinstance(data, dict):
        raise OperationFailed(f"{path}: ein JSON-Objekt je Datensatzart erwartet.")
    for record_type, setting in data.items():
        periods[record_type] = _override(path, record_type, setting)
    return RetentionPolicy(periods)


def _override(path: Path, record_type: str, setting: Any) -> Period:
    default = DEFAULTS.get(record_type)
    if default is None:
        raise OperationFailed(f"{path}: unbekannte Datensatzart {record_type!r} (bekannt: {', '.join(DEFAULTS)}).")
    if not isinstance(setting, dict) or set(setting) - {"dauer", "ab"}:
        raise OperationFailed(f'{path}: {record_type} erwartet {{"dauer": "P5Y", "ab": "abschluss"}}.')
    duration = setting.get("dauer", None)
    found = _DURATION.fullmatch(duration) if isinstance(duration, str) and duration != "P" else None
    if duration is not None and found is None:
        raise OperationFailed(f"{path}: {record_type}.dauer {duration!r} ist keine Dauer wie P5Y, P18M oder P90D.")
    basis = setting.get("ab", default.basis)
    if basis not in _BASES or (basis == EVENT) != (default.basis == EVENT):
        allowed = EVENT if default.basis == EVENT else f"{CLOSING} oder {THIRTIETH_BIRTHDAY}"
        raise OperationFailed(f"{path}: {record_type}.ab {basis!r} ist nicht möglich ({allowed}).")
    if found is None:
        return replace(default, basis=basis)
    years, months, days = (int(part or 0) for part in found.groups())
    return replace(default, years=years, months=months, days=days, basis=basis)


def due_date(period: Period, closed_at: datetime, birth_date: date | None) -> date:
    """When a closed case is due: from its closing, or from the person's 30th birthday — for a
    child whose birth date is unknown, counted as if born on the day the case closed (later, never
    earlier, than any real 30th birthday of a minor)."""
    if period.basis == CLOSING:
        return period.end(closed_at.date())
    born = birth_date or closed_at.date()
    return replace(period, years=period.years + 30).end(born)
