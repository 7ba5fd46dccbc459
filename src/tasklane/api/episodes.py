"""The gym's episodes: ``/api/gym/episodes`` creates, lists and deletes them (with the
admin token, as the rest of the gym API). Everything else about one episode — reset,
state, diff, snapshots, clock, trajectory — is the gym API under its base URL:
``/e/<id>/api/gym/…``."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Protocol

from fastapi import APIRouter, Depends, Request, status

from tasklane.api.errors import error_responses
from tasklane.api.gym import require_admin
from tasklane.edge.addresses import gateway_address
from tasklane.edge.deps import SettingsDep
from tasklane.edge.episodes import DEFAULT, PREFIX, episode_of
from tasklane.protocol.gym import EpisodeCreated, EpisodeIn, EpisodeInfo, EpisodeUrls
from tasklane.protocol.realtime import GatewayAddress
from tasklane.services.errors import NotFound
from tasklane.settings import Settings


class Listed(Protocol):
    def public(self) -> dict[str, Any]: ...


class Directory(Protocol):
    """What the routes use of the registry (``episodes.registry.Episodes``)."""

    async def create(
        self, seed: int, preset: str, *, now: datetime | None = None, frozen: bool = True
    ) -> tuple[Listed, bool]: ...
    async def listed(self, episode_id: str) -> Listed: ...
    async def everything(self) -> list[Listed]: ...
    async def delete(self, episode_id: str) -> None: ...


def directory(request: Request) -> Directory:
    """The registry; only at the server's root (an episode holds no episodes)."""
    if episode_of(request).episode_id != DEFAULT:
        raise NotFound("episodes are made at the server's root, not inside one", resource="path")
    found: Directory = request.app.state.episodes
    return found


router = APIRouter(
    prefix="/api/gym/episodes",
    tags=["gym"],
    dependencies=[Depends(require_admin)],
    responses=error_responses(401, description="`gym_unauthorized`: send GYM_ADMIN_TOKEN."),
)
NO_SUCH_EPISODE = error_responses(
    404, description="`episode_not_found`: no such episode (deleted, expired or never made)."
)


def urls_of(request: Request, settings: Settings, episode_id: str) -> EpisodeUrls:
    base = str(request.base_url).rstrip("/") + PREFIX + episode_id
    gateway = gateway_address(request, settings)
    root = PREFIX + episode_id
    return EpisodeUrls(
        base=base,
        app=base + "/",
        api=base + "/api",
        gateway=GatewayAddress(ws=gateway.ws + root, http=gateway.http + root),
    )


def info(request: Request, settings: Settings, entry: Listed) -> dict[str, Any]:
    public = entry.public()
    return {**public, "urls": urls_of(request, settings, public["id"])}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        **error_responses(
            429,
            description="`episode_limit`: GYM_MAX_EPISODES exist; `Retry-After` says when "
            "the next idle one expires.",
        ),
        **error_responses(
            409,
            description="`episodes_unavailable`: this server cannot hold episodes "
            "(PostgreSQL, or SQLite served by more than one process).",
        ),
    },
)
async def create_episode(
    body: EpisodeIn, request: Request, settings: SettingsDep
) -> EpisodeCreated:
    """A new episode: the seeded state of ``seed`` and ``preset``, its own clock (set to
    ``now``, frozen or running), ID streams, event log, sign-ins and snapshots, at the
    base URL ``urls.base``. The first episode of a seed and preset prepares its template
    (``prepared``); the others are a copy of it."""
    started = time.perf_counter()
    entry, prepared = await directory(request).create(
        body.seed, body.preset, now=body.now, frozen=body.frozen
    )
    millis = round((time.perf_counter() - started) * 1000, 1)
    return EpisodeCreated(**info(request, settings, entry), prepared=prepared, millis=millis)


@router.get("")
async def list_episodes(request: Request, settings: SettingsDep) -> list[EpisodeInfo]:
    """Every episode, oldest first (the default workspace at the root is not one)."""
    everything = await directory(request).everything()
    return [EpisodeInfo(**info(request, settings, e)) for e in everything]


@router.get("/{episode_id}", responses=NO_SUCH_EPISODE)
async def get_episode(episode_id: str, request: Request, settings: SettingsDep) -> EpisodeInfo:
    return EpisodeInfo(**info(request, settings, await directory(request).listed(episode_id)))


@router.delete("/{episode_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NO_SUCH_EPISODE)
async def delete_episode(episode_id: str, request: Request) -> None:
    """Delete the episode: its URLs answer 404 ``episode_not_found`` and its open
    connections close with 4404 (at once in this process, within seconds in the others
    of a fleet), and its database goes."""
    await directory(request).delete(episode_id)
