"""Fristen in plain words (issue 16 item 3): the Verwaltung's number + unit becomes the value the
engine stores, and every stored value reads as words, never as ISO 8601 or a profile key."""

from __future__ import annotations

import pytest

from engine.deadlines.fristen import DEFAULT_PROFILE, parse_frist
from engine.errors import ValidationFailed
from web.frist_words import (
    FRIST_NAMES,
    UNITS,
    as_number_and_unit,
    form_with_fristen_named,
    frist_name,
    in_words,
    stored_value,
)


@pytest.mark.parametrize(
    ("number", "unit", "stored"),
    [
        ("4", "stunden", "PT4H"),
        (" 30 ", "minuten", "PT30M"),
        ("1", "werktage", "1 Werktage"),
        ("3", "werktage", "3 Werktage"),
        ("2", "tage", "P2D"),
        ("8", "wochen", "P8W"),
        ("1", "monate", "P1M"),
        ("1", "jahre", "P1Y"),
    ],
)
def test_a_number_and_a_unit_become_a_value_the_engine_parses(number, unit, stored):
    assert stored_value(number, unit) == stored
    assert parse_frist(stored)  # never a value the engine would refuse for its form


@pytest.mark.parametrize("number", ["", "0", "-1", "1,5", "1.5", "vier", "10000", "PT4H", "²"])
def test_anything_but_a_whole_number_from_1_is_refused_with_what_to_type(number):
    with pytest.raises(ValidationFailed) as refused:
        stored_value(number, "stunden")
    assert refused.value.errors == {
        "anzahl": ["Bitte geben Sie die Anzahl als ganze Zahl von 1 bis 9999 ein, zum Beispiel 4."]
    }


@pytest.mark.parametrize("unit", ["", "Stunden", "sekunden", "H"])
def test_an_unknown_unit_is_refused_naming_the_units(unit):
    with pytest.raises(ValidationFailed) as refused:
        stored_value("4", unit)
    assert refused.value.errors == {
        "einheit": ["Bitte wählen Sie eine Einheit: Minuten, Stunden, Werktage, Kalendertage, Wochen, Monate, Jahre."]
    }


def test_both_fields_are_named_at_once():
    with pytest.raises(ValidationFailed) as refused:
        stored_value("", "")
    assert set(refused.value.errors) == {"anzahl", "einheit"}


@pytest.mark.parametrize(
    ("value", "words", "prefill"),
    [
        ("PT4H", "4 Stunden", ("4", "stunden")),
        ("PT1H", "1 Stunde", ("1", "stunden")),
        ("PT90M", "1 Stunde und 30 Minuten", None),
        ("1 Werktag", "1 Werktag", ("1", "werktage")),
        ("10 Werktage", "10 Werktage", ("10", "werktage")),
        ("P8W", "8 Wochen", ("8", "wochen")),
        ("P1M", "1 Monat", ("1", "monate")),
        ("P1DT2H", "1 Kalendertag und 2 Stunden", None),
        ("P1Y2M3D", "1 Jahr, 2 Monate und 3 Kalendertage", None),
        ("PT1.5H", "1 Stunde und 30 Minuten", None),
        ("PT0.5S", "0,0001389 Stunden", None),
    ],
)
def test_stored_values_read_as_words(value, words, prefill):
    assert in_words(value) == words
    assert as_number_and_unit(value) == prefill


def test_every_unit_round_trips():
    for unit in UNITS:
        assert as_number_and_unit(stored_value("7", unit.key)) == ("7", unit.key)


def test_every_default_frist_has_a_name():
    assert set(FRIST_NAMES) == set(DEFAULT_PROFILE)
    assert frist_name("eindruck_rot") == "Unmittelbarer Eindruck bei Dringlichkeit rot"
    assert frist_name("neue_frist") == "Neue frist"  # a newer profile's key still reads as words


def test_a_shipped_texts_quoted_frist_keys_read_as_their_names() -> None:
    """The step forms of a deployed version mention Fristen by key (their bytes cannot change)."""
    form = {
        "description": "Die Leitung entscheidet (Frist „leitung_informieren“, Standard: 4 Stunden).",
        "fields": [
            {"name": "a", "help": "Fristen „eindruck_rot“ und „eindruck_gelb“; Option „unbekannt_x“."},
            {"name": "b", "help": None, "fields": [{"name": "c", "help": "Frist „akut“."}]},
        ],
    }
    named = form_with_fristen_named(form)
    assert named["description"] == "Die Leitung entscheidet (Frist „Leitung informieren“, Standard: 4 Stunden)."
    assert named["fields"][0]["help"] == (
        "Fristen „Unmittelbarer Eindruck bei Dringlichkeit rot“ und „Unmittelbarer Eindruck bei Dringlichkeit gelb“;"
        " Option „unbekannt_x“."
    )
    assert named["fields"][1]["fields"][0]["help"] == "Frist „Akute Gefährdung“."
    assert form["description"].endswith("4 Stunden).")  # the engine's view is not changed
