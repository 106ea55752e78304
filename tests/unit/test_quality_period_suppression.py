"""R34 for the quality review's results per period: a year is the sum of its quarters, and both can be
read, so a network's year shows a figure only where all its quarters show theirs — the year adds no
equation a reader could use to recompute a hidden quarter's count; the reader's own samples count
exactly only where the others' part is shown."""

from __future__ import annotations

import random

from engine.indicators.suppression import PROTECTED, SHOWN, SMALL, Cell, protect
from engine.quality.aggregates import period_breakdown, plus_own


def _shown_sum(breakdown) -> int:
    return sum(c.value for c in breakdown.cells.values() if c.shown)


def test_the_readers_own_samples_count_exactly_where_the_others_part_is_shown() -> None:
    others = period_breakdown([{"a": 6, "b": 2, "c": 0}])  # b small, a protected against differencing
    found = plus_own(others, {"a": 1, "b": 3, "c": 4})
    assert {k: (c.state, c.value) for k, c in found.cells.items()} == {
        "a": (PROTECTED, None),
        "b": (PROTECTED, None),  # 3 of its own plus "< 5": neither small nor shown
        "c": (SHOWN, 4),
    }
    assert found.total.value == 16
    # nothing from others: its own small count is shown as it is (it reads it on the sample's page)
    assert plus_own(period_breakdown([{"a": 0}]), {"a": 2}).cells["a"] == Cell(2, SHOWN)


def test_a_year_hides_what_any_of_its_quarters_hides() -> None:
    # Q1 hides b (2) and, against differencing, a (6); Q2 shows everything
    year = period_breakdown([{"a": 6, "b": 2, "c": 7}, {"a": 5, "b": 0, "c": 5}])
    assert {k: c.state for k, c in year.cells.items()} == {"a": PROTECTED, "b": SMALL, "c": SHOWN}
    assert year.cells["c"].value == 12 and year.total.value == 25
    # a quarter's small total hides the year's total too (else the year minus the others gives it)
    small = period_breakdown([{"a": 3}, {"a": 9}])
    assert small.total.state == PROTECTED and small.cells["a"].state == PROTECTED


def test_the_year_gives_away_nothing_the_quarters_do_not() -> None:
    """Random networks' quarters: every shown year cell is the sum of shown quarter cells, and what
    the year's total leaves for its hidden cells is exactly what the quarters' totals leave for theirs."""
    draw = random.Random(34)
    for _ in range(3000):
        quarters = [{key: draw.choice((0, 0, 1, 2, 3, 4, 5, 6, 9, 14)) for key in "abcd"} for _ in range(4)]
        year = period_breakdown(quarters)
        protected = [protect(q) for q in quarters]
        for key, cell in year.cells.items():
            if cell.shown:
                assert all(p.cells[key].shown for p in protected)
                assert cell.value == sum(q[key] for q in quarters)
            assert cell.shown or cell.value is None
        if year.total.shown:
            assert all(p.total.shown for p in protected)
            left_in_year = year.total.value - _shown_sum(year)
            left_in_quarters = sum(p.total.value - _shown_sum(p) for p in protected)
            shown_parts_of_hidden = sum(
                p.cells[k].value for p in protected for k, c in year.cells.items() if not c.shown and p.cells[k].shown
            )
            assert left_in_year == left_in_quarters + shown_parts_of_hidden, quarters
