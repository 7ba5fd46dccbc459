"""The one error shape of every HTTP answer, on both ports:
``{"error": {"code": "...", "message": "...", "details": ...}}``.

``ErrorEnvelope`` is that shape as a model: the server builds every error body with it
(``tasklane.edge.errors``), the OpenAPI schema describes every error response with it,
and the SDK reads errors with it, so none of them can drift apart."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
