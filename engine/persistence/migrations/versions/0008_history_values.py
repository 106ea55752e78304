"""history values: what each completed step documented, sealed on its history row (the case file)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sealed under the case's key like the instance; rows written before this revision are filled by
    # `init` from the audit trail's `task.completed` events (engine.cases.case_file.fill_history_values).
    with op.batch_alter_table("task_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("values", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_history", schema=None) as batch_op:
        batch_op.drop_column("values")
