"""What a client can follow: a project's log, or the person's own.

Every way of following (WebSocket ``join``, SSE ``projectId``, the polling endpoint)
names a log by its id. A project's log has the project's id; a person's log has the
person's user id, and only that person may follow it (docs/protocol.md, "A person's
own log").
"""

from __future__ import annotations

PERSON_PREFIX = "user_"


def is_person(log_id: str) -> bool:
    """Whether ``log_id`` names a person's own log rather than a project's."""
    return log_id.startswith(PERSON_PREFIX)
