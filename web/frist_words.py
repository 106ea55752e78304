"""Fristen in plain words: what the Verwaltung shows and takes instead of ISO 8601 and profile keys.

A profile stores values the engine parses (`PT4H`, `P8W`, `3 Werktage`, engine/deadlines/fristen.py).
People in a Verwaltung should neither read nor type that notation (issue 16 item 3), so the Fristen
editor takes a whole number and a unit ("4 Stunden", "3 Werktage") and this module turns the pair into
the stored form, and a stored value back into words. The engine still validates the result: this
module only translates, it decides nothing about which deadlines are allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import escape

from engine.api import parse_frist
from engine.errors import ValidationFailed

FRIST_NAMES: dict[str, LazyString] = {
    "leitung_informieren": _l("Leitung informieren"),
    "fachberatung_kindertagespflege": _l("Kindertagespflege: Bewertung mit der Fachberatung"),
    "insofa_beratung": _l("Beratung mit der insoweit erfahrenen Fachkraft"),
    "beteiligung_familie": _l("Beteiligung der Familie"),
    "meldung_schriftlich": _l("Schriftliche Meldung an das Jugendamt"),
    "rueckmeldung_erwartet": _l("Rückmeldung des Jugendamts erwartet"),
    "schutzplan_max": _l("Längste Zeit bis zur Überprüfung des Schutzplans"),
    "ersteinschaetzung": _l("Ersteinschätzung im Jugendamt"),
    "eindruck_rot": _l("Unmittelbarer Eindruck bei Dringlichkeit rot"),
    "eindruck_gelb": _l("Unmittelbarer Eindruck bei Dringlichkeit gelb"),
    "eindruck_gruen": _l("Unmittelbarer Eindruck bei Dringlichkeit grün"),
    "gefaehrdungseinschaetzung": _l("Gefährdungseinschätzung im Jugendamt"),
    "rueckmeldung_melder": _l("Rückmeldung an die meldende Stelle"),
    "unverzueglich": _l("Unverzüglich (ohne schuldhaftes Zögern)"),
    "akut": _l("Akute Gefährdung"),
}


@dataclass(frozen=True)
class Unit:
    """One unit the editor offers: its form value, how it is stored and how it is written."""

    key: str
    stored: str  # format string for the profile value, `{n}` is the number

    def words(self, n: int) -> str:
        singular, plural = _UNIT_WORDS[self.key]
        return str(singular if n == 1 else plural) % {"num": n}


#: Singular and plural of each unit: German and English both have exactly these two forms.
_UNIT_WORDS: dict[str, tuple[LazyString, LazyString]] = {
    "minuten": (_l("%(num)d Minute"), _l("%(num)d Minuten")),
    "stunden": (_l("%(num)d Stunde"), _l("%(num)d Stunden")),
    "tage": (_l("%(num)d Kalendertag"), _l("%(num)d Kalendertage")),
    "werktage": (_l("%(num)d Werktag"), _l("%(num)d Werktage")),
    "wochen": (_l("%(num)d Woche"), _l("%(num)d Wochen")),
    "monate": (_l("%(num)d Monat"), _l("%(num)d Monate")),
    "jahre": (_l("%(num)d Jahr"), _l("%(num)d Jahre")),
}
UNITS = (
    Unit("minuten", "PT{n}M"),
    Unit("stunden", "PT{n}H"),
    Unit("werktage", "{n} Werktage"),
    Unit("tage", "P{n}D"),
    Unit("wochen", "P{n}W"),
    Unit("monate", "P{n}M"),
    Unit("jahre", "P{n}Y"),
)
_BY_KEY = {unit.key: unit for unit in UNITS}
_MAX_NUMBER = 9999  # four digits, as many as the engine takes for Werktage


def frist_name(key: str) -> str:
    """A Frist's name; a key without one (a newer profile) is shown in words rather than as a key."""
    name = FRIST_NAMES.get(key)
    return str(name) if name else key.replace("_", " ").capitalize()


_QUOTED_KEY = re.compile(r"„([a-z][a-z0-9]*(?:_[a-z0-9]+)*)“")


def fristen_named(text: str) -> str:
    """A help or description text with each quoted Frist key („leitung_informieren“) by its name
    („Leitung informieren“): the texts of a deployed version cannot change (their bytes are signed
    by its SHA-256), and they point to the network's Fristen by key."""
    return _QUOTED_KEY.sub(lambda m: f"„{FRIST_NAMES[m.group(1)]}“" if m.group(1) in FRIST_NAMES else m.group(0), text)


def form_with_fristen_named(form: dict) -> dict:
    """A form view (description, fields' help, nested list fields too) with `fristen_named` texts."""

    def field(f: dict) -> dict:
        named = {**f, "help": fristen_named(f["help"])} if f.get("help") else dict(f)
        if f.get("fields"):
            named["fields"] = [field(sub) for sub in f["fields"]]
        return named

    described = {**form, "description": fristen_named(form["description"])} if form.get("description") else form
    return {**described, "fields": [field(f) for f in form.get("fields", [])]}


def unit_choices() -> list[tuple[str, str]]:
    """The unit select's options, each named by its plural ("Stunden")."""
    return [(unit.key, unit.words(2).removeprefix("2 ")) for unit in UNITS]


def stored_value(number: str, unit: str) -> str:
    """The profile value for "4" + "stunden", or ValidationFailed saying what to type in which field —
    in the page's language, so as Markup: the error page leaves it unmarked (web/ui/bundle_texts.py)."""
    errors: dict[str, list[str]] = {}
    text = (number or "").strip()
    if not re.fullmatch(r"[0-9]{1,4}", text) or int(text) < 1:  # ASCII digits only: "²" is a digit too
        errors["anzahl"] = [
            escape(
                _("Bitte geben Sie die Anzahl als ganze Zahl von 1 bis %(max)d ein, zum Beispiel 4.", max=_MAX_NUMBER)
            )
        ]
    if unit not in _BY_KEY:
        names = ", ".join(label for _key, label in unit_choices())
        errors["einheit"] = [escape(_("Bitte wählen Sie eine Einheit: %(names)s.", names=names))]
    if errors:
        raise ValidationFailed(errors)
    return _BY_KEY[unit].stored.format(n=int(text))


def as_number_and_unit(value: str) -> tuple[str, str] | None:
    """The editor's prefill for a stored value that is one number of one unit, else None."""
    frist = parse_frist(value)
    if frist.kind == "werktage":
        return str(frist.werktage), "werktage"
    parts = _parts(frist.years, frist.months, frist.weeks, frist.days, frist.elapsed)
    if parts is None or len(parts) != 1:
        return None
    [(unit, n)] = parts
    return str(n), unit


def in_words(value: str) -> str:
    """A stored value as people say it: "4 Stunden", "3 Werktage", "1 Kalendertag und 2 Stunden"."""
    frist = parse_frist(value)
    if frist.kind == "werktage":
        return _BY_KEY["werktage"].words(frist.werktage)
    parts = _parts(frist.years, frist.months, frist.weeks, frist.days, frist.elapsed)
    if parts is None:  # seconds or fractions: nothing people set here, shown exactly
        hours = frist.elapsed / timedelta(hours=1)
        written = f"{hours:.4g}".replace(".", ",")
        return _("%(hours)s Stunden", hours=written)
    words = [_BY_KEY[unit].words(n) for unit, n in parts]
    return words[0] if len(words) == 1 else _("%(first)s und %(last)s", first=", ".join(words[:-1]), last=words[-1])


def _parts(years: int, months: int, weeks: int, days: int, elapsed: timedelta) -> list[tuple[str, int]] | None:
    """Whole units, largest first; None when the elapsed time is not whole minutes."""
    seconds = elapsed // timedelta(seconds=1)
    if elapsed % timedelta(minutes=1):
        return None
    hours, minutes = divmod(seconds // 60, 60)
    counts = (
        ("jahre", years),
        ("monate", months),
        ("wochen", weeks),
        ("tage", days),
        ("stunden", hours),
        ("minuten", minutes),
    )
    return [(unit, n) for unit, n in counts if n]
