"""child_index, index_keys, case_matches: search for a child and earlier reports on the same child

The child's data is sealed; search and matching use keyed digests (a blind index). Cases opened
before this migration get their index from `init`, which holds the keys (a migration does not).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_keys",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "child_index",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("key_version", sa.Integer(), sa.ForeignKey("index_keys.version"), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
    )
    op.create_index("ix_child_index_case_id", "child_index", ["case_id"])
    op.create_index("ix_child_index_digest", "child_index", ["digest"])
    op.create_table(
        "case_matches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("earlier_case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("case_id", "earlier_case_id"),
    )
    op.create_index("ix_case_matches_case_id", "case_matches", ["case_id"])
    op.add_column("cases", sa.Column("indexed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite ≥ 3.35): a batch copy of `cases` would trip the foreign keys of the
    # tables that reference it
    op.drop_column("cases", "indexed")
    op.drop_table("case_matches")
    op.drop_table("child_index")
    op.drop_table("index_keys")
