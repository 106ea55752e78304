"""Process tests drive the shipped BPMN through the engine's public entry point with a fake clock.
They run on SQLite only: the persistence layer itself is tested on both databases elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"
