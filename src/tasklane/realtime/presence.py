"""Who is looking at a project: per user, not per tab, across every gateway.

A user is present in a project while at least one of their connections has joined it.
``add`` says whether the connection made them present (their first), ``remove``
whether it was their last: exactly the moments of ``user_connected`` and
``user_disconnected``. Each transition is reported to exactly one caller, so it is
announced once however many gateways share the store.

A shared store must also forget the connections of a gateway that died without saying
goodbye: its entries expire unless ``refresh`` renews them, and ``sweep`` reports the
users whose last entry expired. ``MemoryPresence`` (one process: nothing outlives its
gateway) and ``RedisPresence`` (``redis_presence``) implement it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PresenceChange:
    """A user who became present, or stopped being present, in a project."""

    project_id: str
    user_id: str
    name: str


Changes = list[PresenceChange]  # an alias: in the classes below, ``list`` is a method


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

    async def refresh(self) -> Changes:
        """Renew the entries of this process's connections (call it every third of the
        store's lifetime of an entry). Returns the users that this made present again:
        their entries had been lost or swept while this process could not renew them."""
        ...

    async def sweep(self, project_ids: Sequence[str]) -> Changes:
        """Forget the expired entries of these projects; returns the users who are no
        longer present because of it (each to one caller only)."""
        ...


class MemoryPresence:
    """Presence for one gateway process: its entries die with it, so none expire."""

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

    async def refresh(self) -> Changes:
        return []

    async def sweep(self, project_ids: Sequence[str]) -> Changes:
        return []
