"""One error shape for every failure: ``{"error": {"code", "message", "details"?}}``,
and the OpenAPI schema that says so for every operation."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute

from tasklane.edge.deps import SAFE_METHODS, anonymous_quota, current_user
from tasklane.edge.errors import error_response, retry_after_seconds
from tasklane.protocol.errors import ErrorEnvelope
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
        headers = {"Retry-After": str(retry_after_seconds(exc.retry_after))}
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


# -- the error answers in the OpenAPI schema ----------------------------------------------

Responses = dict[int | str, dict[str, Any]]

ERROR_DESCRIPTIONS = {
    400: "`bad_request` or `invalid_json`: the request cannot be read (a body that is not "
    "JSON, a NUL character in the URL).",
    401: "`unauthorized`: no valid session cookie or Bearer token.",
    403: "`forbidden`: the caller's role in the project does not allow this; "
    "`origin_refused`: a change sent with the session cookie from another site.",
    404: "`not_found`: no such thing, or one the caller may not see.",
    409: "`conflict` (or a more precise code): the change clashes with the current state.",
    413: "`too_large`: the body is larger than `MAX_BODY_BYTES`.",
    422: "`validation_error`: the request does not match this schema (`details` lists "
    "each problem); or a well-formed request that breaks a rule (`invalid`, "
    "`assignee_not_member`, …).",
    429: "`rate_limited`: over a limit; try again after `Retry-After` seconds.",
    500: "`internal_error`: an unexpected fault on the server's side, logged there; read "
    "the current state before repeating a change.",
    503: "`unavailable`: the database cannot be reached; try again after `Retry-After` seconds.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Whole seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}
ENVELOPE_REF = f"#/components/schemas/{ErrorEnvelope.__name__}"
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def error_responses(*statuses: int, description: str = "") -> Responses:
    """``responses=`` for a route or router that can answer these error statuses: each
    with the one error body (and ``Retry-After`` where it comes with one). A
    ``description`` says more precisely than the general one when this route answers
    them, and with which ``code``."""
    return {
        status: {
            "model": ErrorEnvelope,
            "description": description or ERROR_DESCRIPTIONS[status],
            **({"headers": RETRY_AFTER} if status in (429, 503) else {}),
        }
        for status in statuses
    }


def _openapi_error(status: int) -> dict[str, Any]:
    """The OpenAPI response object that ``error_responses(status)`` turns into."""
    declared = copy.deepcopy(error_responses(status)[status])
    declared.pop("model")
    return {**declared, "content": {"application/json": {"schema": {"$ref": ENVELOPE_REF}}}}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def implied_errors(route: RouteContext) -> set[int]:
    """The errors a route can answer because of what it depends on, whatever it does:
    a signed-in user (401; for a change also 403 for a foreign origin or role and 429
    for the mutation rate; 404 for what its path names), the sign-in quota (429), and
    the database behind everything under ``/api`` (503)."""
    statuses = {503} if (route.path_format or "").startswith("/api/") else set()
    dependant: Dependant = route.dependant
    calls = set(_calls(dependant))
    if current_user in calls:
        statuses.add(401)
        if (route.methods or set()) - SAFE_METHODS:
            statuses |= {403, 429}
        if dependant.path_params:
            statuses.add(404)
    if anonymous_quota in calls:
        statuses.add(429)
    return statuses


def describe_errors(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Complete a generated OpenAPI ``schema`` with the error answers of every
    operation: those ``implied_errors`` finds, beside those routes declare with
    ``error_responses``; and 422 as the one error body instead of FastAPI's own
    ``HTTPValidationError``, which the app never sends."""
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        operations = schema["paths"].get(route.path_format, {})
        for method in sorted(route.methods or ()):
            operation = operations.get(method.lower())
            if operation is None:
                continue
            responses: dict[str, Any] = operation["responses"]
            if "HTTPValidationError" in json.dumps(responses.get("422", {})):
                responses["422"] = _openapi_error(422)
            for status in implied_errors(route):
                responses.setdefault(str(status), _openapi_error(status))
            operation["responses"] = dict(sorted(responses.items()))
    components = schema.get("components", {}).get("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        if f"#/components/schemas/{name}" not in json.dumps(schema):
            components.pop(name, None)


def _openapi_with_errors(app: FastAPI) -> Callable[[], dict[str, Any]]:
    generate = app.openapi
    described: dict[str, Any] | None = None

    def openapi() -> dict[str, Any]:
        nonlocal described
        schema = generate()  # cached by FastAPI until the routes change
        if schema is not described:
            describe_errors(schema, app.routes)
            described = schema
        return schema

    return openapi


def install(app: FastAPI) -> None:
    """Answer every failure with the one error shape, and say so in the OpenAPI schema.
    Call before the routers are included: every route inherits the errors that any
    request can meet before it reaches one (400 for a NUL in the URL, 413), and the
    unexpected (500)."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for down in (DBAPIError, OSError):
        app.add_exception_handler(down, _database_error)
    app.add_exception_handler(Exception, _unexpected)
    app.router.responses.update(error_responses(400, 413, 500))
    # FastAPI's documented way to extend the schema is to replace ``app.openapi``.
    app.openapi = _openapi_with_errors(app)  # type: ignore[method-assign]
