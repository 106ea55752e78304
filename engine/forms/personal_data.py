"""Texts without personal data: a form field marked `"ohne_personendaten": true` (a text prepared
for someone who may not learn who the child is — the insoweit erfahrene Fachkraft receives the case
only without data that identify the child, § 64 Abs. 2a SGB VIII) is refused when it contains the
child's first name, surname, street or birth date, or a Sorgeberechtigter's name or street.

The check compares word sequences, not substrings, after one folding of spellings (engine/spelling.py:
case, umlauts, ß/ss, accents): `Müller` is found in „die Mutter (Mueller) sagt“, the first name `Ina`
is not found in „Kinaesthetik“. What counts as a word of a name:

- every token of a name of two letters or more (a one-letter token is an initial: `M.` would hit
  every lone letter of a text); in a name of several tokens not the particles (`von`, `de`, `al` …),
  which are ordinary words of a sentence — a first name that *is* `Al` is still found;
- a street without its house number, as written or abbreviated (`Hauptstraße` = `Hauptstr.` =
  `Haupt-Straße`); a Sorgeberechtigter's address is free text: its street is what precedes the
  first digit or comma;
- the birth date as day, month and year in the usual written forms — `17.05.2020`, `17.5.2020`,
  `17.5.20`, `17. Mai 2020`, `2020-05-17`.

A common word that is also a name (`Klein`, `Ernst`) is refused too: in doubt the text goes back to
its author rather than out with a name. The message names the field and the kind of datum found —
never the datum itself (engine/errors.py: messages never echo values).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.forms import messages
from engine.forms.definition import FormDefinition, FormField
from engine.spelling import tokens

#: Words that stand inside names but are ordinary words of a sentence too.
_PARTICLES = frozenset(
    {
        "al",
        "bin",
        "da",
        "de",
        "del",
        "della",
        "den",
        "der",
        "di",
        "du",
        "el",
        "ibn",
        "la",
        "le",
        "ten",
        "ter",
        "und",
        "van",
        "vom",
        "von",
        "zu",
        "zum",
        "zur",
    }
)
_STRASSE, _STR = "strasse", "str"
_MONTHS = (
    ("januar", "jan", "jaenner"),
    ("februar", "feb"),
    ("maerz", "mrz", "mar"),
    ("april", "apr"),
    ("mai",),
    ("juni", "jun"),
    ("juli", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("oktober", "okt"),
    ("november", "nov"),
    ("dezember", "dez"),
)
_HOUSE_NUMBER = re.compile(r"[\d,]")

CHILD_FIRST_NAME = "den Vornamen des Kindes"
CHILD_SURNAME = "den Nachnamen des Kindes"
CHILD_STREET = "die Straße des Kindes"
CHILD_BIRTH_DATE = "das Geburtsdatum des Kindes"
GUARDIAN_NAME = "den Namen einer sorgeberechtigten Person"
GUARDIAN_STREET = "die Straße einer sorgeberechtigten Person"


@dataclass(frozen=True)
class Datum:
    """One identifying datum as the word sequences it may be written as, and what to call it."""

    kind: str
    spellings: frozenset[tuple[str, ...]]


def identifying_data(child: Mapping[str, Any]) -> list[Datum]:
    """The data of a case's child (as stored: engine/cases/child.py) that a text must not contain."""
    data = [
        _name(CHILD_FIRST_NAME, child.get("vorname")),
        _name(CHILD_SURNAME, child.get("nachname")),
        _street(CHILD_STREET, _child_street(child)),
        _birth_date(child.get("geburtsdatum")),
    ]
    for guardian in child.get("sorgeberechtigte") or ():
        if isinstance(guardian, Mapping):
            data.append(_name(GUARDIAN_NAME, guardian.get("name")))
            data.append(_street(GUARDIAN_STREET, _HOUSE_NUMBER.split(str(guardian.get("anschrift") or ""))[0]))
    return [d for d in data if d.spellings]


def found_in(text: str, data: Iterable[Datum]) -> list[str]:
    """The kinds of data that `text` contains, each once, in the order of `data`."""
    words = tuple(tokens(text))
    kinds: list[str] = []
    for datum in data:
        if datum.kind not in kinds and any(_contains(words, spelling) for spelling in datum.spellings):
            kinds.append(datum.kind)
    return kinds


def checks_personal_data(form: FormDefinition) -> bool:
    """Whether a completion of `form` needs the case's child data (to be checked against)."""
    return any(f.ohne_personendaten or any(i.ohne_personendaten for i in f.fields) for f in form.fields)


def personal_data_errors(
    form: FormDefinition, clean: Mapping[str, Any], child: Mapping[str, Any]
) -> dict[str, list[str]]:
    """An error per `ohne_personendaten` text (of the form or of a list's item, keyed like the
    validator's: `massnahmen.0.was`) whose valid value contains a datum of `child`."""
    data = identifying_data(child)
    texts: list[tuple[str, FormField, object]] = []
    for field in form.fields:
        if field.type == "list" and isinstance(clean.get(field.name), list):
            for n, item in enumerate(clean[field.name]):
                texts += [(f"{field.name}.{n}.{f.name}", f, item.get(f.name)) for f in field.fields]
        else:
            texts.append((field.name, field, clean.get(field.name)))
    errors: dict[str, list[str]] = {}
    for key, field, value in texts:
        kinds = found_in(value, data) if field.ohne_personendaten and isinstance(value, str) else []
        if kinds:
            errors[key] = [messages.contains_personal_data(field, kinds)]
    return errors


def _contains(words: tuple[str, ...], spelling: tuple[str, ...]) -> bool:
    size = len(spelling)
    return any(words[i : i + size] == spelling for i in range(len(words) - size + 1))


def _name(kind: str, value: object) -> Datum:
    if not isinstance(value, str):
        return Datum(kind, frozenset())
    words = [t for t in tokens(value) if len(t) > 1]
    if len(words) > 1:
        words = [t for t in words if t not in _PARTICLES]
    return Datum(kind, frozenset((t,) for t in words))


def _child_street(child: Mapping[str, Any]) -> str:
    address = child.get("anschrift")
    street = address.get("strasse") if isinstance(address, Mapping) else None
    return _HOUSE_NUMBER.split(street)[0] if isinstance(street, str) else ""


def _street(kind: str, street: str) -> Datum:
    """`Hauptstraße` as `hauptstrasse`, `hauptstr`, `haupt strasse`, `haupt str`; `Am Markt` as is."""
    words = tokens(street)
    if not words:
        return Datum(kind, frozenset())
    *head, last = words
    spellings = {tuple(words)}
    stem = _strasse_stem(last)
    if stem is not None:
        ending = (_STRASSE, _STR)
        if stem:  # a compound: Hauptstraße, Hauptstr.
            spellings |= {(*head, stem + e) for e in ending} | {(*head, stem, e) for e in ending}
        elif head:  # a separate word: Goch Straße, Haupt-Str.
            spellings |= {(*head, e) for e in ending} | {(*head[:-1], head[-1] + e) for e in ending}
    return Datum(kind, frozenset(spellings))


def _strasse_stem(word: str) -> str | None:
    """`hauptstrasse` → `haupt`, `hauptstr` → `haupt`, `strasse` → ``; None: not a Straße."""
    for ending in (_STRASSE, _STR):
        if word.endswith(ending):
            return word.removesuffix(ending)
    return None


def _birth_date(value: object) -> Datum:
    try:
        born = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        born = None
    if born is None:
        return Datum(CHILD_BIRTH_DATE, frozenset())
    days = {str(born.day), f"{born.day:02}"}
    months = {str(born.month), f"{born.month:02}", *_MONTHS[born.month - 1]}
    years = {str(born.year), f"{born.year % 100:02}"}
    written = {(d, m, y) for d in days for m in months for y in years}
    iso = {(str(born.year), m, d) for m in (str(born.month), f"{born.month:02}") for d in days}
    return Datum(CHILD_BIRTH_DATE, frozenset(written | iso))
