"""cases.generated: synthetic cases of `schutzpfad demo generate`, told apart from real ones

The generator refuses a database that holds a real case, so generated volume never mixes with
real children's data; it needs to know which cases it wrote. Existing cases are real.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("generated", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite ≥ 3.35): a batch copy of `cases` would trip the foreign keys of the
    # tables that reference it
    op.drop_column("cases", "generated")
