"""What the SDK raises: one exception class per kind of answer, each carrying the API's
machine-readable ``code`` (docs/protocol.md, "Errors").

Catch :class:`TasklaneError` for all of them, or a subclass for one kind. The class says
what happened in general (``NotFoundError``); ``code`` says exactly what (``not_found``,
``email_taken``, ``section_not_empty`` …).
"""

from __future__ import annotations

import json
from typing import Any

import httpx


class TasklaneError(Exception):
    """An error answer of the Tasklane API (or the server could not be reached)."""

    def __init__(
        self, message: str, *, code: str, status: int | None = None, details: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details

    def __str__(self) -> str:
        where = f"{self.status} " if self.status is not None else ""
        return f"{where}{self.code}: {self.message}"


class BadRequestError(TasklaneError):
    """400: ``bad_request``, ``invalid_json``."""


class UnauthorizedError(TasklaneError):
    """401: ``unauthorized`` (no or a bad token), ``invalid_credentials``."""


class ForbiddenError(TasklaneError):
    """403: ``forbidden`` (your role does not allow it), ``not_author``, ``origin_refused``."""


class NotFoundError(TasklaneError):
    """404: ``not_found``; also what a project you are not a member of answers."""


class ConflictError(TasklaneError):
    """409: ``conflict``, ``email_taken``, ``already_member``, ``last_owner``,
    ``section_not_empty``."""


class TooLargeError(TasklaneError):
    """413: ``too_large``."""


class UnprocessableError(TasklaneError):
    """422: ``validation_error`` (``details`` lists the problems), ``invalid``,
    ``invalid_cursor``, ``assignee_not_member``, ``unknown_section``, ``subtask_section``,
    ``subtask_project``."""


class RateLimitedError(TasklaneError):
    """429: ``rate_limited``; ``retry_after`` is the server's ``Retry-After`` in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class UnavailableError(TasklaneError):
    """503: ``unavailable`` (the database could not be reached; nothing was changed)."""


class ServerError(TasklaneError):
    """Any other 5xx answer."""


class TasklaneConnectionError(TasklaneError):
    """The server could not be reached, or the connection broke before an answer. The
    code is ``unreachable``; the httpx error is the ``__cause__``."""


BY_STATUS: dict[int, type[TasklaneError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: TooLargeError,
    422: UnprocessableError,
    429: RateLimitedError,
    503: UnavailableError,
}


def error_from(response: httpx.Response) -> TasklaneError:
    """The exception for an error answer in the API's one shape
    ``{"error": {"code", "message", "details"?}}``; an answer in any other shape (a
    proxy's page, say) still becomes the exception of its status."""
    status = response.status_code
    code, message, details = f"http_{status}", response.reason_phrase or "error", None
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        code = error["code"]
        message = str(error.get("message") or message)
        details = error.get("details")
    kind = BY_STATUS.get(status, ServerError if status >= 500 else TasklaneError)
    if kind is RateLimitedError:
        return RateLimitedError(
            message,
            retry_after=_seconds(response.headers.get("retry-after")),
            code=code,
            status=status,
            details=details,
        )
    return kind(message, code=code, status=status, details=details)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class RealtimeRefused(Exception):
    """The server said "do not reconnect" (close codes 4400-4499, or 401 on SSE or
    polling): bad or expired credentials, a refused origin, or abuse. The realtime client
    goes ``offline`` and stays there; fix the cause and start a new client."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"{code}: {reason}" if code is not None else reason)
        self.code = code
        self.reason = reason
