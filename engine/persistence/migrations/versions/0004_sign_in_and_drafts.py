"""sign-in: sealed TOTP secrets, login throttling, form drafts kept over an expired session

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `mfa_secret` was a never-used plaintext column: it becomes a sealed blob (dropped and re-added,
    # so no database has to convert a text column to binary).
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mfa_secret")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("mfa_secret", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("mfa_pending_secret", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("mfa_enrolled_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("mfa_last_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))

    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("login_throttles") as batch:
        batch.create_index(batch.f("ix_login_throttles_last_failed_at"), ["last_failed_at"], unique=False)

    op.create_table(
        "form_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=300), nullable=False),
        sa.Column("fields", sa.LargeBinary(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "form_key"),
    )
    with op.batch_alter_table("form_drafts") as batch:
        batch.create_index(batch.f("ix_form_drafts_saved_at"), ["saved_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_drafts") as batch:
        batch.drop_index(batch.f("ix_form_drafts_saved_at"))
    op.drop_table("form_drafts")
    with op.batch_alter_table("login_throttles") as batch:
        batch.drop_index(batch.f("ix_login_throttles_last_failed_at"))
    op.drop_table("login_throttles")
    with op.batch_alter_table("users") as batch:
        for column in ("last_login_at", "mfa_last_step", "mfa_enrolled_at", "mfa_pending_secret", "mfa_secret"):
            batch.drop_column(column)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("mfa_secret", sa.String(length=64), nullable=True))
