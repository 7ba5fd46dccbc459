"""The Python SDK's ``RealtimeClient`` as a scenario driver. The clients run on one event
loop in a thread of their own, so the runner (and Playwright, in the same test module)
stays synchronous; every call into that loop is bounded."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from tasklane.client import (
    EventEnvelope,
    Left,
    RealtimeClient,
    RealtimeRefused,
    ResyncRequired,
    Status,
    Update,
)
from tasklane.client.backoff import TransportName
from tests.scenarios.description import State
from tests.scenarios.driver import Received, Standing

T = TypeVar("T")
CALL_WITHIN = 15.0  # seconds any one call into the clients' loop may take, waits aside
STATES: dict[str, State] = {
    "connecting": "connecting",
    "connected": "live",
    "sse": "live",
    "polling": "live",
    "reconnecting": "reconnecting",
    "offline": "offline",
}


def received(update: Update) -> Received:
    if isinstance(update, EventEnvelope):
        return Received("event", update.project_id, update.type, update.seq, update.user_id)
    if isinstance(update, ResyncRequired):
        return Received("resync", update.project_id, seq=update.seq, reason=update.reason)
    assert isinstance(update, Left), update
    return Received("left", update.project_id, reason=update.reason)


class Follower:
    """One ``RealtimeClient`` and what it handed over: its ``updates()`` iterator read to
    the end, and its status. Lives on the loop's thread only."""

    def __init__(self, client: RealtimeClient) -> None:
        self.client = client
        self.received: list[Received] = []
        self.status = client.status
        self.refusal: RealtimeRefused | None = None
        self.ended = False  # the iterator ended: closed, or refused
        self.changed = asyncio.Event()
        client.on_status(self._on_status)
        self._updates = client.updates()  # before any join: nothing is missed
        self.reader = asyncio.create_task(self._read(), name="scenario-updates")

    def _on_status(self, status: Status) -> None:
        self.status = status
        self.changed.set()

    async def _read(self) -> None:
        try:
            async for update in self._updates:
                self.received.append(received(update))
                self.changed.set()
        except RealtimeRefused as refusal:
            self.refusal = refusal
        finally:
            self.ended = True
            self.changed.set()

    def standing(self) -> Standing:
        """The status, ``offline`` only once ``updates()`` has ended too; a refusal
        must say the same code there as in the status."""
        state = STATES[self.status.state]
        if state == "offline" and not self.ended:
            state = "connecting"  # the iterator has not said so yet
        if self.refusal is not None:
            assert self.refusal.code == self.status.code, (
                f"updates() was refused with {self.refusal.code} but the status says "
                f"{self.status.code}"
            )
        return Standing(state, self.status.transport, self.status.code, self.status.reason)

    async def until(self, check: Callable[[], bool], within: float) -> bool:
        try:
            async with asyncio.timeout(within):
                while True:
                    self.changed.clear()
                    if check():
                        return True
                    await self.changed.wait()
        except TimeoutError:
            return False


class SdkClients:
    """The :class:`~tests.scenarios.driver.Clients` of one run, on the driver's loop."""

    def __init__(self, call: Callable[[Coroutine[Any, Any, Any], float], Any]) -> None:
        self._call = call
        self._followers: dict[str, Follower] = {}

    def _run(self, coroutine: Coroutine[Any, Any, T], within: float = CALL_WITHIN) -> T:
        result: T = self._call(coroutine, within)
        return result

    def _follower(self, client: str) -> Follower:
        assert client in self._followers, f"no open client named {client!r}"
        return self._followers[client]

    def open(self, client: str, *, api_url: str, token: str, transport: TransportName) -> None:
        assert client not in self._followers, f"a client named {client!r} is already open"

        async def start() -> Follower:
            follower = Follower(RealtimeClient(api_url, token, transports=(transport,)))
            await follower.client.start()
            return follower

        self._followers[client] = self._run(start())

    def join(self, client: str, project_id: str, after: int | None) -> None:
        self._run(self._follower(client).client.join(project_id, after=after))

    # Read on the loop's thread, where the clients write.

    def cursor(self, client: str, project_id: str) -> int | None:
        follower = self._follower(client)

        async def cursor() -> int | None:
            return follower.client.cursor(project_id)

        return self._run(cursor())

    def received(self, client: str) -> list[Received]:
        follower = self._follower(client)

        async def received() -> list[Received]:
            return list(follower.received)

        return self._run(received())

    def standing(self, client: str) -> Standing:
        follower = self._follower(client)

        async def standing() -> Standing:
            return follower.standing()

        return self._run(standing())

    def wait_received(self, client: str, project_id: str, count: int, within: float) -> bool:
        follower = self._follower(client)

        def enough() -> bool:
            return sum(r.project_id == project_id for r in follower.received) >= count

        return self._run(follower.until(enough, within), within + CALL_WITHIN)

    def wait_state(self, client: str, state: State, within: float) -> bool:
        follower = self._follower(client)
        return self._run(
            follower.until(lambda: follower.standing().state == state, within),
            within + CALL_WITHIN,
        )

    def close(self, client: str) -> None:
        follower = self._followers.pop(client)

        async def close() -> None:
            await follower.client.close()
            await follower.reader

        self._run(close())

    def close_all(self) -> None:
        for client in list(self._followers):
            self.close(client)


class SdkDriver:
    """``RealtimeClient`` from the Python SDK. Use as a context manager: it owns the
    event loop thread its clients run on."""

    name = "python-sdk"

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="scenario-sdk-loop", daemon=True
        )

    def __enter__(self) -> SdkDriver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        async def finish() -> None:
            await self._loop.shutdown_asyncgens()
            await self._loop.shutdown_default_executor()

        self._call(finish(), CALL_WITHIN)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CALL_WITHIN)
        assert not self._thread.is_alive(), "the SDK clients' event loop did not stop"
        self._loop.close()

    def _call(self, coroutine: Coroutine[Any, Any, T], within: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout=within)
        except TimeoutError:
            future.cancel()
            raise AssertionError(f"the SDK did not answer within {within} s") from None

    @contextmanager
    def session(self) -> Iterator[SdkClients]:
        clients = SdkClients(self._call)
        try:
            yield clients
        finally:
            clients.close_all()
