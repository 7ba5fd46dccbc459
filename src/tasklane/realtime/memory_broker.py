"""The in-process broker: publish calls every subscriber directly."""

from __future__ import annotations

import logging
from collections.abc import Callable

from tasklane.realtime.broker import Listener, Message, Resumed

log = logging.getLogger(__name__)


class MemoryBroker:
    """A real broker for one process: no network, no loss short of a crash. Every
    listener hears every project, so ``follow`` has nothing to do, and a subscription
    that cannot be interrupted never resumes."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    async def publish(self, message: Message) -> None:
        for listener in list(self._listeners):
            try:
                await listener(message)
            except Exception:  # one failing subscriber must not starve the others
                log.exception("a broker listener failed")

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    async def follow(self, project_id: str) -> None:
        return None

    def unfollow(self, project_id: str) -> None:
        return None

    @property
    def alive(self) -> bool:
        return True

    def on_resume(self, callback: Resumed) -> Callable[[], None]:
        return lambda: None

    async def close(self) -> None:
        self._listeners.clear()
