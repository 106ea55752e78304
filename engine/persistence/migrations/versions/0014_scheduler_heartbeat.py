"""scheduler_heartbeat: the deadline scheduler's last sign of life, for the readiness check

One row (id 1), created here so that every beat is a plain UPDATE: two schedulers starting at once
never race to insert it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "scheduler_heartbeat",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("node", sa.String(length=200), nullable=True),
        sa.Column("beat_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "node": None, "beat_at": None}])


def downgrade() -> None:
    op.drop_table("scheduler_heartbeat")
