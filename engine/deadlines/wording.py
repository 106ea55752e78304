"""A Frist in words, as a Kooperationsvereinbarung writes it: "binnen 4 Stunden", "innerhalb von
3 Werktagen". The network's Ablaufplan prints these for people who never read ISO 8601.

Built from the parsed `Frist` (engine/deadlines/fristen.py), so the words always mean what the
engine computes: calendar parts as years, months, weeks and days, elapsed time as hours, minutes
and seconds, working days as Werktage.
"""

from __future__ import annotations

from engine.deadlines.fristen import parse_frist

#: unit: (singular, plural in the dative that "binnen" and "innerhalb von" take)
_UNITS = {
    "years": ("Jahr", "Jahren"),
    "months": ("Monat", "Monaten"),
    "weeks": ("Woche", "Wochen"),
    "days": ("Tag", "Tagen"),
    "hours": ("Stunde", "Stunden"),
    "minutes": ("Minute", "Minuten"),
    "seconds": ("Sekunde", "Sekunden"),
}


def _count(n: int, unit: str) -> str:
    singular, plural = _UNITS[unit]
    return f"{n} {singular if n == 1 else plural}"


def frist_in_words(value: str) -> str:
    """The profile value in German words; ValidationFailed for a value the engine would refuse."""
    frist = parse_frist(value)
    if frist.kind == "werktage":
        return f"innerhalb von {frist.werktage} {'Werktag' if frist.werktage == 1 else 'Werktagen'}"
    seconds = round(frist.elapsed.total_seconds())
    amounts = {
        "years": frist.years,
        "months": frist.months,
        "weeks": frist.weeks,
        "days": frist.days,
        "hours": seconds // 3600,  # elapsed hours stay hours: 36 real hours are no calendar day
        "minutes": seconds % 3600 // 60,
        "seconds": seconds % 60,
    }
    parts = [_count(n, unit) for unit, n in amounts.items() if n]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " und " + parts[-1]
    return f"binnen {joined}"
