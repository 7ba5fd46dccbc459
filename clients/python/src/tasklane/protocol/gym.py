"""What the gym API says about its episodes: each one an isolated, seeded, resettable
workspace of its own, reached under its base URL (``/e/<id>/``) on both ports."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, JsonValue

from tasklane.protocol.base import MAX_SEQ, InputModel, PublicModel, Timestamp
from tasklane.protocol.realtime import GatewayAddress

Preset = Literal["small", "medium", "large"]


class EpisodeIn(InputModel):
    """``POST /api/gym/episodes``: a new episode of ``seed`` and ``preset``."""

    seed: int = Field(0, ge=0, le=MAX_SEQ, description="The same seed gives the same state.")
    preset: Preset = "small"
    now: AwareDatetime | None = Field(
        None, description="Where the clock starts; default the seeded workspace's own moment."
    )
    frozen: bool = Field(True, description="Keep the clock still until told to move.")


class EpisodeUrls(PublicModel):
    """Where an episode is. ``base`` is what a client is given, as it would be given a
    server's address: the pages, ``/api/…`` and the SDK all go from it. ``app`` is its
    home page, ``api`` its JSON API and ``gateway`` its realtime gateway."""

    base: str
    app: str
    api: str
    gateway: GatewayAddress


class EpisodeInfo(PublicModel):
    id: str
    seed: int
    preset: str
    created_at: Timestamp
    idle_seconds: float = Field(description="Since the last request or connection ended.")
    connections: int = Field(description="Open WebSocket and SSE connections.")
    urls: EpisodeUrls


class EpisodeCreated(EpisodeInfo):
    prepared: bool = Field(description="Whether the template of seed and preset was made now.")
    millis: float = Field(description="How long the creation took on the server.")


class AnswerIn(InputModel):
    """``POST /api/answer``: how the agent ended. ``done``, with an ``answer`` when the
    task asks a question (a number, a string, a list…); ``infeasible`` when what was
    asked cannot be done (``answer`` may say why)."""

    status: Literal["done", "infeasible"]
    answer: JsonValue = None


class AnswerOut(PublicModel):
    status: Literal["done", "infeasible"]
    answer: JsonValue = None
    by: str = Field(description="Who answered (a user id).")
    at: str = Field(description="When, on the app's clock.")
