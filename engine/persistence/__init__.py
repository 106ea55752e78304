"""Persistence: the SQLAlchemy models of every engine table (`models`), the encrypted columns
(`sealed`: child data, instance state, messages, prefills — one data key per case), the database
set-up (`database`: SQLite WAL with `BEGIN IMMEDIATE` writers, PostgreSQL) and the Alembic
migrations (`migrate`, `migrations/`).

Imports only SQLAlchemy, Alembic and the `audit` library's public API; no engine capability package.
`web` never imports it (an import-linter contract): the database is reached through `CaseEngine`.
"""

# Every table on Base.metadata, whichever module of the package is imported first.
from engine.persistence import (  # noqa: E402, F401
    break_glass_tables,
    child_index_tables,
    models,
    operations_models,
    quality_models,
    sso_models,
    statistics_tables,
)
