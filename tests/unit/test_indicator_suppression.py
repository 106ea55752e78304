"""R34: counts below 5 are hidden, and so is one more cell whenever the total minus the visible cells
would give a small count away (differencing)."""

from __future__ import annotations

import itertools

from engine.indicators.suppression import MIN_COUNT, PROTECTED, SHOWN, SMALL, protect, single


def _states(counts: dict[str, int]) -> dict[str, str]:
    return {key: cell.state for key, cell in protect(counts).cells.items()}


def test_small_counts_read_small_and_zero_stays() -> None:
    found = protect({"a": 12, "b": 7, "c": 0, "d": 3, "e": 2})
    # the hidden cells sum to 5: the difference reveals no small count, nothing more to hide
    assert _states({"a": 12, "b": 7, "c": 0, "d": 3, "e": 2}) == {
        "a": SHOWN,
        "b": SHOWN,
        "c": SHOWN,
        "d": SMALL,
        "e": SMALL,
    }
    assert found.total.value == 24 and found.cells["c"].value == 0


def test_two_hidden_ones_whose_sum_is_small_take_another_cell_with_them() -> None:
    # total 21 minus 12 and 7 is 2: both hidden cells would be known to be 1
    assert _states({"a": 12, "b": 7, "d": 1, "e": 1}) == {"a": SHOWN, "b": PROTECTED, "d": SMALL, "e": SMALL}


def test_one_hidden_cell_takes_the_smallest_visible_one_with_it() -> None:
    found = protect({"kept": 20, "missed": 2})
    assert found.cells["missed"].state == SMALL and found.cells["kept"].state == PROTECTED
    assert found.total.value == 22 and found.share("kept") is None
    assert _states({"a": 9, "b": 6, "c": 1}) == {"a": SHOWN, "b": PROTECTED, "c": SMALL}


def test_a_total_below_5_hides_the_whole_breakdown() -> None:
    found = protect({"a": 3, "b": 0})
    assert found.total.state == SMALL and found.cells["a"].state == SMALL and found.cells["b"].value == 0
    assert single(4).state == SMALL and single(5).value == 5


def test_no_hidden_cell_can_be_recomputed_from_what_is_shown() -> None:
    """Every breakdown of 2–4 categories with counts 0–12: what is shown (visible cells and total)
    never pins a hidden count to one value below 5."""
    for size in (2, 3, 4):
        for values in itertools.product(range(13), repeat=size):
            counts = {str(i): v for i, v in enumerate(values)}
            found = protect(counts)
            hidden = [k for k, c in found.cells.items() if not c.shown]
            assert all(c.value is None for c in found.cells.values() if not c.shown)
            if not hidden or not found.total.shown:
                continue
            rest = found.total.value - sum(c.value for c in found.cells.values() if c.shown)
            # the hidden cells sum to `rest`; a single hidden cell, or a small sum, would give it away
            assert len(hidden) >= 2 and rest >= MIN_COUNT, (counts, hidden, rest)
