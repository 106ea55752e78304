"""cases: indexed again, so that the blind index gains the Sorgeberechtigte's name tokens (R38: a
subject-access request by a Sorgeberechtigter finds their cases without decrypting every case);
`init` re-indexes them in batches (engine/cases/child_index.py: fill_index)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("UPDATE cases SET indexed = :no").bindparams(no=False))


def downgrade() -> None:
    """Nothing to undo: the index rows of the Sorgeberechtigte are keyed digests like the others."""
