"""api_tokens get a name and an expiry; the failed-sign-in counters are dropped (their unkeyed
SHA-256 keys of typed names are replaced by keyed HMACs)

Tokens issued before carry the name "(ohne Namen)" and expire 90 days after this migration, so no
token lives forever and none stops working the moment the instance is upgraded.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    expiry = (datetime.now(UTC) + timedelta(days=90)).replace(tzinfo=None)
    tokens = sa.table("api_tokens", sa.column("name", sa.String), sa.column("expires_at", sa.DateTime))
    op.execute(tokens.update().values(name="(ohne Namen)", expires_at=expiry))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("name", existing_type=sa.String(length=100), nullable=False)
        batch.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)
    op.execute(sa.text("DELETE FROM login_throttles"))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM login_throttles"))  # keyed rows mean nothing to the older code
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("name")
