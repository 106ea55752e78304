"""organisations: contact fields of the directory (Telefon, Bereitschaft/24-h number, E-Mail,
Anschrift), so the network's plan and an acute report's step page name how to reach a Jugendamt

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

COLUMNS = (("telefon", 40), ("bereitschaft", 40), ("email", 254), ("anschrift", 300))


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        for name, _length in reversed(COLUMNS):
            batch.drop_column(name)
