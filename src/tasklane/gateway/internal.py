"""The gateway's server-to-server endpoints, all behind ``BROADCAST_SECRET``:

* ``POST /broadcast``: another server-side program appends an event to a project's log
  (validated like any event), and it is delivered;
* ``POST /notify``: an API-only process says it committed up to a ``seq``; the gateway
  delivers the log up to there;
* ``POST /control``: an API-only process without a shared broker passes on an
  announcement (``realtime.control``) as if it had come through one;
* ``GET /presence/{project}``: who is here, for API processes that keep no presence.
"""

from __future__ import annotations

import hmac
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tasklane.edge.errors import error_response
from tasklane.gateway.gateway import Gateway
from tasklane.protocol.base import MAX_SEQ
from tasklane.realtime.broker import Announcement
from tasklane.realtime.control import GYM_NOTICES, notices
from tasklane.services.errors import ServiceError


class AppendBody(BaseModel):
    """Append a new event to a project's log and deliver it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    project_id: str = Field(min_length=1, max_length=40)
    type: str = Field(min_length=1, max_length=40)
    data: dict[str, Any] = Field(default_factory=dict)
    user_id: str | None = Field(None, max_length=32)


class NotifyBody(BaseModel):
    """An event committed elsewhere: deliver the log up to ``seq``."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    project_id: str = Field(min_length=1, max_length=40)
    seq: int = Field(ge=1, le=MAX_SEQ)


def _authorized(gateway: Gateway, request: Request) -> bool:
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    return hmac.compare_digest(given.encode(), gateway.secret.encode())


def _unauthorized() -> Response:
    return error_response(401, "unauthorized", "send the broadcast secret as Bearer")


def _invalid(exc: ValidationError, message: str) -> Response:
    problems = [{"location": [str(p) for p in e["loc"]], "message": e["msg"]} for e in exc.errors()]
    return error_response(422, "validation_error", message, problems)


async def broadcast(gateway: Gateway, request: Request) -> Response:
    counted = gateway.metrics.broadcasts
    if not _authorized(gateway, request):
        counted.labels(result="unauthorized").inc()
        return _unauthorized()
    try:
        body = AppendBody.model_validate_json(await request.body())
    except ValidationError as exc:
        counted.labels(result="invalid").inc()
        if any(problem["type"] == "json_invalid" for problem in exc.errors()):
            return error_response(400, "invalid_json", "the request body is not valid JSON")
        return _invalid(exc, "invalid broadcast body")
    try:
        event = await gateway.services.broadcasts.append(
            body.project_id, body.type, body.data, body.user_id
        )
    except ServiceError as exc:
        counted.labels(result="refused").inc()
        return error_response(exc.status, exc.code, exc.message, exc.details or None)
    counted.labels(result="appended").inc()
    return JSONResponse({"projectId": event.project_id, "seq": event.seq}, 201)


async def notify(gateway: Gateway, request: Request) -> Response:
    counted = gateway.metrics.broadcasts
    if not _authorized(gateway, request):
        counted.labels(result="unauthorized").inc()
        return _unauthorized()
    try:
        notice = NotifyBody.model_validate_json(await request.body())
    except ValidationError as exc:
        counted.labels(result="invalid").inc()
        return _invalid(exc, "invalid notice")
    await gateway.hub.catch_up([notice.project_id])
    counted.labels(result="notified").inc()
    return JSONResponse({"projectId": notice.project_id, "seq": notice.seq}, 202)


async def control(gateway: Gateway, request: Request) -> Response:
    if not _authorized(gateway, request):
        return _unauthorized()
    try:
        notice = notices.validate_json(await request.body())
    except ValidationError as exc:
        return _invalid(exc, "invalid announcement")
    if isinstance(notice, GYM_NOTICES) and not gateway.settings.gym_mode:
        return error_response(404, "not_found", "the gym is off (GYM_MODE)")
    await gateway.hub.broker.publish(Announcement(notice))
    return JSONResponse({"type": notice.type}, 202)


async def presence(gateway: Gateway, request: Request) -> Response:
    if not _authorized(gateway, request):
        return _unauthorized()
    project_id = request.path_params["project_id"]
    return JSONResponse(await gateway.presence.list(project_id))
