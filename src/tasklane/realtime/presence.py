"""Who is looking at a project: per user, not per tab.

A user is present in a project while at least one of their connections has joined it.
``add`` says whether the connection made them present (their first), ``remove``
whether it was their last: exactly the moments of ``user_connected`` and
``user_disconnected``.
"""

from __future__ import annotations

from typing import Protocol


class PresenceStore(Protocol):
    async def add(self, project_id: str, user_id: str, name: str, connection_id: str) -> bool:
        """Record the connection; True if it is the user's first in the project."""
        ...

    async def remove(self, project_id: str, user_id: str, connection_id: str) -> bool:
        """Forget the connection; True if it was the user's last in the project."""
        ...

    async def list(self, project_id: str) -> list[dict[str, str]]:
        """The users present, as ``{"userId", "name"}``, in the order they arrived."""
        ...


class MemoryPresence:
    """Presence for one gateway process."""

    def __init__(self) -> None:
        # project -> user -> (name, connections); dicts keep arrival order
        self._rooms: dict[str, dict[str, tuple[str, set[str]]]] = {}

    async def add(self, project_id: str, user_id: str, name: str, connection_id: str) -> bool:
        users = self._rooms.setdefault(project_id, {})
        first = user_id not in users
        _, connections = users.setdefault(user_id, (name, set()))
        connections.add(connection_id)
        return first

    async def remove(self, project_id: str, user_id: str, connection_id: str) -> bool:
        users = self._rooms.get(project_id, {})
        entry = users.get(user_id)
        if entry is None or connection_id not in entry[1]:
            return False
        entry[1].discard(connection_id)
        if entry[1]:
            return False
        del users[user_id]
        if not users:
            self._rooms.pop(project_id, None)
        return True

    async def list(self, project_id: str) -> list[dict[str, str]]:
        return [
            {"userId": user_id, "name": name}
            for user_id, (name, _) in self._rooms.get(project_id, {}).items()
        ]
