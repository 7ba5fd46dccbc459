"""The one error body (``tasklane.protocol.errors``) as an HTTP answer, for every app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from tasklane.protocol.errors import ErrorEnvelope, ErrorInfo


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorEnvelope(error=ErrorInfo(code=code, message=message, details=details or None))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def retry_after_seconds(wait: float) -> int:
    """A limiter's wait as a ``Retry-After`` value: whole seconds, at least 1."""
    return max(1, round(wait + 0.5))
