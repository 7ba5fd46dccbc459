"""Deleted tasks kept for a while, so that a deletion can be undone (deleted_tasks).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_tasks",
        sa.Column("task_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("deleted_by", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_deleted_tasks")),
    )
    with op.batch_alter_table("deleted_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deleted_tasks_deleted_at"), ["deleted_at"])
        batch_op.create_index(batch_op.f("ix_deleted_tasks_project_id"), ["project_id"])


def downgrade() -> None:
    op.drop_table("deleted_tasks")
