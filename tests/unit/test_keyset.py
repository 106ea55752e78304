"""Keyset paging and the list parameters (issue 11, item 1), without the engine: the order of mixed
directions with ties, the cursor and what a tampered one gets, the filters and their refusals."""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, insert, select

from engine.cases import keyset
from engine.cases.keyset import SortKey
from engine.cases.list_query import CASE_FILTERS as CASES
from engine.cases.list_query import DEFAULT_LIMIT, MAX_LIMIT, TASK_FILTERS, ListQuery, parse
from engine.errors import ValidationFailed

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _rows_table():
    metadata = MetaData()
    table = Table(
        "rows",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("rank", Integer),
        Column("due", DateTime),
        Column("name", String(10)),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    return engine, table


def test_pages_follow_the_order_of_mixed_directions_with_ties():
    engine, table = _rows_table()
    generator = random.Random(11)
    rows = [
        {
            "id": i,
            "rank": generator.randint(0, 3),
            "due": datetime(2026, 3, 2) + timedelta(hours=generator.randint(0, 3)),
            "name": generator.choice("ab"),
        }
        for i in range(1, 121)
    ]
    keys = (
        SortKey(table.c.rank, int),
        SortKey(table.c.due, datetime, descending=True),
        SortKey(table.c.name, str),
        SortKey(table.c.id, int, descending=True),
    )
    expected = [r["id"] for r in sorted(rows, key=lambda r: (r["rank"], -r["due"].timestamp(), r["name"], -r["id"]))]
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        for size in (1, 7, 50, 119, 120, 200):
            seen, position = [], None
            while True:
                stmt = select(table.c.id, *(k.expr for k in keys)).order_by(*keyset.order_by(keys)).limit(size)
                if position is not None:
                    stmt = stmt.where(keyset.after(keys, position))
                page = conn.execute(stmt).all()
                seen += [row.id for row in page]
                if len(page) < size:
                    break
                position = list(page[-1][1:])
            assert seen == expected, size


def test_a_cursor_carries_the_key_values_of_its_list():
    keys = (SortKey(None, int), SortKey(None, datetime), SortKey(None, str))  # type: ignore[arg-type]
    values = [2, T0, "3f1c-…"]
    cursor = keyset.encode("tasks", values)
    assert "=" not in cursor and cursor.isascii()
    assert keyset.decode("tasks", keys, cursor) == values
    with pytest.raises(ValidationFailed) as refused:
        keyset.decode("cases", keys, cursor)  # another list's
    assert refused.value.errors == {"cursor": [keyset.CURSOR_INVALID]}


def _forged(content: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(content).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "nicht-base64!",
        "e30",  # {}
        _forged([1, 2, 3]),
        _forged({"l": "tasks", "k": [1, "2026-03-02T08:00:00+00:00"]}),  # one value short
        _forged({"l": "tasks", "k": ["1", "2026-03-02T08:00:00+00:00", "x"]}),  # a number as text
        _forged({"l": "tasks", "k": [True, "2026-03-02T08:00:00+00:00", "x"]}),
        _forged({"l": "tasks", "k": [2**64, "2026-03-02T08:00:00+00:00", "x"]}),  # no database integer
        _forged({"l": "tasks", "k": [1, "2026-03-02T08:00:00", "x"]}),  # no offset
        _forged({"l": "tasks", "k": [1, "gestern", "x"]}),
        _forged({"l": "tasks", "k": [1, 20260302, "x"]}),
        _forged({"l": "tasks", "k": [1, "0001-01-01T00:00:00+01:00", "x"]}),  # before year 1 in UTC
        _forged({"l": "tasks", "k": [1, "2026-03-02T08:00:00+00:00", 7]}),
        _forged({"l": "tasks", "k": [1, "2026-03-02T08:00:00+00:00", "a\x00b"]}),
        "A" * 401,
        base64.urlsafe_b64encode("ü".encode()).decode(),
    ],
)
def test_a_tampered_cursor_is_refused_in_german(cursor):
    keys = (SortKey(None, int), SortKey(None, datetime), SortKey(None, str))  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as refused:
        keyset.decode("tasks", keys, cursor)
    assert refused.value.errors == {"cursor": [keyset.CURSOR_INVALID]}
    assert "ersten Seite" in refused.value.detail


def test_the_list_parameters_and_their_defaults():
    assert parse({}, CASES) == ListQuery()
    assert ListQuery().limit == DEFAULT_LIMIT == 50
    query = parse(
        {
            "status": "offen",
            "process": "jugendamt_8a",
            "overdue": "true",
            "urgency": "gelb",
            "assigned": "me",
            "limit": "200",
            "cursor": "abc",
        },
        CASES,
    )
    assert query == ListQuery("offen", "jugendamt_8a", True, "gelb", True, MAX_LIMIT, "abc")
    assert parse({"overdue": "false", "limit": "1"}, TASK_FILTERS) == ListQuery(overdue=False, limit=1)
    assert parse({"status": "", "urgency": " ", "cursor": ""}, CASES) == ListQuery()  # a GET form's "alle"


@pytest.mark.parametrize(
    ("params", "filters", "wrong"),
    [
        ({"status": "garbage"}, CASES, "status"),
        ({"status": "offen"}, TASK_FILTERS, "status"),  # an open task's case is open
        ({"urgency": "orange"}, CASES, "urgency"),
        ({"overdue": "ja"}, CASES, "overdue"),
        ({"assigned": "goch_fk"}, CASES, "assigned"),
        ({"limit": "0"}, CASES, "limit"),
        ({"limit": "201"}, CASES, "limit"),
        ({"limit": "-1"}, CASES, "limit"),
        ({"limit": "zehn"}, CASES, "limit"),
        ({"limit": "٣"}, CASES, "limit"),  # a digit, but not one a caller means
        ({"sort": "name"}, CASES, "sort"),
    ],
)
def test_an_unknown_filter_or_value_is_refused_naming_the_parameter(params, filters, wrong):
    with pytest.raises(ValidationFailed) as refused:
        parse(params, filters)
    assert list(refused.value.errors) == [wrong]
    message = refused.value.errors[wrong][0]
    assert message.startswith(("Unbekannt", "Bitte")) and f"„{params[wrong]}“" not in message  # not echoed


def test_every_wrong_parameter_is_named_at_once():
    with pytest.raises(ValidationFailed) as refused:
        parse({"status": "x", "urgency": "y", "limit": "0", "suche": "Mia"}, CASES)
    assert set(refused.value.errors) == {"status", "urgency", "limit", "suche"}
    assert "„offen“, „abgeschlossen“ oder „abgebrochen“" in refused.value.errors["status"][0]
