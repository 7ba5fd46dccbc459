"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from tasklane.edge.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={
        503: {
            "description": "Not ready: says what failed, e.g. "
            '`{"status": "unavailable", "database": "error: OperationalError"}`.'
        }
    },
)
async def readyz(services: ServicesDep) -> JSONResponse:
    """Ready to serve: the database answers."""
    try:
        async with services.runtime.db.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; say which
        return JSONResponse(
            {"status": "unavailable", "database": f"error: {type(exc).__name__}"},
            status_code=503,
        )
    return JSONResponse({"status": "ready", "database": "ok"})
