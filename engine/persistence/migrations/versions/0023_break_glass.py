"""break_glass_accesses: a user's exceptional, time-limited read of one case with its sealed reason,
and its review by the Jugendamt's Leitung or Revision / Datenschutz (R35)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "break_glass_accesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("jugendamt_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("review_comment", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["jugendamt_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["reviewed_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_break_glass_accesses_case_id", "break_glass_accesses", ["case_id"])
    op.create_index("ix_break_glass_accesses_jugendamt_id", "break_glass_accesses", ["jugendamt_id"])
    op.create_index("ix_break_glass_user_case", "break_glass_accesses", ["user_id", "case_id"])


def downgrade() -> None:
    op.drop_table("break_glass_accesses")
