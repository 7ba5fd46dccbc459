"""The pages' addresses inside the episode a request is for.

Every route sees the same paths in an episode as at the root (``EpisodeRouting`` moves
``/e/<id>`` into ``root_path``), so a page's own paths, a form's ``next`` included, are
written without the prefix; what leaves the server (a link, a form's action, a
redirect's ``Location``) gets it back here, and only here.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from tasklane.edge.episodes import root_of


def at(connection: HTTPConnection, path: str) -> str:
    """``path`` (a local path, starting with ``/``) inside the request's episode:
    ``/projects/p`` is ``/e/<id>/projects/p`` in an episode, itself at the root."""
    return root_of(connection) + path


def path_within(connection: HTTPConnection) -> str:
    """The request's path as the routes see it, without the episode's prefix."""
    root, path = root_of(connection), connection.url.path
    if not root or not path.startswith(root):
        return path
    return path[len(root) :] or "/"
