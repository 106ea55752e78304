"""users.telefon and organisations.meldende_stelle: what a Meldebogen tells the Jugendamt of who reports

The Jugendamt calls back the reporting person (their direct line) and records the reporting body's
§ 99 category (Meldende Stelle), which the organisation now carries so that the Eingang is prefilled.
Both nullable: existing rows simply have none until an administrator sets them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telefon", sa.String(40), nullable=True))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meldende_stelle", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("meldende_stelle")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("telefon")
