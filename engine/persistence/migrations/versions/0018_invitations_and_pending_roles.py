"""invitations (one-time links to set password and second factor) and memberships awaiting
confirmation (`pending`, who requested them and when); existing memberships stay in effect

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("invitations") as batch:
        batch.create_index(batch.f("ix_invitations_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("requested_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("requested_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM memberships WHERE pending"))  # never in effect: nothing is lost
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("requested_at")
        batch.drop_column("requested_by")
        batch.drop_column("pending")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_index(batch.f("ix_invitations_user_id"))
    op.drop_table("invitations")
