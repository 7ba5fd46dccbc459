"""What a :class:`~tasklane.client.realtime.RealtimeClient` hands over to iterators:
:class:`Updates`, each fed by the client's :class:`Outbox`."""

from __future__ import annotations

import asyncio

from tasklane.client.errors import RealtimeRefused
from tasklane.client.frames import Left, ResyncRequired
from tasklane.protocol.events import EventEnvelope

Update = EventEnvelope | ResyncRequired | Left


class Outbox:
    """The client's side of its iterators: every update handed over goes to each
    :class:`Updates` open at that moment; once ended (closed, or refused with
    ``refusal``), every iterator ends, those made later too."""

    def __init__(self) -> None:
        self.ended = False
        self.refusal: RealtimeRefused | None = None
        self._queues: set[asyncio.Queue[Update | None]] = set()

    def open(self, queue: asyncio.Queue[Update | None]) -> None:
        self._queues.add(queue)
        if self.ended:
            queue.put_nowait(None)

    def discard(self, queue: asyncio.Queue[Update | None]) -> None:
        self._queues.discard(queue)

    def hand_over(self, update: Update) -> None:
        for queue in list(self._queues):
            queue.put_nowait(update)

    def end(self) -> None:
        self.ended = True
        for queue in list(self._queues):
            queue.put_nowait(None)


class Updates:
    """An async iterator of what the client hands over, from the moment it was made:
    durable events, ``ResyncRequired`` and ``Left``. It ends when the client closes, and
    raises :class:`RealtimeRefused` if the server refused it."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._queue: asyncio.Queue[Update | None] = asyncio.Queue()
        outbox.open(self._queue)

    def __aiter__(self) -> Updates:
        return self

    async def __anext__(self) -> Update:
        item = await self._queue.get()
        if item is None:
            self.close()
            self._queue.put_nowait(None)  # stays ended
            if self._outbox.refusal is not None:
                raise self._outbox.refusal
            raise StopAsyncIteration
        return item

    def close(self) -> None:
        """Stop receiving (an iterator that is no longer read should be closed)."""
        self._outbox.discard(self._queue)
