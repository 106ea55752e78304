"""child_index: the case's organisation in each row and one index (digest, organisation, case), so a
search or a match reads only the asking organisation's entries of a term from the index — at 1.1 M
cases a common name's lookup no longer visits every case of every organisation with that name

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # no table refers to child_index: a batch copy (SQLite) may rebuild it with the new NOT NULL column
    with op.batch_alter_table("child_index", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE child_index SET organisation_id = (SELECT cases.organisation_id FROM cases WHERE cases.id = child_index.case_id)"
    )
    with op.batch_alter_table("child_index", schema=None) as batch_op:
        batch_op.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_child_index_organisation_id", "organisations", ["organisation_id"], ["id"])
        batch_op.drop_index("ix_child_index_digest")
        batch_op.create_index("ix_child_index_lookup", ["digest", "organisation_id", "case_id"])


def downgrade() -> None:
    with op.batch_alter_table("child_index", schema=None) as batch_op:
        batch_op.drop_index("ix_child_index_lookup")
        batch_op.create_index("ix_child_index_digest", ["digest"])
        batch_op.drop_constraint("fk_child_index_organisation_id", type_="foreignkey")
        batch_op.drop_column("organisation_id")
