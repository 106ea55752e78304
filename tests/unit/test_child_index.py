"""Normalising a child's names for the blind index: the spellings people type meet."""

from __future__ import annotations

import pytest

from engine.cases.child_index import FULL, NAME, SURNAME, child_terms, tokens


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Müller", ["mueller"]),
        ("Mueller", ["mueller"]),
        ("MÜLLER", ["mueller"]),
        ("Strauß", ["strauss"]),
        ("Strauss", ["strauss"]),
        ("  Müller-Lüdenscheidt ", ["mueller", "luedenscheidt"]),
        ("Müller Lüdenscheidt", ["mueller", "luedenscheidt"]),
        ("Zoë", ["zoe"]),
        ("Zoe\u0308", ["zoe"]),  # the same letter typed as e + combining diaeresis
        ("O'Brien", ["o", "brien"]),
        ("", []),
    ],
)
def test_tokens(typed, expected):
    assert tokens(typed) == expected


def test_terms_carry_their_kind_and_ignore_order_and_spelling():
    one = child_terms({"vorname": "Anna-Lena", "nachname": "Groß", "geburtsdatum": "2019-04-01"})
    other = child_terms({"vorname": " lena anna", "nachname": "GROSS", "geburtsdatum": "2019-04-01"})
    assert one == other
    assert one[FULL] == ["voll:anna lena|gross|2019-04-01"]
    assert one[SURNAME] == ["nachname:gross|2019-04-01"]
    assert one[NAME] == ["name:anna", "name:gross", "name:lena"]


def test_a_double_surname_matches_each_of_its_parts_with_the_birth_date():
    terms = child_terms({"vorname": "Mia", "nachname": "Müller-Lüdenscheidt", "geburtsdatum": "2020-05-17"})
    assert terms[SURNAME] == ["nachname:luedenscheidt|2020-05-17", "nachname:mueller|2020-05-17"]
