"""The realtime wire format, sans I/O: parse what clients send, build what the server
sends. Pure functions over plain data; the WebSocket and SSE handlers only move bytes.

Every frame is a JSON object with a ``type``. Durable and presence events use the
envelope of ``tasklane.events``; the control frames are defined here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from tasklane.events import encode
from tasklane.schemas.base import MAX_SEQ, contains_nul

ProjectId = Annotated[str, Field(min_length=1, max_length=40)]


class ClientFrame(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Join(ClientFrame):
    """Subscribe to a project; with ``lastSeq``, first receive every event after it."""

    type: Literal["join"]
    project_id: ProjectId
    last_seq: Annotated[int, Field(ge=0, le=MAX_SEQ)] | None = None


class Leave(ClientFrame):
    type: Literal["leave"]
    project_id: ProjectId


class Ping(ClientFrame):
    type: Literal["ping"]
    id: Annotated[str, Field(max_length=64)] | int | None = None


Inbound = Annotated[Join | Leave | Ping, Field(discriminator="type")]
_inbound: TypeAdapter[Join | Leave | Ping] = TypeAdapter(Inbound)
KNOWN_TYPES = ("join", "leave", "ping")


@dataclass(frozen=True)
class FrameError:
    """Why a client frame was refused: becomes an ``error`` frame; the connection lives."""

    code: str
    message: str


def parse(raw: str | bytes, *, max_bytes: int) -> Join | Leave | Ping | FrameError:
    """One client frame, or the reason it cannot be accepted."""
    if isinstance(raw, bytes):
        return FrameError("bad_request", "binary frames are not accepted; send JSON text")
    if len(raw) > max_bytes or len(raw.encode()) > max_bytes:
        return FrameError("too_large", f"frames are limited to {max_bytes} bytes")
    try:
        value = json.loads(raw)
    except ValueError:
        return FrameError("bad_request", "the frame is not valid JSON")
    except RecursionError:
        # A few thousand "[" fit well inside the size limit and exhaust the decoder's
        # stack: a bad frame like any other, not the end of the connection.
        return FrameError("bad_request", "the frame is nested too deeply")
    if not isinstance(value, dict):
        return FrameError("bad_request", "a frame is a JSON object with a type")
    if contains_nul(value):
        return FrameError("bad_request", "text may not contain NUL characters")
    kind = value.get("type")
    if kind not in KNOWN_TYPES:
        return FrameError(
            "bad_request", f"unknown frame type {kind!r}; expected one of {', '.join(KNOWN_TYPES)}"
        )
    try:
        return _inbound.validate_python(value)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"][1:]) or kind
        return FrameError("bad_request", f"{kind}: {where}: {problem['msg']}")


# -- server → client ---------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Outgoing:
    """One frame on its way to clients, encoded once and shared by every subscriber:
    ``text`` for WebSocket, ``sse()`` for Server-Sent Events (built on first use)."""

    type: str
    text: str
    project_id: str | None = None
    seq: int | None = None
    _sse: bytes | None = None
    _data: bytes | None = None

    @property
    def data(self) -> bytes:
        """The text as UTF-8, encoded once for every connection it goes to."""
        if self._data is None:
            self._data = self.text.encode()
        return self._data

    def sse(self) -> bytes:
        """The ``event:`` and ``data:`` lines; the stream adds its own ``id:`` line."""
        if self._sse is None:
            self._sse = f"event: {self.type}\ndata: {self.text}\n\n".encode()
        return self._sse


def event(kind: str, project_id: str, seq: int | None, frame: bytes) -> Outgoing:
    """A durable (with ``seq``) or presence (without) event, as serialised at publish."""
    return Outgoing(kind, frame.decode(), project_id, seq)


BATCH = "batch"


BATCH_FRAMES = 100  # most frames in one batched message
BATCH_BYTES = 256 * 1024  # most bytes of frames in one batched message


def batch(frames: list[Outgoing]) -> Outgoing:
    """Several frames as one message, a JSON array of their texts, for a client that
    connected with ``?batch=1``."""
    return Outgoing(BATCH, "[" + ",".join(inner(f) for f in frames) + "]", None, frames[-1].seq)


def groups(frames: list[Outgoing]) -> list[list[Outgoing]]:
    """Frames in a row, cut into the fewest runs that each fit in one batched message
    (at most ``BATCH_FRAMES`` frames and ``BATCH_BYTES`` of text, or one frame)."""
    runs: list[list[Outgoing]] = []
    run: list[Outgoing] = []
    size = 0
    for frame in frames:
        length = len(frame.text)
        if run and (len(run) == BATCH_FRAMES or size + length > BATCH_BYTES):
            runs.append(run)
            run, size = [], 0
        run.append(frame)
        size += length
    if run:
        runs.append(run)
    return runs


def inner(frame: Outgoing) -> str:
    """A frame's text as an element of a batch (a batch's own elements, unwrapped)."""
    return frame.text[1:-1] if frame.type == BATCH else frame.text


def control(type: str, **fields: Any) -> Outgoing:
    """A control frame, fields in camelCase, via the single serialiser."""
    text = encode({"type": type, **{to_camel(k): v for k, v in fields.items()}}).decode()
    return Outgoing(type, text, fields.get("project_id"))


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


# -- Server-Sent Events ----------------------------------------------------------------

MAX_STREAM_PROJECTS = 20


def parse_cursor(value: str | None, project_ids: list[str]) -> dict[str, int] | FrameError:
    """The ``Last-Event-ID`` of an SSE stream: ``12`` for a one-project stream, or
    ``proj_a:12,proj_b:7`` for several. Projects it does not name start live."""
    if not value:
        return {}
    if _digits(value):
        if len(project_ids) != 1:
            return FrameError("bad_request", "a plain Last-Event-ID needs exactly one projectId")
        return {project_ids[0]: _seq(value)}
    cursors: dict[str, int] = {}
    for part in value.split(","):
        project_id, _, seq = part.partition(":")
        if not _digits(seq) or project_id not in project_ids:
            return FrameError("bad_request", f"Last-Event-ID part {part[:60]!r} is not project:seq")
        cursors[project_id] = _seq(seq)
    return cursors


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts "²" and other digits int() refuses."""
    return text.isascii() and text.isdigit()


def _seq(digits: str) -> int:
    return min(int(digits[:12]), MAX_SEQ)


def format_cursor(cursors: dict[str, int], project_ids: list[str]) -> str:
    """The ``id:`` of the next SSE event: what ``parse_cursor`` reads back."""
    if len(project_ids) == 1:
        return str(cursors[project_ids[0]])
    return ",".join(f"{project_id}:{seq}" for project_id, seq in cursors.items())
