"""view columns: what the case and task views show of an instance, written when a step saves

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("views_written", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("dringlichkeit", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("current_task_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("current_task_title", sa.String(length=300), nullable=True))
    with op.batch_alter_table("open_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prefill", sa.LargeBinary(), nullable=True))
    # The current step is in the plain inbox projection: filled here. The Dringlichkeit and the sealed
    # prefill need the instance and the case's key, which a migration does not hold: `init` fills them
    # for the rows left with views_written = false (engine.cases.state.fill_view_columns).
    op.execute(
        """
        UPDATE cases SET
          current_task_key = (SELECT t.task_key FROM open_tasks t WHERE t.case_id = cases.id AND t.kind = 'bpmn'
                              ORDER BY t.created_at, t.id LIMIT 1),
          current_task_title = (SELECT t.title FROM open_tasks t WHERE t.case_id = cases.id AND t.kind = 'bpmn'
                                ORDER BY t.created_at, t.id LIMIT 1)
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("open_tasks", schema=None) as batch_op:
        batch_op.drop_column("prefill")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("current_task_title")
        batch_op.drop_column("current_task_key")
        batch_op.drop_column("dringlichkeit")
        batch_op.drop_column("views_written")
