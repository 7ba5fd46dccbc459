"""One error shape for every failure: ``{"error": {"code", "message", "details"?}}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from tasklane.error_shape import error_response
from tasklane.services.errors import RateLimited, ServiceError

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


async def _service_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    headers = None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(max(1, round(exc.retry_after + 0.5)))}
    return error_response(exc.status, exc.code, exc.message, exc.details or None, headers)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "location": [str(part) for part in err.get("loc", ())],
            "message": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    if any(p["type"] == "json_invalid" for p in problems):
        return error_response(400, "invalid_json", "the request body is not valid JSON", problems)
    summary = "; ".join(
        f"{'.'.join(p['location'][1:]) or p['location'][0]}: {p['message']}" for p in problems[:5]
    )
    return error_response(422, "validation_error", summary or "invalid request", problems)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's answer to a body that is not even UTF-8: still not valid JSON.
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    code = HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, headers=exc.headers)


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached right now (down, restarting,
    connection lost), rather than that a statement is wrong: anywhere in its chain, a
    network error, a lost connection, or PostgreSQL's SQLSTATE class 08 (connection
    exception) or 57P (shutting down, starting up)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OperationalError | InterfaceError | OSError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = str(getattr(current, "sqlstate", "") or "")
        if sqlstate.startswith(("08", "57P")):
            return True
        cause = getattr(current, "orig", None)
        current = (
            cause
            if isinstance(cause, BaseException) and id(cause) not in seen
            else (current.__cause__ or current.__context__)
        )
    return False


async def _database_error(request: Request, exc: Exception) -> Response:
    if not database_unreachable(exc):
        return await _unexpected(request, exc)
    log.error("database unavailable: %s", exc)
    return error_response(
        503,
        "unavailable",
        "the database is unavailable; try again shortly",
        headers={"Retry-After": "1"},
    )


async def _unexpected(_request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "something went wrong on our side")


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for down in (DBAPIError, OSError):
        app.add_exception_handler(down, _database_error)
    app.add_exception_handler(Exception, _unexpected)
