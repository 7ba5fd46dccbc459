"""How an API-only process (``tasklane serve --role api``) reaches a gateway in another
process when there is no shared broker: it tells the gateway's ``/notify`` which
``seq`` it committed, and the gateway delivers from the event log; announcements go to
its ``/control``. Presence is asked of the gateway the same way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import httpx

from tasklane.realtime.broker import Announcement, Listener, Message, Resumed
from tasklane.realtime.control import encode_notice
from tasklane.realtime.log import Committed

log = logging.getLogger(__name__)


class GatewayNotifier:
    """A broker for an API-only process: listeners in this process hear every publish at
    once (they wake long polls); the gateway hears of it over HTTP. Publishing never
    waits on the network: notices are queued
    and sent by a background task, the newest ``seq`` per project only (the gateway reads
    everything up to it from the log). A notice that cannot be sent is not lost work:
    the gateway compares its rooms with the log's head every few seconds."""

    def __init__(self, gateway_url: str, secret: str, client: httpx.AsyncClient | None = None):
        self._client = client or httpx.AsyncClient(base_url=gateway_url, timeout=5)
        self._headers = {"Authorization": f"Bearer {secret}"}
        self._latest: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[Listener] = []

    async def publish(self, message: Message) -> None:
        if isinstance(message, Announcement):
            await self._announce(message)
            return
        if not isinstance(message, Committed):
            return  # presence: an API-only process keeps none
        for listener in list(self._listeners):
            await listener(message)
        self._latest[message.project_id] = max(message.seq, self._latest.get(message.project_id, 0))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._send_forever())

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # Listeners here hear this process's own publishes, of every project, and nothing
    # else: there is no subscription to follow, lose or resume.
    async def follow(self, project_id: str) -> None:
        return None

    def unfollow(self, project_id: str) -> None:
        return None

    @property
    def alive(self) -> bool:
        return True

    def on_resume(self, callback: Resumed) -> Callable[[], None]:
        return lambda: None

    async def _announce(self, message: Announcement) -> None:
        """An announcement for every process (a gym reset or clock, revoked tokens):
        heard here, and passed to the gateway before returning, so its clients have been
        told by the time the request that made it answers."""
        for listener in list(self._listeners):
            await listener(message)
        headers = {**self._headers, "Content-Type": "application/json"}
        body = encode_notice(message.notice)
        try:
            response = await self._client.post("/control", content=body, headers=headers)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("could not pass %s to the gateway: %s", message.notice.type, exc)

    async def _send_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._latest = self._latest, {}
            for project_id, seq in batch.items():
                try:
                    response = await self._client.post(
                        "/notify",
                        json={"projectId": project_id, "seq": seq},
                        headers=self._headers,
                    )
                    response.raise_for_status()
                except httpx.HTTPError as exc:
                    log.warning(
                        "could not notify the gateway of %s seq %s: %s", project_id, seq, exc
                    )

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()


class GatewayPresence:
    """Presence as the gateway sees it, for an API-only process."""

    def __init__(self, gateway_url: str, secret: str) -> None:
        self._url = gateway_url
        self._headers = {"Authorization": f"Bearer {secret}"}

    async def list(self, project_id: str) -> list[dict[str, str]]:
        async with httpx.AsyncClient(base_url=self._url, timeout=5) as client:
            response = await client.get(f"/presence/{project_id}", headers=self._headers)
            response.raise_for_status()
            people: list[dict[str, str]] = response.json()
            return people
