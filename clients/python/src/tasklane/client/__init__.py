"""Tasklane's Python SDK (docs/sdk.md).

* :class:`TasklaneClient` and :class:`AsyncTasklaneClient`: the JSON API, typed with the
  API's own models, raising :class:`TasklaneError` subclasses that carry its ``code``.
* :class:`RealtimeClient`: follow projects live over WebSocket, Server-Sent Events or
  long polling, every event once and in order, resuming from ``seq`` across
  reconnections and fallbacks.
"""

from tasklane.client.calls import UNSET
from tasklane.client.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    RealtimeRefused,
    ServerError,
    TasklaneConnectionError,
    TasklaneError,
    TooLargeError,
    UnauthorizedError,
    UnavailableError,
    UnprocessableError,
)
from tasklane.client.frames import Left, PresenceEvent, ResyncRequired, payload
from tasklane.client.realtime import RealtimeClient, Status, Update, Updates
from tasklane.client.rest import AsyncTasklaneClient, TasklaneClient
from tasklane.client.urls import gateway_for
from tasklane.protocol.events import EventEnvelope

__all__ = [
    "UNSET",
    "AsyncTasklaneClient",
    "BadRequestError",
    "ConflictError",
    "EventEnvelope",
    "ForbiddenError",
    "Left",
    "NotFoundError",
    "PresenceEvent",
    "RateLimitedError",
    "RealtimeClient",
    "RealtimeRefused",
    "ResyncRequired",
    "ServerError",
    "Status",
    "TasklaneClient",
    "TasklaneConnectionError",
    "TasklaneError",
    "TooLargeError",
    "UnauthorizedError",
    "UnavailableError",
    "UnprocessableError",
    "Update",
    "Updates",
    "gateway_for",
    "payload",
]
