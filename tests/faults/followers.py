"""Realtime clients for fault runs, many at a time."""

from __future__ import annotations

import asyncio
import json
import random

import websockets


class StormClient:
    """Follows one project; when the connection ends it waits as the server said (the
    drain's ``retryAfterMs``), or a jittered moment when nothing answers, and resumes
    from the last ``seq`` it has."""

    def __init__(self, gateway: str, token: str, project_id: str, after: int) -> None:
        self.gateway, self.token, self.project_id = gateway, token, project_id
        self.last_seq = after
        self.seqs: list[int] = []
        self.reconnects = 0
        self.joins = 0  # ``joined`` frames: one per connection that got that far
        self.joined = asyncio.Event()
        self.grew = asyncio.Event()
        self.jitter = random.Random()

    async def run(self) -> None:
        while True:
            wait = self.jitter.uniform(0.2, 1.0)
            try:
                async with websockets.connect(
                    f"{self.gateway}/ws",
                    additional_headers={"Authorization": f"Bearer {self.token}"},
                    open_timeout=20,
                ) as ws:
                    await ws.send(
                        json.dumps(
                            {"type": "join", "projectId": self.project_id, "lastSeq": self.last_seq}
                        )
                    )
                    async for message in ws:
                        self.take(json.loads(message))
            except websockets.ConnectionClosed as closed:
                reason = closed.rcvd.reason if closed.rcvd else ""
                if reason.startswith("{"):
                    wait = json.loads(reason).get("retryAfterMs", 0) / 1000
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                pass
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                # Cancelled mid-close, the connection may end with one of the errors
                # above instead: stop rather than come back.
                raise asyncio.CancelledError
            self.reconnects += 1
            await asyncio.sleep(wait)  # the wait the server asked for: what is tested

    def take(self, frame: dict[str, object]) -> None:
        if frame["type"] == "joined":
            self.joins += 1
            self.joined.set()
        elif "seq" in frame and "data" in frame:
            seq = int(frame["seq"])  # type: ignore[call-overload]
            self.seqs.append(seq)
            self.last_seq = max(self.last_seq, seq)
            self.grew.set()

    async def reach(self, seq: int) -> None:
        while self.last_seq < seq:
            self.grew.clear()
            await self.grew.wait()
