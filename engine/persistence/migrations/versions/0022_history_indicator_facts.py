"""task_history: when the step opened and the coded facts the network's indicators count (R34), so
the Qualitätsdialog's figures are read without decrypting any case

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN (SQLite ≥ 3.35), as in 0019: rows of other tables reference task_history's cases.


def upgrade() -> None:
    op.add_column("task_history", sa.Column("started_at", sa.DateTime(), nullable=True))
    op.add_column("task_history", sa.Column("kennzahlen", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("task_history", "kennzahlen")
    op.drop_column("task_history", "started_at")
