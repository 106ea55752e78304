"""Fixtures of the audit unit tests: a vault whose keys and checkpoint log live in the instance folder
(tests/conftest.py), and an SQLite database with the audit tables. Helpers: tests/unit/audit_support.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from audit import AuditVault, FileKeyProvider, metadata
from engine.persistence.database import make_engine


@pytest.fixture
def vault(instance: Path) -> AuditVault:
    return AuditVault(FileKeyProvider.create(instance), instance / "audit-checkpoints.jsonl")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()
