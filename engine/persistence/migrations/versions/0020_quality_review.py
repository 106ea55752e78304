"""quality_samples, quality_sample_cases, quality_reviews, quality_releases: the LKSG § 8 quality
review — random samples of closed cases, the reviewer's coded answers (comments sealed), and the
case owners' releases of free texts for review

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_key", sa.String(length=64), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("size_kind", sa.String(length=8), nullable=False),
        sa.Column("size_value", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=24), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("population_sha256", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("drawn_by_user_id", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.Column("reviewer_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["drawn_by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["reviewer_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quality_samples_owner_id", "quality_samples", ["owner_id"])
    op.create_index("ix_quality_samples_reviewer_user_id", "quality_samples", ["reviewer_user_id"])
    op.create_table(
        "quality_sample_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sample_id"], ["quality_samples.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sample_id", "case_id"),
        sa.UniqueConstraint("sample_id", "position"),
    )
    op.create_index("ix_quality_sample_cases_sample_id", "quality_sample_cases", ["sample_id"])
    op.create_table(
        "quality_reviews",
        sa.Column("sample_case_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("comments", sa.LargeBinary(), nullable=False),
        sa.Column("reviewed_by_user_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["sample_case_id"], ["quality_sample_cases.id"]),
        sa.ForeignKeyConstraint(["reviewed_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("sample_case_id"),
    )
    op.create_table(
        "quality_releases",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("released_by_user_id", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["released_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )


def downgrade() -> None:
    op.drop_table("quality_releases")
    op.drop_table("quality_reviews")
    op.drop_index("ix_quality_sample_cases_sample_id", table_name="quality_sample_cases")
    op.drop_table("quality_sample_cases")
    op.drop_index("ix_quality_samples_reviewer_user_id", table_name="quality_samples")
    op.drop_index("ix_quality_samples_owner_id", table_name="quality_samples")
    op.drop_table("quality_samples")
