"""Unit tests need no database: a test here that asks for one of the engine's database fixtures is a
usage error (such a test belongs in tests/integration/).

Fixtures of the audit unit tests: a vault whose keys and checkpoint log live in the instance folder
(tests/conftest.py), and an in-memory SQLite database with the audit tables (the audit library needs
only SQLAlchemy Core). Helpers: tests/support/audit_chains.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from audit import AuditVault, FileKeyProvider
from tests.support.audit_chains import memory_db

#: The fixtures of tests/conftest.py that create a database file or a PostgreSQL database.
DATABASE_FIXTURES = frozenset({"database_url", "case_engine", "world", "pg_cluster"})
UNIT = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        wanted = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if wanted and UNIT in item.path.parents:
            raise pytest.UsageError(f"{item.nodeid} uses {sorted(wanted)}: a test with a database is no unit test")


@pytest.fixture
def vault(instance: Path) -> AuditVault:
    return AuditVault(FileKeyProvider.create(instance), instance / "audit-checkpoints.jsonl")


@pytest.fixture
def db() -> Iterator[Engine]:
    engine = memory_db()
    yield engine
    engine.dispose()
