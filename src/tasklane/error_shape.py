"""The one error shape of every HTTP answer, on both ports:
``{"error": {"code": "...", "message": "...", "details": ...}}``.

``ErrorEnvelope`` is that shape as a model: ``error_response`` builds every error body
with it, and the OpenAPI schema describes every error response with it, so the two
cannot drift apart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse


class ErrorInfo(BaseModel):
    """What went wrong: `code` for programs, `message` for people."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        description="Machine-readable and stable, e.g. `not_found`, `validation_error`, "
        "`rate_limited`; branch on this, not on the message."
    )
    message: str = Field(description="What went wrong, as a sentence for people.")
    details: Any = Field(
        None,
        description="Only when there is more to say: for `validation_error` and "
        "`invalid_json` a list of problems (`location`, `message`, `type`); otherwise "
        "an object of particulars, e.g. `retryAfter` (seconds) for `rate_limited`.",
    )


class ErrorEnvelope(BaseModel):
    """The body of every error answer."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorInfo


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorEnvelope(error=ErrorInfo(code=code, message=message, details=details or None))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)
