"""The migrations build exactly the schema the models describe (SQLite and PostgreSQL), and the newest
one can be rolled back and applied again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from audit import metadata as audit_metadata
from engine.persistence.database import make_engine
from engine.persistence.migrate import alembic_config, upgrade_to_head
from engine.persistence.models import Base


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, [Base.metadata, audit_metadata])


def test_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        assert _differences(engine) == []
        command.downgrade(alembic_config(engine), "-1")
        upgrade_to_head(engine)
        assert _differences(engine) == []
    finally:
        engine.dispose()
