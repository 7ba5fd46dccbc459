"""Which episode a request is for, and the routing that decides it.

A server hosts a default workspace at its root and, in gym mode, any number of
**episodes**, each addressed by a path prefix: ``/e/<id>/…`` on both ports. The
``EpisodeRouting`` middleware reads the prefix, moves it into the ASGI ``root_path``
(so the routes below see the same paths as at the root, and every link a page makes
can be built from ``root_path``), and puts the episode's parts in the scope, where
``episode_of`` finds them. A path without the prefix is the default episode.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from tasklane.edge.errors import error_response
from tasklane.protocol import closes

if TYPE_CHECKING:
    from tasklane.edge.deps import Limits
    from tasklane.gym.service import GymService
    from tasklane.realtime.waiters import ProjectWaiters, Slots
    from tasklane.services import Services

EPISODE_KEY = "tasklane.episode"
PREFIX = "/e/"
DEFAULT = "default"
EPISODE_ID = re.compile(r"^ep_[a-z0-9]{1,40}$")


class PresenceReader(Protocol):
    async def list(self, project_id: str) -> list[dict[str, str]]: ...


class EpisodeParts(Protocol):
    """What the API and the pages use of one episode
    (``episodes.runtime.EpisodeRuntime`` has it all, and the gateway besides)."""

    @property
    def episode_id(self) -> str: ...
    @property
    def services(self) -> Services: ...
    @property
    def gym(self) -> GymService | None: ...
    @property
    def presence(self) -> PresenceReader: ...
    @property
    def waiters(self) -> ProjectWaiters: ...
    @property
    def slots(self) -> Slots: ...
    @property
    def limits(self) -> Limits: ...

    def enter(self) -> None:
        """A request or a connection begins (idle episodes expire)."""

    def leave(self) -> None: ...


def episode_of(connection: HTTPConnection) -> Any:
    """The parts of the episode a request or connection is for (an ``EpisodeParts``;
    the gateway reads its own parts from the same object)."""
    return connection.scope[EPISODE_KEY]


def root_of(connection: HTTPConnection) -> str:
    """The episode's path prefix: ``""`` at the root, ``/e/<id>`` in an episode."""
    root: str = connection.scope.get("root_path", "")
    return root


def session_cookie_name(connection: HTTPConnection) -> str:
    """One cookie per episode, so that two episodes open in one browser never share a
    sign-in: ``tasklane_session`` at the root, ``tasklane_session_<id>`` in one."""
    episode_id: str = episode_of(connection).episode_id
    return "tasklane_session" if episode_id == DEFAULT else f"tasklane_session_{episode_id}"


Find = Callable[[str], Any]  # the episode's parts or None, or an awaitable of them


class EpisodeRouting:
    """ASGI middleware: ``/e/<id>/rest`` is ``/rest`` of episode ``id``, with
    ``root_path`` extended by the prefix; any other path is the default episode. An
    unknown or expired episode answers 404 ``episode_not_found``, and a WebSocket to one
    is closed with 4404 (``episode_gone``: do not reconnect)."""

    def __init__(self, app: ASGIApp, *, find: Find, default: Callable[[], Any]) -> None:
        self.app = app
        self.find = find
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        root = scope.get("root_path", "")
        path: str = scope["path"]
        rest = path[len(root) :] if root and path.startswith(root) else path
        if not rest.startswith(PREFIX):
            await self.app({**scope, EPISODE_KEY: self.default()}, receive, send)
            return
        episode_id, slash, _tail = rest[len(PREFIX) :].partition("/")
        episode = None
        if EPISODE_ID.match(episode_id):
            found = self.find(episode_id)
            episode = await found if inspect.isawaitable(found) else found
        if episode is None:
            await _gone(scope, receive, send, episode_id)
            return
        if not slash and scope["type"] == "http":  # /e/<id> → /e/<id>/
            location = f"{root}{PREFIX}{episode_id}/"
            await RedirectResponse(location, status_code=308)(scope, receive, send)
            return
        inner = {**scope, "root_path": f"{root}{PREFIX}{episode_id}", EPISODE_KEY: episode}
        episode.enter()
        try:
            await self.app(inner, receive, send)
        finally:
            episode.leave()


async def _gone(scope: Scope, receive: Receive, send: Send, episode_id: str) -> None:
    message = f"no episode {episode_id!r}: it never existed, was deleted or expired"
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": closes.EPISODE_GONE, "reason": message})
        return
    response = error_response(404, "episode_not_found", message, {"resource": "episode"})
    await response(scope, receive, send)
