"""Where clients outside reach the realtime gateway: the configured public address
(``PUBLIC_GATEWAY_URL``), or the host a request came to on ``WS_PORT``; in an episode,
with its prefix (``/e/<id>``) after either, as the gateway serves each episode under the
same prefix as the app. Pages, tickets and ``GET /api/realtime`` all say the same."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.requests import Request

from tasklane.edge.episodes import root_of
from tasklane.protocol.realtime import GatewayAddress
from tasklane.settings import Settings

_HTTP = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_WS = {"http": "ws", "https": "wss"}


def gateway_address(request: Request, settings: Settings) -> GatewayAddress:
    """The gateway's ``ws(s)://`` and ``http(s)://`` bases, each ending with the
    request's episode prefix (nothing at the root). Without a public address, the
    request's own host and scheme (``https`` as a trusted proxy forwarded it) on
    ``WS_PORT``: a browser then sends the cookie it has for that host."""
    root = root_of(request)
    if settings.public_gateway_url:
        parts = urlsplit(settings.public_gateway_url)
        http = _HTTP[parts.scheme]
        path = parts.path.rstrip("/") + root if root else parts.path
        rest = (parts.netloc, path, "", "")
        return GatewayAddress(ws=urlunsplit((_WS[http], *rest)), http=urlunsplit((http, *rest)))
    host = request.url.hostname or settings.host
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    http = "https" if request.url.scheme in ("https", "wss") else "http"
    netloc = f"{host}:{settings.ws_port}"
    return GatewayAddress(ws=f"{_WS[http]}://{netloc}{root}", http=f"{http}://{netloc}{root}")
