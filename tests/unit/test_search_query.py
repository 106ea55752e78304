"""One search box, three kinds of query: Aktenzeichen, birth date, names."""

from __future__ import annotations

import pytest

from engine.cases.search import parse
from engine.errors import ValidationFailed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("KS-2026-000123", ("aktenzeichen", "KS-2026-000123")),
        (" ks-2026-000123 ", ("aktenzeichen", "KS-2026-000123")),
        ("17.05.2020", ("geburtsdatum", "2020-05-17")),
        ("7.5.2020", ("geburtsdatum", "2020-05-07")),
        ("2020-05-17", ("geburtsdatum", "2020-05-17")),
        ("Müller Mia", ("name", ["mueller", "mia"])),
        ("  strauß  ", ("name", ["strauss"])),
    ],
)
def test_a_query_is_read_as_what_it_looks_like(typed, expected):
    assert parse(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Bitte einen Namen"),
        ("   ", "Bitte einen Namen"),
        ("31.02.2020", "kein gültiges Datum"),
        ("2020-13-01", "kein gültiges Datum"),
        ("---", "keinen Namen"),
        ("x" * 201, "höchstens 200 Zeichen"),
    ],
)
def test_bad_queries_get_a_clear_message(typed, message):
    with pytest.raises(ValidationFailed) as refused:
        parse(typed)
    assert message in refused.value.errors["q"][0]
