"""The vocabulary of events: one pydantic model per type, and the one serialiser.

Every transport (the JSON event log, WebSocket, SSE, polling) sends the bytes that
``encode_event`` makes, so a client sees the same envelope whichever way it listens.
A misspelt field fails here, at construction (``extra="forbid"``), never in a client.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from tasklane.protocol.project import MemberPublic, ProjectPublic, Role, SectionPublic
from tasklane.protocol.task import CommentPublic, Status, TaskPublic
from tasklane.protocol.timestamps import iso_millis

# Sibling ids and their rewritten keys, on the rare mutation that had to spread a
# crowded order out again (see services/ranking.py); null otherwise.
Reranked = dict[str, str] | None


class EventData(BaseModel):
    """The ``data`` of one durable event type."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    TYPE: ClassVar[str]

    project_id: str

    def wire(self) -> dict[str, Any]:
        """The JSON-ready dict stored in the log and sent to clients."""
        return self.model_dump(mode="json", by_alias=True)


class ProjectCreated(EventData):
    TYPE = "project_created"
    project: ProjectPublic
    sections: list[SectionPublic]


class ProjectUpdated(EventData):
    TYPE = "project_updated"
    project: ProjectPublic
    changes: list[str]


class ProjectDeleted(EventData):
    TYPE = "project_deleted"


class MemberAdded(EventData):
    TYPE = "member_added"
    user_id: str
    member: MemberPublic


class MemberUpdated(EventData):
    """A member's role changed, or the person's own name or avatar colour (announced to
    every project they are a member of). ``changes`` names the fields: ``role``,
    ``name``, ``avatarColor``; ``previous_role`` is the role as it was (the same as
    ``member.role`` when the role did not change)."""

    TYPE = "member_updated"
    user_id: str
    member: MemberPublic
    previous_role: Role
    changes: list[str]


class MemberRemoved(EventData):
    TYPE = "member_removed"
    user_id: str


class SectionCreated(EventData):
    TYPE = "section_created"
    section_id: str
    section: SectionPublic
    reranked: Reranked = None


class SectionUpdated(EventData):
    TYPE = "section_updated"
    section_id: str
    section: SectionPublic
    changes: list[str]
    reranked: Reranked = None


class SectionDeleted(EventData):
    TYPE = "section_deleted"
    section_id: str


class TaskCreated(EventData):
    TYPE = "task_created"
    task_id: str
    task: TaskPublic
    reranked: Reranked = None


class TaskUpdated(EventData):
    """Any change to a task that leaves its status as it was, moves included."""

    TYPE = "task_updated"
    task_id: str
    task: TaskPublic
    changes: list[str]
    reranked: Reranked = None


class TaskStatusChanged(EventData):
    """A change that moved the task's status (other fields may have changed with it: a
    move into a section that stands for a status, or a status change that takes the
    task to the section standing for the new one, is this one event)."""

    TYPE = "task_status_changed"
    task_id: str
    task: TaskPublic
    previous_status: Status
    new_status: Status
    changes: list[str]
    reranked: Reranked = None


class TaskDeleted(EventData):
    TYPE = "task_deleted"
    task_id: str
    parent_id: str | None
    deleted_subtask_ids: list[str]


class CommentCreated(EventData):
    TYPE = "comment_created"
    comment_id: str
    task_id: str
    comment: CommentPublic


class CommentUpdated(EventData):
    TYPE = "comment_updated"
    comment_id: str
    task_id: str
    comment: CommentPublic


class CommentDeleted(EventData):
    TYPE = "comment_deleted"
    comment_id: str
    task_id: str


DURABLE_TYPES: dict[str, type[EventData]] = {
    cls.TYPE: cls
    for cls in (
        ProjectCreated,
        ProjectUpdated,
        ProjectDeleted,
        MemberAdded,
        MemberUpdated,
        MemberRemoved,
        SectionCreated,
        SectionUpdated,
        SectionDeleted,
        TaskCreated,
        TaskUpdated,
        TaskStatusChanged,
        TaskDeleted,
        CommentCreated,
        CommentUpdated,
        CommentDeleted,
    )
}


class PresenceData(BaseModel):
    """The ``data`` of the ephemeral presence events, which have no ``seq`` and are never
    stored: ``user_connected`` when a user's first connection joins a project,
    ``user_disconnected`` when their last one leaves."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    project_id: str
    user_id: str
    name: str


PRESENCE_TYPES = ("user_connected", "user_disconnected")


def presence_frame(type: str, data: PresenceData, at: datetime) -> dict[str, Any]:
    """An ephemeral presence event: the envelope without ``seq``."""
    if type not in PRESENCE_TYPES:
        raise ValueError(f"not a presence event: {type}")
    return {
        "type": type,
        "projectId": data.project_id,
        "userId": data.user_id,
        "data": data.model_dump(mode="json", by_alias=True),
        "timestamp": iso_millis(at),
    }


class EventEnvelope(BaseModel):
    """What a client receives for every durable event (documented in docs/protocol.md)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    type: str
    project_id: str
    user_id: str | None
    seq: int
    data: dict[str, Any]
    timestamp: str


def envelope(
    *,
    type: str,
    project_id: str,
    user_id: str | None,
    seq: int,
    data: dict[str, Any],
    at: datetime,
) -> dict[str, Any]:
    """The envelope as a plain dict, keys in their documented order."""
    return {
        "type": type,
        "projectId": project_id,
        "userId": user_id,
        "seq": seq,
        "data": data,
        "timestamp": iso_millis(at),
    }


def encode(frame: dict[str, Any]) -> bytes:
    """The single serialiser: compact UTF-8 JSON."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False).encode()
