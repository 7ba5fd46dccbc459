"""What the gateway sends: frames encoded once and shared by every connection they go
to, batches of them for clients that take several at once, and the control frames
(docs/protocol.md, "Server → client")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic.alias_generators import to_camel

from tasklane.protocol.events import encode
from tasklane.realtime.broker import Presence
from tasklane.realtime.log import Committed


@dataclass(slots=True, eq=False)
class Outgoing:
    """One frame on its way to clients, shared by every subscriber: ``data`` is its JSON
    as UTF-8 (a durable event's are the bytes its transaction encoded), ``text`` the same
    as a string for a transport that wants one, ``sse()`` its Server-Sent Events lines.
    The last two are made the first time a transport asks, then shared."""

    type: str
    data: bytes
    project_id: str | None = None
    seq: int | None = None
    parts: list[Outgoing] | None = None  # a run: frames that go out one after another
    _text: str | None = None
    _sse: bytes | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.data.decode()
        return self._text

    def sse(self) -> bytes:
        """The ``event:`` and ``data:`` lines; the stream adds its own ``id:`` line. (The
        JSON holds no raw line break: it is one ``data:`` line.)"""
        if self._sse is None:
            self._sse = b"event: " + self.type.encode() + b"\ndata: " + self.data + b"\n\n"
        return self._sse


def event(committed: Committed) -> Outgoing:
    """A durable event, as its transaction encoded it."""
    return Outgoing(committed.type, committed.frame, committed.project_id, committed.seq)


def presence(message: Presence) -> Outgoing:
    """``user_connected`` or ``user_disconnected``: no ``seq``."""
    return Outgoing(message.type, message.frame, message.project_id)


RUN = "run"


def run(frames: list[Outgoing]) -> Outgoing:
    """Frames in a row for a client that takes one frame per message: still one message
    each, but written to a socket together where it can be (``Connection.send_run``)."""
    return Outgoing(RUN, b"", frames[-1].project_id, frames[-1].seq, frames)


BATCH = "batch"
BATCH_FRAMES = 100  # most frames in one batched message
BATCH_BYTES = 256 * 1024  # most bytes of frames in one batched message


def batch(frames: list[Outgoing]) -> Outgoing:
    """Several frames as one message, a JSON array of their texts, for a client that
    connected with ``?batch=1``."""
    return Outgoing(BATCH, b"[" + b",".join(inner(f) for f in frames) + b"]", None, frames[-1].seq)


def groups(frames: list[Outgoing]) -> list[list[Outgoing]]:
    """Frames in a row, cut into the fewest runs that each fit in one batched message
    (at most ``BATCH_FRAMES`` frames and ``BATCH_BYTES`` of JSON, or one frame)."""
    runs: list[list[Outgoing]] = []
    run: list[Outgoing] = []
    size = 0
    for frame in frames:
        length = len(frame.data)
        if run and (len(run) == BATCH_FRAMES or size + length > BATCH_BYTES):
            runs.append(run)
            run, size = [], 0
        run.append(frame)
        size += length
    if run:
        runs.append(run)
    return runs


def inner(frame: Outgoing) -> bytes:
    """A frame's JSON as an element of a batch (a batch's own elements, unwrapped)."""
    return frame.data[1:-1] if frame.type == BATCH else frame.data


def control(type: str, **fields: Any) -> Outgoing:
    """A control frame, fields in camelCase, via the single serialiser."""
    data = encode({"type": type, **{to_camel(k): v for k, v in fields.items()}})
    return Outgoing(type, data, fields.get("project_id"))


def connected(connection_id: str, user_id: str, heartbeat_seconds: float) -> Outgoing:
    return control(
        "connected",
        connection_id=connection_id,
        user_id=user_id,
        heartbeat_seconds=heartbeat_seconds,
    )


def joined(project_id: str, seq: int, presence: list[dict[str, str]]) -> Outgoing:
    frame = control("joined", project_id=project_id, seq=seq, presence=presence)
    frame.seq = seq
    return frame


def left(project_id: str, reason: str) -> Outgoing:
    return control("left", project_id=project_id, reason=reason)


def pong(ping_id: str | int | None) -> Outgoing:
    return control("pong", id=ping_id)


def error(code: str, message: str, project_id: str | None = None) -> Outgoing:
    if project_id is None:
        return control("error", code=code, message=message)
    return control("error", code=code, message=message, project_id=project_id)


def resync_required(project_id: str, seq: int, reason: str) -> Outgoing:
    frame = control("resync_required", project_id=project_id, seq=seq, reason=reason)
    frame.seq = seq
    return frame
