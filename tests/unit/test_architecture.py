"""Structural rules the import contracts cannot express, checked on the source text."""

from __future__ import annotations

import re
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
LIMIT = 400


def _sources() -> list[Path]:
    return [p for p in ENGINE.rglob("*.py") if "migrations" not in p.parts]


def test_only_the_transaction_runner_commits():
    """Every unit of work of the engine is opened and committed by `engine/transactions.py`: a
    facade, a command or start-up code that commits by hand would bypass the refusal recording."""
    committing = [
        str(p.relative_to(ENGINE)) for p in _sources() if re.search(r"\.commit\(\)", p.read_text(encoding="utf-8"))
    ]
    assert committing == ["transactions.py"]


def test_no_engine_module_is_over_the_size_limit():
    too_long = {
        str(p.relative_to(ENGINE)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}
