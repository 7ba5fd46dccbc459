"""What changed between two states, row by row and field by field; and which of those
changes are bookkeeping that follows any change (a project's event counter, a row's
``modifiedAt``) rather than something anyone did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tasklane.tasks.world import Row, World

COLLECTIONS = (
    "users",
    "workspaces",
    "projects",
    "members",
    "invitations",
    "sections",
    "tasks",
    "comments",
)
# Fields that move with any change to the row or its project: never collateral damage.
BOOKKEEPING = {
    "projects": {"lastSeq", "modifiedAt"},
    "tasks": {"modifiedAt"},
    "comments": {"createdSeq", "editedAt"},
    "members": {"createdSeq"},
}


@dataclass(frozen=True)
class Change:
    """One row ``added``, ``deleted``, or ``changed`` in ``fields`` (before and after)."""

    collection: str
    kind: Literal["added", "changed", "deleted"]
    row_id: str
    before: Row | None
    after: Row | None
    fields: frozenset[str] = frozenset()

    def value(self, name: str) -> Any:
        row = self.after if self.after is not None else self.before
        return None if row is None else row.get(name)


def changes(before: World, after: World) -> list[Change]:
    """Every change from ``before`` to ``after``, but bookkeeping alone."""
    found = []
    for name in COLLECTIONS:
        old = {row["id"]: row for row in before.rows(name)}
        new = {row["id"]: row for row in after.rows(name)}
        ignored = BOOKKEEPING.get(name, set())
        for row_id in sorted(new.keys() - old.keys()):
            found.append(Change(name, "added", row_id, None, new[row_id]))
        for row_id in sorted(old.keys() - new.keys()):
            found.append(Change(name, "deleted", row_id, old[row_id], None))
        for row_id in sorted(old.keys() & new.keys()):
            fields = {
                f
                for f in old[row_id].keys() | new[row_id].keys()
                if old[row_id].get(f) != new[row_id].get(f)
            }
            if fields - ignored:
                found.append(
                    Change(name, "changed", row_id, old[row_id], new[row_id], frozenset(fields))
                )
    return found
