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


# Plain ADD / DROP COLUMN (SQLite ≥ 3.35), not a batch copy: copying `organisations` would trip the
# foreign keys of the tables that reference it once they hold rows.


def upgrade() -> None:
    for name, length in COLUMNS:
        op.add_column("organisations", sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    for name, _length in reversed(COLUMNS):
        op.drop_column("organisations", name)
