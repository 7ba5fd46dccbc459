"""Errors that services raise; the API turns each into one JSON error shape."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Invalid(ServiceError):
    """Well-formed input that breaks a rule (an assignee who is not a member, …)."""

    status = 422
    code = "invalid"


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"

    def __init__(
        self, message: str, *, retry_after: float, code: str | None = None, **details: Any
    ) -> None:
        super().__init__(message, code=code, retryAfter=round(retry_after, 3), **details)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    status = 503
    code = "unavailable"
