"""open_tasks.lane_roles of process tasks opened before 0003, filled from their version's manifest

The task lists decide in SQL who may take a task (issue 11: a page of a list is one query), from the
lane roles every task row carries since 0003. Rows of process tasks opened before carry ''; their
roles are those of the task's lane in the manifest of the case's process version, which is
immutable and stored with it (`process_files`). No schema change: downgrade leaves the values.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT open_tasks.id, open_tasks.lane, cases.definition_id FROM open_tasks "
            "JOIN cases ON cases.id = open_tasks.case_id "
            "WHERE open_tasks.kind = 'bpmn' AND open_tasks.lane_roles = ''"
        )
    ).all()
    lanes: dict[int, dict[str, list[str]]] = {}
    for task_id, lane, definition_id in rows:
        if definition_id not in lanes:
            content = conn.execute(
                sa.text("SELECT content FROM process_files WHERE definition_id = :d AND path = 'manifest.json'"),
                {"d": definition_id},
            ).scalar_one_or_none()
            lanes[definition_id] = json.loads(bytes(content)).get("lanes", {}) if content is not None else {}
        roles = lanes[definition_id].get(lane, [])
        if roles:
            conn.execute(
                sa.text("UPDATE open_tasks SET lane_roles = :roles WHERE id = :id"),
                {"roles": ",".join(sorted(roles)), "id": task_id},
            )


def downgrade() -> None:
    pass  # data only: the filled roles are right for every version of the schema
