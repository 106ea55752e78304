"""statistics_locks: a Jugendamt's § 99 Abs. 6 year locked by its Leitung (the sealed records as
they were then, and the SHA-256 of their CSV)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statistics_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jugendamt_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("locked_by_user_id", sa.Integer(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("records", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["jugendamt_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["locked_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jugendamt_id", "year"),
    )


def downgrade() -> None:
    op.drop_table("statistics_locks")
