"""Realtime tickets belong to the token that asked for them, so that signing out voids
them. Tickets live for seconds: the table is recreated rather than altered.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(with_token: bool) -> None:
    columns: list[sa.Column[object] | sa.Constraint] = [
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
    ]
    if with_token:
        columns.append(sa.Column("token_id", sa.String(length=32), nullable=False))
    columns += [
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_realtime_tickets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("secret_hash", name=op.f("pk_realtime_tickets")),
    ]
    if with_token:
        columns.append(
            sa.ForeignKeyConstraint(
                ["token_id"],
                ["tokens.id"],
                name=op.f("fk_realtime_tickets_token_id_tokens"),
                ondelete="CASCADE",
            )
        )
    op.create_table("realtime_tickets", *columns)
    if with_token:
        op.create_index(
            op.f("ix_realtime_tickets_token_id"), "realtime_tickets", ["token_id"], unique=False
        )


def upgrade() -> None:
    op.drop_table("realtime_tickets")
    _create(with_token=True)


def downgrade() -> None:
    op.drop_table("realtime_tickets")
    _create(with_token=False)
