"""What the case commands return: typed, immutable values with datetimes as datetimes.

A command returns what its caller needs next (the open steps and whether the caller may take them),
not the whole case: the full view with its history is a query (`CaseEngine.case`), so a step costs
the same however long the history is. Formatting (ISO strings, local time) belongs to the edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class OpenStep:
    """An open task of a case, as one actor sees it."""

    id: str
    case_id: int
    case_reference: str
    pseudonym: str
    task: str
    title: str
    lane: str
    due_at: datetime | None
    overdue: bool
    may_complete: bool
    #: Why the actor may not complete it (German), None when they may.
    refusal: str | None


@dataclass(frozen=True)
class CaseProgress:
    """A case after a command (opened, or a step completed): its state and the steps now open."""

    case_id: int
    reference: str
    status: str
    open_tasks: tuple[OpenStep, ...]


@dataclass(frozen=True)
class TaskStatus:
    """Whether a task is still open for an actor — what the web asks after a failed or repeated
    submission, without running a command to find out."""

    #: `open`: the actor may complete it now; `not_yours`: open, but for somebody else (see `refusal`);
    #: `done`: no longer open in a case the actor may see.
    state: str
    refusal: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows (JSON-compatible) and the cursor of the next page, None on the
    last one (`engine/cases/keyset.py`)."""

    rows: list[dict[str, Any]]
    next_cursor: str | None
