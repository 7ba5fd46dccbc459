"""The handlers of a :class:`~tasklane.client.realtime.RealtimeClient`: the ``on…``
methods that register them, and the calls that run them for what arrives.

For one event the handlers run in the order: the type's, its kind's, then ``*``; each
is awaited if it is a coroutine, and one that raises is logged and does not stop the
others."""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

from tasklane.client.frames import Left, PresenceEvent, PresenceType, ResyncRequired
from tasklane.client.status import Status
from tasklane.protocol.events import EventEnvelope

# The realtime client's logger, the one docs/sdk.md names for failing handlers.
log = logging.getLogger("tasklane.client.realtime")

T = TypeVar("T")
Handler = Callable[[T], Awaitable[None] | None]
Unsubscribe = Callable[[], None]


class Subscriptions:
    """Who wants to hear what: handlers by event type or kind, by presence type, and
    for status changes, resyncs and projects left."""

    def __init__(self) -> None:
        self._events: dict[str, list[Handler[EventEnvelope]]] = {}
        self._presence: dict[str, list[Handler[PresenceEvent]]] = {}
        self._statuses: list[Handler[Status]] = []
        self._resyncs: list[Handler[ResyncRequired]] = []
        self._lefts: list[Handler[Left]] = []

    @overload
    def on(self, type: PresenceType, handler: Handler[PresenceEvent]) -> Unsubscribe: ...
    @overload
    def on(self, type: str, handler: Handler[EventEnvelope]) -> Unsubscribe: ...
    def on(self, type: str, handler: Handler[Any]) -> Unsubscribe:
        """Call ``handler`` for each event of ``type``: a durable type such as
        ``task_created``; a kind (``task``, ``comment``, ``section``, ``member``,
        ``project``) for each of its types; ``*`` for every durable event; or
        ``user_connected`` / ``user_disconnected``. Handlers may be plain functions or
        coroutines; an exception in one is logged and does not stop the others. Returns
        a function that unsubscribes."""
        table: dict[str, list[Any]] = (
            self._presence if type in ("user_connected", "user_disconnected") else self._events
        )
        return _subscribe(table.setdefault(type, []), handler)

    def on_event(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        """Every durable event (the seed's ``useRealtimeUpdates``)."""
        return self.on("*", handler)

    def on_task(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        """Any change to a task: ``task_*`` (the seed's ``useTaskRealtimeUpdates``)."""
        return self.on("task", handler)

    def on_comment(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        """Any change to a comment: ``comment_*`` (``useCommentRealtimeUpdates``)."""
        return self.on("comment", handler)

    def on_task_created(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("task_created", handler)

    def on_task_updated(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("task_updated", handler)

    def on_task_status_changed(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("task_status_changed", handler)

    def on_task_deleted(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("task_deleted", handler)

    def on_comment_created(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("comment_created", handler)

    def on_comment_updated(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("comment_updated", handler)

    def on_comment_deleted(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("comment_deleted", handler)

    def on_project_updated(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("project_updated", handler)

    def on_presence(self, handler: Handler[PresenceEvent]) -> Unsubscribe:
        """``user_connected`` and ``user_disconnected``."""
        unsubscribes = [self.on("user_connected", handler), self.on("user_disconnected", handler)]

        def unsubscribe() -> None:
            for each in unsubscribes:
                each()

        return unsubscribe

    def on_status(self, handler: Handler[Status]) -> Unsubscribe:
        """Every change of the client's ``status``."""
        return _subscribe(self._statuses, handler)

    def on_resync(self, handler: Handler[ResyncRequired]) -> Unsubscribe:
        """The log could not serve a project's cursor: reload that project's state.
        Events after the resync's ``seq`` follow."""
        return _subscribe(self._resyncs, handler)

    def on_left(self, handler: Handler[Left]) -> Unsubscribe:
        """A project is no longer followed (access revoked, deleted, or refused)."""
        return _subscribe(self._lefts, handler)

    # -- running them ----------------------------------------------------------------------

    async def _notify_event(self, event: EventEnvelope) -> None:
        handlers = [
            *self._events.get(event.type, ()),
            *self._events.get(event.type.partition("_")[0], ()),
            *self._events.get("*", ()),
        ]
        for handler in handlers:
            await _call(handler, event)

    async def _notify_presence(self, event: PresenceEvent) -> None:
        for handler in list(self._presence.get(event.type, ())):
            await _call(handler, event)

    async def _notify_status(self, status: Status) -> None:
        for handler in list(self._statuses):
            await _call(handler, status)

    async def _notify_resync(self, resync: ResyncRequired) -> None:
        for handler in list(self._resyncs):
            await _call(handler, resync)

    async def _notify_left(self, left: Left) -> None:
        for handler in list(self._lefts):
            await _call(handler, left)


def _subscribe(handlers: list[Any], handler: Any) -> Unsubscribe:
    handlers.append(handler)

    def unsubscribe() -> None:
        with contextlib.suppress(ValueError):
            handlers.remove(handler)

    return unsubscribe


async def _call(handler: Handler[T], value: T) -> None:
    try:
        result = handler(value)
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("a realtime handler failed")
