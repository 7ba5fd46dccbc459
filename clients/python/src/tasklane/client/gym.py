"""The gym API from Python: :class:`GymClient`, for harnesses that train and grade
agents on Tasklane (a server started with ``GYM_MODE=1``)::

    with GymClient("http://127.0.0.1:3001", admin_token=TOKEN) as gym:
        gym.reset(seed=7, preset="medium")
        ...  # the agent works through the JSON API or the pages
        changes = gym.diff()["changes"]
        trajectory = gym.events()["events"]

One server holds many isolated episodes; each is reached at its own base URL, and a
``GymClient`` on that URL (``gym.episode(…)``) drives that episode alone::

    created = gym.create_episode(seed=7, preset="medium")
    with gym.episode(created) as episode:
        ...  # the agent is given created.urls.base
        episode.reset(seed=7, preset="medium")
    gym.delete_episode(created.id)
"""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any

import httpx

from tasklane.client.errors import TasklaneConnectionError, error_from
from tasklane.client.rest import DEFAULT_URL, USER_AGENT, tls_context
from tasklane.protocol.gym import EpisodeCreated, EpisodeInfo


class GymClient:
    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        admin_token: str,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._admin_token = admin_token
        self._timeout = timeout
        self._transport = transport
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {admin_token}", "User-Agent": USER_AGENT},
            verify=tls_context(),
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, "/api/gym" + path, **kwargs)
        except httpx.TransportError as exc:
            raise TasklaneConnectionError(
                f"cannot reach {self.url}: {exc!r}", code="unreachable"
            ) from exc
        if response.is_error:
            raise error_from(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._send(method, path, **kwargs).json()

    def reset(
        self, seed: int = 0, preset: str = "small", *, now: str | None = None, frozen: bool = True
    ) -> dict[str, Any]:
        """Restore the seeded state; the clock starts at ``now`` (default: the seeded
        workspace's moment), frozen unless told otherwise."""
        body: dict[str, Any] = {"seed": seed, "preset": preset, "frozen": frozen}
        if now is not None:
            body["now"] = now
        result: dict[str, Any] = self._json("POST", "/reset", json=body)
        return result

    def state_bytes(self) -> bytes:
        """The state as the server serialised it (canonical JSON): compare these bytes."""
        return self._send("GET", "/state").content

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.state_bytes())
        return result

    def diff(self) -> dict[str, Any]:
        result: dict[str, Any] = self._json("GET", "/diff")
        return result

    def snapshot(self) -> str:
        """Keep the current state; returns the snapshot's id."""
        snapshot_id: str = self._json("POST", "/snapshot")["id"]
        return snapshot_id

    def restore(self, snapshot_id: str) -> None:
        self._send("POST", f"/restore/{snapshot_id}")

    def delete_snapshot(self, snapshot_id: str) -> None:
        self._send("DELETE", f"/snapshots/{snapshot_id}")

    def snapshots(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._json("GET", "/snapshots")
        return result

    def clock(self) -> dict[str, Any]:
        result: dict[str, Any] = self._json("GET", "/clock")
        return result

    def set_clock(
        self,
        now: str | None = None,
        *,
        frozen: bool | None = None,
        advance_seconds: float | None = None,
    ) -> dict[str, Any]:
        body = {"now": now, "frozen": frozen, "advanceSeconds": advance_seconds}
        sent = {key: value for key, value in body.items() if value is not None}
        result: dict[str, Any] = self._json("POST", "/clock", json=sent)
        return result

    def answer(self) -> dict[str, Any] | None:
        """The agent's answer since the last reset or restore (``{"status", "answer",
        "by", "at"}``), or None."""
        result: dict[str, Any] | None = self._json("GET", "/answer")
        return result

    def events(self, after: str = "", limit: int = 500) -> dict[str, Any]:
        """The trajectory since the reset: ``{"cursor": …, "events": […]}``; pass the
        cursor back as ``after`` for what came since."""
        result: dict[str, Any] = self._json(
            "GET", "/events", params={"after": after, "limit": limit}
        )
        return result

    # -- episodes (at the server's root) ----------------------------------------------

    def create_episode(
        self, seed: int = 0, preset: str = "small", *, now: str | None = None, frozen: bool = True
    ) -> EpisodeCreated:
        """A new isolated episode of the seeded state, at its own base URL
        (``urls.base``)."""
        body: dict[str, Any] = {"seed": seed, "preset": preset, "frozen": frozen}
        if now is not None:
            body["now"] = now
        return EpisodeCreated.model_validate(self._json("POST", "/episodes", json=body))

    def episodes(self) -> list[EpisodeInfo]:
        return [EpisodeInfo.model_validate(e) for e in self._json("GET", "/episodes")]

    def get_episode(self, episode_id: str) -> EpisodeInfo:
        return EpisodeInfo.model_validate(self._json("GET", f"/episodes/{episode_id}"))

    def delete_episode(self, episode_id: str) -> None:
        """Delete an episode: its URLs answer 404 and its connections close (4404)."""
        self._send("DELETE", f"/episodes/{episode_id}")

    def episode(self, episode: str | EpisodeInfo) -> GymClient:
        """A client of the episode's own gym API (reset, state, diff, snapshots, clock,
        trajectory), by id or as created or listed. Close it (or use ``with``)."""
        base = episode.urls.base if isinstance(episode, EpisodeInfo) else f"{self.url}/e/{episode}"
        return GymClient(
            base, admin_token=self._admin_token, timeout=self._timeout, transport=self._transport
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GymClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
