"""akut: a case that started with a Sofortmeldung is urgent before its triage, known without decrypting

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("akut", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Whether the opening Meldung was a Sofortmeldung lives in the sealed instance, which a migration
    # cannot read: open cases are marked for `init`, which holds the keys and refills their view
    # columns (engine.cases.state.fill_view_columns). A closed case is never urgent.
    op.execute(sa.text("UPDATE cases SET views_written = :no WHERE status = 'offen'").bindparams(no=False))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("akut")
