"""cases: the lists' order as columns (list_rank, list_due) with an index per organisation in list
order, so that a case list page is an index read at any volume (engine/cases/list_order.py)

The backfill states the order's rules in SQL as they stand at this revision (a closed case has no
urgency; the Ampel rot 0, gelb 1, gruen 2; a Sofortmeldung before triage 0; else 3; no due time:
9999-12-31); from here on every save writes them.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from audit.tables import UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

NEVER = datetime(9999, 12, 31, tzinfo=UTC)
#: NEVER as both databases read a text default (and SQLite stores `UTCDateTime`)
NO_DUE = "9999-12-31 00:00:00.000000"


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN: a batch copy of `cases` would drop the table others refer to
    op.add_column("cases", sa.Column("list_rank", sa.Integer(), nullable=False, server_default="3"))
    op.add_column("cases", sa.Column("list_due", sa.DateTime(), nullable=False, server_default=NO_DUE))
    op.execute(
        sa.text(
            """
            UPDATE cases SET
              list_rank = CASE WHEN status = 'abgeschlossen' THEN 3
                               WHEN dringlichkeit = 'rot' THEN 0
                               WHEN dringlichkeit = 'gelb' THEN 1
                               WHEN dringlichkeit = 'gruen' THEN 2
                               WHEN akut THEN 0
                               ELSE 3 END,
              list_due = COALESCE((SELECT MIN(t.due_at) FROM open_tasks t
                                   WHERE t.case_id = cases.id AND t.kind = 'bpmn'), :never)
            """
        ).bindparams(sa.bindparam("never", NEVER, type_=UTCDateTime()))
    )
    op.create_index(
        "ix_cases_list_order",
        "cases",
        ["organisation_id", "list_rank", "list_due", sa.desc(sa.column("opened_at")), sa.desc(sa.column("id"))],
        unique=False,
    )


def downgrade() -> None:
    """Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), as in `upgrade`."""
    op.drop_index("ix_cases_list_order", table_name="cases")
    op.drop_column("cases", "list_due")
    op.drop_column("cases", "list_rank")
