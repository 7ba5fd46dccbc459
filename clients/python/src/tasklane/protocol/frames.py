"""What a client sends the realtime gateway: ``join``, ``leave`` and ``ping``, and the
one parser that reads them (pure: the transports only move bytes).

Every frame is a JSON object with a ``type`` (docs/protocol.md, "Client → server").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from tasklane.protocol.base import MAX_SEQ, contains_nul

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
