"""Line breaking of diagram labels (web/diagram/linebreak.py): German hyphenation by pyphen, nothing overflows."""

from __future__ import annotations

import pytest

from web.diagram import wrap
from web.diagram.linebreak import fit, hyphenation_points
from web.diagram.measure import text_width

COMPOUNDS = [
    "Gefährdungseinschätzung",
    "Kindeswohlgefährdung",
    "Berufsgeheimnisträger",
    "Überprüfungstermin",
    "Statistikmeldung",
    "Zusammenwirken",
]


def _marked(word: str) -> str:
    for p in reversed(hyphenation_points(word)):
        word = f"{word[:p]}|{word[p:]}"
    return word


def test_long_compounds_are_hyphenated_at_legitimate_points() -> None:
    assert _marked("Gefährdungseinschätzung") == "Ge|fähr|dungs|ein|schät|zung"
    assert _marked("Kindeswohlgefährdung") == "Kin|des|wohl|ge|fähr|dung"
    # The compound joints are among them.
    assert {11} <= set(hyphenation_points("Gefährdungseinschätzung"))  # Gefährdungs|einschätzung
    assert {6, 10} <= set(hyphenation_points("Kindeswohlgefährdung"))  # Kindes|wohl|gefährdung


def test_stray_points_of_the_merged_dictionary_are_dropped() -> None:
    # pyphen alone says "Rü-ck-mel-dung" and "Hil-fe-be-da-rf": "ck" is never split, every piece keeps a vowel.
    assert _marked("Rückmeldung") == "Rück|mel|dung"
    assert _marked("Hilfebedarf") == "Hil|fe|be|darf"
    assert _marked("Fortschritt") == "Fort|schritt"


def test_points_are_found_inside_punctuation_and_after_hyphens() -> None:
    assert _marked("(Anhaltspunkte?)") == "(An|halts|punk|te?)"
    assert wrap("Jugendamt-Sofortmeldung", 100, 12)[0] == ["Jugendamt-", "Sofortmeldung"]


def test_wrap_hyphenates_long_german_words_at_compound_joints() -> None:
    lines, broken = wrap("Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft", 90, 12)
    assert broken == 1
    assert lines[:2] == ["Gefährdungs-", "einschätzung"]
    # "Gefährdungsein-" would fit too: among the points that fit, the one nearest the middle wins.
    assert wrap("Gefährdungseinschätzung", 110, 12)[0] == ["Gefährdungs-", "einschätzung"]
    assert wrap("Statistikmeldung", 80, 12)[0] == ["Statistik-", "meldung"]
    assert wrap("Zusammenwirken", 80, 12)[0] == ["Zusammen-", "wirken"]
    assert wrap("Kindeswohlgefährdung", 100, 12)[0] == ["Kindeswohl-", "gefährdung"]
    # A narrow box takes more pieces, still only at hyphenation points.
    lines, _ = wrap("Gefährdungseinschätzung", 60, 12)
    assert "|".join(line.rstrip("-") for line in lines) == "Gefähr|dungsein|schät|zung"
    assert wrap("Schutzplan vereinbaren", 90, 12) == (["Schutzplan", "vereinbaren"], 0)
    assert wrap("zwei\nZeilen", 200, 12)[0] == ["zwei", "Zeilen"]


@pytest.mark.parametrize("word", COMPOUNDS)
@pytest.mark.parametrize("width", [50, 70, 90, 120])
def test_nothing_overflows_its_width(word: str, width: float) -> None:
    lines, _ = wrap(f"{word} mit {word}", width, 12)
    assert "".join(lines).replace("-", "").replace(" ", "") == f"{word}mit{word}"  # nothing lost
    assert all(text_width(line, 12) <= width for line in lines)


def test_fit_truncates_what_does_not_fit_the_box() -> None:
    size, lines = fit("Gefährdungseinschätzung mit der insoweit erfahrenen Fachkraft", 80, 30)
    assert size == 10 and len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(text_width(line, size) <= 80 for line in lines)
