"""``/healthz`` (alive), ``/readyz`` (the database and the broker reachable) and
``/metrics`` (Prometheus) of a gateway."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tasklane.gateway.gateway import Gateway


async def healthz(_gateway: Gateway, _request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(gateway: Gateway, _request: Request) -> Response:
    checks = {"database": "ok", "broker": "ok" if gateway.broker_alive else "down"}
    try:
        async with gateway.services.runtime.db.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; say which
        checks["database"] = f"error: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", **checks}, 200 if ready else 503
    )


async def metrics(gateway: Gateway, _request: Request) -> Response:
    return Response(generate_latest(gateway.metrics.registry), media_type=CONTENT_TYPE_LATEST)
