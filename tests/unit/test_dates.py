"""Date fields in TT.MM.JJJJ whatever the browser's language (issue 16 item 4): the server takes the
German form and ISO 8601, hands the engine ISO, and shows a stored day as TT.MM.JJJJ."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from web.dates import parse_day, typed_day
from web.ui.form_widgets import shown_value, submission_from_form


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("02.03.2026", date(2026, 3, 2)),
        ("2.3.2026", date(2026, 3, 2)),
        (" 29.02.2024 ", date(2024, 2, 29)),
        ("2026-03-02", date(2026, 3, 2)),
    ],
)
def test_german_and_iso_days_are_taken(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "",
        "31.02.2026",
        "29.02.2025",
        "02.03.26",
        "2026-3-2",
        "20260302",
        "2026-W09-1",
        "02/03/2026",
        "０２.０３.２０２６",
    ],
)
def test_anything_else_is_no_day(text):
    assert parse_day(text) is None


def test_a_stored_day_is_shown_in_tt_mm_jjjj_and_typed_text_as_typed():
    assert typed_day("2026-03-02") == "02.03.2026"
    assert typed_day(date(2026, 3, 2)) == "02.03.2026"
    assert typed_day("2.3.2026") == "2.3.2026"  # as the person typed it (an error page shows it again)
    assert typed_day("31.02.2026") == "31.02.2026"
    assert typed_day(None) == ""
    assert shown_value({"type": "date"}, "2026-03-02") == "02.03.2026"
    assert shown_value({"type": "text"}, "2026-03-02") == "2026-03-02"


def test_a_form_hands_the_engine_iso_days():
    form = {"fields": [{"name": "am", "type": "date", "label": "Am"}]}
    for typed in ("02.03.2026", "2026-03-02"):
        assert submission_from_form(form, MultiDict({"am": typed})) == {"am": "2026-03-02"}
    assert submission_from_form(form, MultiDict({"am": "31.02.2026"})) == {"am": "31.02.2026"}  # the engine refuses
