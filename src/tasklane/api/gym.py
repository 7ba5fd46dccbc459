"""The gym API, mounted only with ``GYM_MODE=1``; every call needs the admin token."""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AwareDatetime, Field

from tasklane.api.errors import error_responses
from tasklane.edge.deps import SettingsDep
from tasklane.edge.episodes import episode_of
from tasklane.gym.service import GymService
from tasklane.protocol import cursors
from tasklane.protocol.base import MAX_SEQ, InputModel
from tasklane.protocol.events import encode
from tasklane.protocol.frames import FrameError
from tasklane.services.errors import Invalid, Unauthorized

admin_scheme = HTTPBearer(auto_error=False, description="GYM_ADMIN_TOKEN.")


def require_admin(
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(admin_scheme)],
) -> None:
    expected = (settings.gym_admin_token or "").encode()
    given = bearer.credentials.encode() if bearer else b""
    if not expected or not hmac.compare_digest(given, expected):
        raise Unauthorized("send GYM_ADMIN_TOKEN as a Bearer token", code="gym_unauthorized")


def get_gym(request: Request) -> GymService:
    gym: GymService = episode_of(request).gym
    return gym


GymDep = Annotated[GymService, Depends(get_gym)]

router = APIRouter(
    prefix="/api/gym",
    tags=["gym"],
    dependencies=[Depends(require_admin)],
    responses=error_responses(401, description="`gym_unauthorized`: send GYM_ADMIN_TOKEN."),
)
NO_SUCH_SNAPSHOT = error_responses(404, description="`not_found`: no snapshot with this id.")


class ResetIn(InputModel):
    seed: int = Field(0, ge=0, le=MAX_SEQ, description="The same seed gives the same state.")
    preset: Literal["small", "medium", "large"] = "small"
    now: AwareDatetime | None = Field(
        None, description="Where the clock starts; default the seeded workspace's own moment."
    )
    frozen: bool = Field(True, description="Keep the clock still until told to move.")


class ClockIn(InputModel):
    now: AwareDatetime | None = Field(None, description="Set the clock to this moment.")
    frozen: bool | None = Field(None, description="Stop (true) or run (false) the clock.")
    advance_seconds: float | None = Field(
        None, ge=0, le=10 * 365 * 86_400, description="Move the clock forward this much."
    )


def _json(value: Any, status_code: int = 200) -> Response:
    return Response(encode(value), status_code, media_type="application/json")


@router.post("/reset")
async def reset(body: ResetIn, gym: GymDep) -> Response:
    """Restore the seeded state of ``seed`` and ``preset`` (prepared on first use, then
    restored from its template); every live client gets ``resync_required``."""
    return _json(await gym.reset(body.seed, body.preset, now=body.now, frozen=body.frozen))


@router.get("/state")
async def state(gym: GymDep) -> Response:
    """Everything, as canonical JSON: sorted keys, rows sorted by ID."""
    return Response(await gym.state(), media_type="application/json")


@router.get(
    "/diff", responses=error_responses(404, description="`not_found`: no reset to compare with.")
)
async def diff(gym: GymDep) -> Response:
    """What was added, changed and deleted since the last reset."""
    return _json(await gym.diff())


@router.post(
    "/snapshot",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(409, description="`snapshot_limit`: GYM_MAX_SNAPSHOTS are kept."),
)
async def snapshot(gym: GymDep) -> Response:
    return _json(await gym.snapshot(), 201)


@router.get("/snapshots")
async def snapshots(gym: GymDep) -> Response:
    return _json(await gym.snapshots())


@router.post("/restore/{snapshot_id}", responses=NO_SUCH_SNAPSHOT)
async def restore(snapshot_id: str, gym: GymDep) -> Response:
    """Make the state what the snapshot holds; every live client gets ``resync_required``."""
    return _json(await gym.restore(snapshot_id))


@router.delete(
    "/snapshots/{snapshot_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NO_SUCH_SNAPSHOT
)
async def delete_snapshot(snapshot_id: str, gym: GymDep) -> None:
    await gym.delete_snapshot(snapshot_id)


@router.get("/answer")
async def get_answer(gym: GymDep) -> Response:
    """The agent's answer since the last reset or restore (``POST /api/answer``), or
    null."""
    return _json(await gym.answer())


@router.get("/clock")
async def get_clock(gym: GymDep) -> Response:
    return _json(gym.clock_view())


@router.post("/clock")
async def set_clock(body: ClockIn, gym: GymDep) -> Response:
    """One clock for the whole app: timestamps of changes, "today", due and overdue."""
    if body.now is None and body.frozen is None and body.advance_seconds is None:
        raise Invalid("give now, frozen or advanceSeconds", code="validation_error")
    return _json(await gym.set_clock(body.now, body.frozen, body.advance_seconds))


@router.get("/events")
async def events(
    gym: GymDep,
    after: Annotated[
        str,
        Query(
            max_length=100_000,
            description="The cursor of the previous page (`proj_…:seq,…`); empty: from the reset.",
        ),
    ] = "",
    limit: Annotated[int, Query(ge=1, le=5_000)] = 500,
) -> Response:
    """The trajectory: every project's events since the reset, in time order across
    projects and ``seq`` order within each. Ask again with ``after`` = ``cursor``."""
    cursor = cursors.parse_trajectory(after)
    if isinstance(cursor, FrameError):
        raise Invalid(cursor.message, code=cursor.code)
    found, moved = await gym.events(cursor, limit)
    body = b"".join(
        [
            encode({"cursor": cursors.format_trajectory(moved)})[:-1],
            b',"events":[',
            b",".join(event.frame for event in found),
            b"]}",
        ]
    )
    return Response(body, media_type="application/json")
