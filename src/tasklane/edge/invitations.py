"""The invite link: the page that accepts an invitation, as the JSON API answers it and
the members page shows it."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from tasklane.edge.episodes import root_of


def invite_path(secret: str) -> str:
    """The link's path inside the episode (``urls.at`` adds the episode's prefix)."""
    return f"/invite/{secret}"


def invite_link(connection: HTTPConnection, secret: str) -> str:
    """The whole link, at the address the request came to, in its episode."""
    path = root_of(connection) + invite_path(secret)
    return str(connection.url.replace(path=path, query="", fragment=""))
