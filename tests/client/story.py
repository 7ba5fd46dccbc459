"""What the SDK tests share: people signed up through the SDK itself, a story that makes
every kind of change a project can see, and a recorder of what a client hands over."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

from tasklane.client import (
    AsyncTasklaneClient,
    EventEnvelope,
    Left,
    RealtimeClient,
    RealtimeRefused,
    Status,
    Update,
)
from tasklane.protocol.project import ProjectView
from tests.conftest import unique_email

PASSWORD = "correct horse"

# What ``every_change`` makes, in order, after the project's own ``project_created``.
STORY = [
    "section_created",
    "section_updated",
    "member_added",
    "member_updated",
    "task_created",
    "task_updated",
    "task_status_changed",
    "task_created",  # a subtask
    "comment_created",
    "comment_updated",
    "comment_deleted",
    "task_updated",  # a move to another section
    "task_deleted",
    "section_deleted",
    "project_updated",
    "member_removed",
]


@asynccontextmanager
async def people(api_url: str, *labels: str) -> AsyncIterator[list[AsyncTasklaneClient]]:
    """One signed-in SDK client per label, each a newly registered user."""
    async with AsyncExitStack() as stack:
        clients = []
        for label in labels:
            client = await stack.enter_async_context(AsyncTasklaneClient(api_url))
            await client.register(email=unique_email(label), name=label.title(), password=PASSWORD)
            clients.append(client)
        yield clients


async def every_change(owner: AsyncTasklaneClient, project: ProjectView) -> None:
    """Make one change of every durable type but ``project_created`` (already made) and
    ``project_deleted`` (the end of a project): ``STORY``, through the SDK."""
    async with AsyncTasklaneClient(owner.url) as signup:
        other = await signup.register(email=unique_email("ben"), name="Ben", password=PASSWORD)
    later = await owner.create_section(project.id, "Later")
    await owner.update_section(later.id, name="Someday")
    await owner.add_member(project.id, user_id=other.user.id, role="editor")
    await owner.update_member(project.id, other.user.id, role="commenter")
    task = await owner.create_task(project.id, "Plan", notes="first")
    await owner.update_task(task.id, name="Plan it")
    await owner.update_task(task.id, status="in_progress")
    await owner.create_subtask(task.id, "Draft")
    comment = await owner.create_comment(task.id, "On it")
    await owner.update_comment(comment.id, "On it now")
    await owner.delete_comment(comment.id)
    await owner.move_task(task.id, section_id=later.id)
    await owner.delete_task(task.id)
    await owner.delete_section(later.id)
    await owner.update_project(project.id, name="Renamed")
    await owner.remove_member(project.id, other.user.id)


@dataclass
class Seen:
    """Everything a realtime client hands over: through ``on_event``, per type, through
    ``updates()``; and its status changes."""

    client: RealtimeClient
    events: list[EventEnvelope] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    refused: RealtimeRefused | None = None  # how ``updates()`` ended, if refused
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.client.on_event(self._event)
        self.client.on_status(self._status)
        stream = self.client.updates()

        async def read() -> None:
            try:
                async for update in stream:
                    self.updates.append(update)
                    self._changed.set()
            except RealtimeRefused as refused:
                self.refused = refused

        self._reader = asyncio.create_task(read())

    def _event(self, event: EventEnvelope) -> None:
        self.events.append(event)
        self._changed.set()

    def _status(self, status: Status) -> None:
        self.statuses.append(status)
        self._changed.set()

    async def until(self, count: int, within: float = 10.0) -> list[EventEnvelope]:
        """Wait until ``count`` events were handed over; all of them."""
        await self.wait(lambda: len(self.events) >= count, within, f"{count} events")
        return self.events

    async def until_updates(self, count: int, within: float = 10.0) -> list[Update]:
        """Wait until ``count`` updates (events, resyncs, lefts) came through
        ``updates()``; all of them."""
        await self.wait(lambda: len(self.updates) >= count, within, f"{count} updates")
        return self.updates

    async def until_left(self, within: float = 10.0) -> Left:
        """Wait until a ``Left`` came through ``updates()``; the first."""
        await self.wait(lambda: any(isinstance(u, Left) for u in self.updates), within, "left")
        return next(u for u in self.updates if isinstance(u, Left))

    async def state(self, state: str, within: float = 10.0) -> None:
        """Wait until the client's status is ``state``."""
        await self.wait(lambda: self.client.status.state == state, within, state)

    async def wait(self, done: Callable[[], bool], within: float, what: str) -> None:
        try:
            async with asyncio.timeout(within):
                while not done():
                    self._changed.clear()
                    # Woken by what this recorder sees, and now and then for the rest.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.05)
        except TimeoutError:
            raise AssertionError(
                f"no {what} within {within} s: {[s.state for s in self.statuses]}, "
                f"{[(e.seq, e.type) for e in self.events]}"
            ) from None

    def delays(self) -> list[float]:
        """The ``retry_in`` of every ``reconnecting`` status, in order."""
        return [s.retry_in for s in self.statuses if s.retry_in is not None]

    def states(self) -> list[str]:
        return [s.state for s in self.statuses]

    async def stop(self) -> None:
        await self.client.close()
        if self._reader is not None:
            await self._reader
