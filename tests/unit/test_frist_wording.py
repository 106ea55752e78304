"""A Frist in words (the network's Ablaufplan): every value of the shipped profile, mixed and
fractional durations, and a refused value stays refused."""

from __future__ import annotations

import pytest

from engine.deadlines.fristen import load_default_profile
from engine.deadlines.wording import frist_in_words
from engine.errors import ValidationFailed


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("PT4H", "binnen 4 Stunden"),
        ("PT1H", "binnen 1 Stunde"),
        ("3 Werktage", "innerhalb von 3 Werktagen"),
        ("1 Werktag", "innerhalb von 1 Werktag"),
        ("P8W", "binnen 8 Wochen"),
        ("P1M", "binnen 1 Monat"),
        ("P1DT2H", "binnen 1 Tag und 2 Stunden"),
        ("PT1.5H", "binnen 1 Stunde und 30 Minuten"),
        ("P1Y2M3D", "binnen 1 Jahr, 2 Monaten und 3 Tagen"),
        ("PT36H", "binnen 36 Stunden"),
    ],
)
def test_values_read_as_a_kooperationsvereinbarung_writes_them(value, words):
    assert frist_in_words(value) == words


def test_every_value_of_the_shipped_profile_has_words():
    for value in load_default_profile().values():
        words = frist_in_words(value)
        assert words.startswith(("binnen ", "innerhalb von ")) and any(c.isdigit() for c in words)


def test_a_value_the_engine_refuses_has_no_words():
    with pytest.raises(ValidationFailed):
        frist_in_words("3 Wochentage")
