"""cases.befund and cases.hold: retention per record type and the Löschsperre (rule R25)

`befund` is written when a case closes (did its result find gewichtige Anhaltspunkte or a danger?);
NULL for cases closed before this migration, which retention treats as "with findings" (the longer
period: nothing is deleted early). `hold` is the Löschsperre, sealed under the case's key (its
reason may name a court case or people); while it is set, retention never shreds the case.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("befund", sa.Boolean(), nullable=True))
    op.add_column("cases", sa.Column("hold", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMNs (SQLite ≥ 3.35): a batch copy of `cases` would trip the foreign keys of the
    # tables that reference it
    op.drop_column("cases", "hold")
    op.drop_column("cases", "befund")
