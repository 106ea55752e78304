"""Alembic environment: the engine is handed in by `engine.persistence.migrate` (no ini file)."""

from alembic import context

from audit import metadata as audit_metadata
from engine.persistence.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=[Base.metadata, audit_metadata], render_as_batch=True)
    context.run_migrations()
