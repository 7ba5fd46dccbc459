"""Where the realtime gateway is, given where the API is."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

GATEWAY_PORT = 3002  # the gateway's port when the server's WS_PORT is not set
_HTTP = {"ws": "http", "wss": "https", "http": "http", "https": "https"}
_WS = {"http": "ws", "https": "wss"}


def gateway_for(api_url: str) -> str:
    """The gateway's HTTP base for an API URL: the same scheme and host, port 3002
    (``http://127.0.0.1:3001`` → ``http://127.0.0.1:3002``)."""
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {api_url!r}")
    host = parts.hostname
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return urlunsplit((parts.scheme, f"{host}:{GATEWAY_PORT}", "", "", ""))


def gateway_http(gateway_url: str) -> str:
    """A gateway URL given as ``ws(s)://`` or ``http(s)://``, as its HTTP base (for
    ``/sse``), without a trailing slash."""
    parts = urlsplit(gateway_url)
    if parts.scheme not in _HTTP or not parts.netloc:
        raise ValueError(f"not a gateway URL: {gateway_url!r}")
    path = parts.path.rstrip("/")
    return urlunsplit((_HTTP[parts.scheme], parts.netloc, path, "", ""))


def gateway_ws(gateway_url: str) -> str:
    """The same gateway as a ``ws(s)://`` base (for ``/ws``)."""
    parts = urlsplit(gateway_http(gateway_url))
    return urlunsplit((_WS[parts.scheme], parts.netloc, parts.path, "", ""))
