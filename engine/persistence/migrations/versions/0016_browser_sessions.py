"""browser_sessions: signed-in sessions kept on the server, so logout and deactivation end them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("browser_sessions") as batch:
        batch.create_index(batch.f("ix_browser_sessions_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_browser_sessions_last_seen_at"), ["last_seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("browser_sessions") as batch:
        batch.drop_index(batch.f("ix_browser_sessions_last_seen_at"))
        batch.drop_index(batch.f("ix_browser_sessions_user_id"))
    op.drop_table("browser_sessions")
