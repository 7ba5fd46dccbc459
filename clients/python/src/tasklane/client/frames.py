"""What the realtime gateway sends, read into types (docs/protocol.md, "Server → client").

Durable events become the protocol's own :class:`~tasklane.protocol.events.EventEnvelope`, and
their ``data`` can be read as the event type's model with :func:`payload`. The control
frames, which the server builds without a model (``realtime/wire.py``), get small frozen
dataclasses here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from tasklane.protocol.events import (
    DURABLE_TYPES,
    PRESENCE_TYPES,
    EventData,
    EventEnvelope,
    PresenceData,
)

PresenceType = Literal["user_connected", "user_disconnected"]


@dataclass(frozen=True)
class Connected:
    """The first frame of every accepted connection."""

    connection_id: str
    user_id: str
    heartbeat_seconds: float


@dataclass(frozen=True)
class Joined:
    """A project is followed; ``seq`` is its head as delivered on this connection."""

    project_id: str
    seq: int
    present: tuple[PresenceData, ...] = ()


@dataclass(frozen=True)
class Left:
    """A project is no longer followed: ``access_revoked``, ``project_deleted``,
    ``forbidden`` (it cannot be followed: not a member, or no such project), ``not_found``
    (polling only: the project is gone or your access is), or ``left`` (you asked)."""

    project_id: str
    reason: str
    type: Literal["left"] = "left"


@dataclass(frozen=True)
class ResyncRequired:
    """The log cannot serve the cursor (``too far`` behind, ``no longer in the log``,
    ``ahead of the log``): reload the project's state; live events after ``seq`` follow."""

    project_id: str
    seq: int
    reason: str
    type: Literal["resync_required"] = "resync_required"


@dataclass(frozen=True)
class ErrorFrame:
    """A frame of ours was refused; the connection stays open."""

    code: str
    message: str
    project_id: str | None = None


@dataclass(frozen=True)
class Closing:
    """The last event of an SSE stream the server ends: the close code and its reason."""

    code: int
    reason: str


@dataclass(frozen=True)
class PresenceEvent:
    """``user_connected`` (a user's first connection joined) or ``user_disconnected``
    (their last one left). Ephemeral: no ``seq``, not in the log."""

    type: PresenceType
    data: PresenceData
    timestamp: str

    @property
    def project_id(self) -> str:
        return self.data.project_id


Control = Connected | Joined | Left | ResyncRequired | ErrorFrame | Closing
Frame = EventEnvelope | PresenceEvent | Control


def parse_frame(text: str | bytes) -> Frame | None:
    """One server frame (JSON text), or None for frames a client has no use for (``pong``,
    types this client does not know). Raises ``ValueError`` for a malformed frame."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("a frame is a JSON object")
    return read_frame(raw)


def parse_message(text: str | bytes) -> list[Frame]:
    """The frames of one WebSocket message: a frame, or (for a client that connected
    with ``?batch=1``) a JSON array of frames, in order. Raises ``ValueError`` for a
    malformed one."""
    raw = json.loads(text)
    items = raw if isinstance(raw, list) else [raw]
    frames = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("a frame is a JSON object")
        frame = read_frame(item)
        if frame is not None:
            frames.append(frame)
    return frames


def read_frame(raw: dict[str, Any]) -> Frame | None:
    kind = raw.get("type")
    try:
        if kind == "connected":
            return Connected(
                str(raw["connectionId"]), str(raw["userId"]), float(raw["heartbeatSeconds"])
            )
        if kind == "joined":
            present = tuple(
                PresenceData.model_validate({"projectId": raw["projectId"], **person})
                for person in raw.get("presence") or ()
            )
            return Joined(str(raw["projectId"]), int(raw["seq"]), present)
        if kind == "left":
            return Left(str(raw["projectId"]), str(raw["reason"]))
        if kind == "resync_required":
            return ResyncRequired(str(raw["projectId"]), int(raw["seq"]), str(raw["reason"]))
        if kind == "error":
            project_id = raw.get("projectId")
            return ErrorFrame(str(raw["code"]), str(raw.get("message", "")), project_id)
        if kind == "close":
            return Closing(int(raw["code"]), str(raw.get("reason", "")))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed {kind} frame: {exc!r}") from exc
    if kind in PRESENCE_TYPES:
        data = PresenceData.model_validate(raw["data"])
        return PresenceEvent(kind, data, str(raw["timestamp"]))
    if kind in DURABLE_TYPES or "seq" in raw:  # a durable event, of a type known or not
        return EventEnvelope.model_validate(raw)
    return None


def payload(event: EventEnvelope) -> EventData:
    """The event's ``data`` as its type's model (``TaskStatusChanged``, ``CommentCreated``
    …, from ``tasklane.protocol.events``), e.g. ``payload(event).task.name``. Raises ``KeyError``
    for a type this version does not know."""
    return DURABLE_TYPES[event.type].model_validate(event.data)
