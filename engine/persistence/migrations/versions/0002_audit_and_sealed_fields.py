"""audit trail tables; sensitive columns become sealed binary

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

from audit import metadata as audit_metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SEALED = [("cases", "child_data"), ("instances", "state"), ("case_messages", "payload")]


def upgrade() -> None:
    bind = op.get_bind()
    # Rows of revision 0001 hold plaintext and no data keys exist to seal them with: the foundation
    # release was never used for real cases, so refuse instead of guessing.
    if bind.execute(sa.text("SELECT count(*) FROM cases")).scalar_one():
        raise RuntimeError(
            "Diese Datenbank enthält Fälle aus der unverschlüsselten Vorabversion; bitte neu anlegen."
        )
    audit_metadata.create_all(bind)
    for table, column in SEALED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.LargeBinary(), existing_nullable=False,
                               postgresql_using=f"{column}::bytea")


def downgrade() -> None:
    for table, column in SEALED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.Text(), existing_nullable=False,
                               postgresql_using=f"encode({column}, 'escape')")
    audit_metadata.drop_all(op.get_bind())
