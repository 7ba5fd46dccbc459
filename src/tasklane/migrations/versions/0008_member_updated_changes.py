"""``member_updated`` says which fields changed (``changes``), now that a person's new
name or avatar colour is announced with it too. Every one logged before was a change of
role: the project logs' and the people's own copies get ``changes: ["role"]``, so that
the log has one shape. Going down, ``changes`` goes again.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOGS = {"events": "project_id", "person_events": "user_id"}


def _rewrite(shape: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Give each logged ``member_updated``'s data the shape ``shape(data)`` returns."""
    connection = op.get_bind()
    for name, owner in LOGS.items():
        log = sa.table(
            name, sa.column(owner), sa.column("seq"), sa.column("type"), sa.column("data", sa.JSON)
        )
        key = (log.c[owner], log.c.seq)
        rows = connection.execute(sa.select(*key, log.c.data).where(log.c.type == "member_updated"))
        for row_owner, seq, data in rows.all():
            connection.execute(
                log.update()
                .where(log.c[owner] == row_owner, log.c.seq == seq)
                .values(data=shape(data))
            )


def upgrade() -> None:
    _rewrite(lambda data: data if "changes" in data else {**data, "changes": ["role"]})


def downgrade() -> None:
    _rewrite(lambda data: {key: value for key, value in data.items() if key != "changes"})
