"""A section may stand for a task status (sections.status: todo, in_progress, done, or
null for a free section). Existing sections stay free: nothing about their tasks changes.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sections") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sections") as batch:
        batch.drop_column("status")
