"""The seam between the runner and a realtime client: what a driver does for the
client-side steps, and what it reports, in one shape for every client."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

from tasklane.client.backoff import TransportName
from tests.scenarios.description import State


@dataclass(frozen=True)
class Received:
    """One thing a client handed to its application, in the order it did: a durable
    event, a resync (``reason`` and the head ``seq``) or a project it no longer follows
    (``reason``)."""

    kind: Literal["event", "resync", "left"]
    project_id: str
    type: str | None = None
    seq: int | None = None
    user_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Standing:
    """Where a client stands, in words both clients share: ``live`` is the Python
    client's ``connected``, ``sse`` and ``polling``."""

    state: State
    transport: TransportName | None
    code: int | None
    reason: str | None


class Clients(Protocol):
    """The clients of one scenario run, each known by the name the description gives it.
    Waits return whether the condition came true within ``within`` seconds."""

    def open(self, client: str, *, api_url: str, token: str, transport: TransportName) -> None:
        """Start a client on a one-rung ladder, ``transport``; it finds the gateway
        through the API (``GET /api/realtime``)."""

    def join(self, client: str, project_id: str, after: int | None) -> None: ...

    def cursor(self, client: str, project_id: str) -> int | None: ...

    def received(self, client: str) -> list[Received]: ...

    def standing(self, client: str) -> Standing: ...

    def wait_received(self, client: str, project_id: str, count: int, within: float) -> bool:
        """Until the client has handed over at least ``count`` things of the project."""

    def wait_state(self, client: str, state: State, within: float) -> bool: ...

    def close(self, client: str) -> None: ...


class Driver(Protocol):
    """A realtime client implementation the scenarios run against."""

    name: str

    def session(self) -> AbstractContextManager[Clients]:
        """The clients of one run; every client still open is closed on the way out."""
