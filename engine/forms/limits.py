"""The bounds of a submitted value, for every form (issue 13, finding 8).

A legal record holds what a person typed: a megabyte in one field, 20,000 Sorgeberechtigte, a name
of blanks or with a NUL byte in it are no such thing — they are refused, with a German message that
names the field, before anything is stored. A form may set its own `max_length` / `max_items`
(engine/forms/definition.py); these are the defaults.
"""

from __future__ import annotations

import re
import unicodedata

from engine.forms.definition import FormField

#: Longest text per type, in characters after stripping: a name or a line; several pages of free text.
DEFAULT_MAX_LENGTH = {"text": 500, "user": 100, "textarea": 20_000}
#: Most items of a list (Sorgeberechtigte, Maßnahmen of a Schutzplan).
DEFAULT_MAX_ITEMS = 50
#: Most children of a `kinder` field: one case is opened per child, from one form a person still reads
#: (as many as a household report of Neue Meldung takes, engine/cases/household.py).
DEFAULT_MAX_CHILDREN = 10
#: Integers are stored and compared as 64-bit numbers elsewhere (statistics, the database).
INTEGER_BOUND = 2**63 - 1

#: Control characters (C0, DEL, C1) and lone surrogates; a textarea keeps tab and line breaks.
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def max_length(field: FormField) -> int:
    return field.max_length or DEFAULT_MAX_LENGTH[field.type]


def max_items(field: FormField) -> int:
    return field.max_items or (DEFAULT_MAX_CHILDREN if field.type == "kinder" else DEFAULT_MAX_ITEMS)


def has_control_characters(field: FormField, text: str) -> bool:
    """NUL, escape sequences, a line break in a one-line field: never typed, refused."""
    pattern = _CONTROL_IN_TEXT if field.type == "textarea" else _CONTROL_IN_LINE
    return pattern.search(text) is not None


def is_blank(text: str) -> bool:
    """No visible character: blanks of any kind and invisible format characters (zero-width space,
    soft hyphen) only — a name of those counts as not given."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc") for ch in text)


def too_long(field: FormField) -> str:
    return f"„{field.label}“ darf höchstens {max_length(field):,} Zeichen lang sein.".replace(",", ".")


def too_many(field: FormField) -> str:
    return f"Geben Sie bei „{field.label}“ höchstens {max_items(field):,} Einträge an.".replace(",", ".")


def control_characters(field: FormField) -> str:
    breaks = "" if field.type == "textarea" else ", Zeilenumbrüche"
    return f"„{field.label}“ enthält Steuerzeichen (z. B. NUL{breaks}). Bitte nur Text eingeben."


def integer_out_of_range(field: FormField) -> str:
    return f"Die Zahl bei „{field.label}“ ist zu groß oder zu klein. Geben Sie höchstens 18 Ziffern an."
