"""Small counts (rule R34): no figure of the network's indicators lets a reader single out a case.

Primary suppression: a count from 1 to 4 is shown as "< 5" (0 stays 0: it describes no case). A
total of 1 to 4 hides the whole breakdown.

Secondary suppression against differencing: a breakdown is shown with its total, so the hidden
cells together can be recomputed as the total minus the visible cells. That sum must not be a
small count itself (one hidden 3, or two hidden 1s whose sum 2 gives both away): while the hidden
cells count less than 5, the smallest visible cell of at least 5 is hidden too ("geschützt"; one
always exists, as the total is at least 5). Breakdowns are partitions of one total each and the
page prints no total across them, so cells of different breakdowns cannot be combined.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: The smallest count shown (R34).
MIN_COUNT = 5

SHOWN, SMALL, PROTECTED = "shown", "small", "protected"


@dataclass(frozen=True)
class Cell:
    #: None unless `state` is SHOWN: a hidden value never leaves the engine
    value: int | None
    state: str

    @property
    def shown(self) -> bool:
        return self.state == SHOWN


@dataclass(frozen=True)
class Breakdown:
    """Counts by category with their total, each cell already suppressed where it must be."""

    cells: dict[str, Cell]
    total: Cell

    def share(self, key: str) -> float | None:
        """The cell's share of the total in per cent, only where both are shown."""
        cell = self.cells[key]
        if not cell.shown or not self.total.shown or not self.total.value:
            return None
        return 100.0 * (cell.value or 0) / self.total.value


def is_small(count: int) -> bool:
    return 0 < count < MIN_COUNT


def protect(counts: Mapping[str, int]) -> Breakdown:
    """The breakdown of `counts` (category → count) with primary and secondary suppression."""
    total = sum(counts.values())
    if is_small(total):
        cells = {k: Cell(0, SHOWN) if v == 0 else Cell(None, SMALL) for k, v in counts.items()}
        return Breakdown(cells, Cell(None, SMALL))
    hidden = {k for k, v in counts.items() if is_small(v)}
    protected: set[str] = set()
    if 0 < sum(counts[k] for k in hidden) < MIN_COUNT:
        # The total is at least 5 and the hidden cells count less, so a cell of at least 5 is left.
        protected.add(min((v, k) for k, v in counts.items() if v >= MIN_COUNT)[1])
    cells = {
        k: Cell(None, SMALL) if k in hidden else Cell(None, PROTECTED) if k in protected else Cell(v, SHOWN)
        for k, v in counts.items()
    }
    return Breakdown(cells, Cell(total, SHOWN))


def single(count: int) -> Cell:
    """One count without a breakdown (a number of steps behind a median)."""
    return Cell(None, SMALL) if is_small(count) else Cell(count, SHOWN)
