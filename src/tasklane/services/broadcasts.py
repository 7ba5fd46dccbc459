"""Events announced by other server-side programs through the gateway's broadcast
endpoint: validated like any event and appended to the same log."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from tasklane.models import Project
from tasklane.protocol.base import contains_nul
from tasklane.protocol.events import DURABLE_TYPES
from tasklane.realtime.log import Committed
from tasklane.services.assignees import check_assignee
from tasklane.services.errors import Invalid, NotFound
from tasklane.services.person_log import CARRYING_A_TASK
from tasklane.services.runtime import Runtime

# Changes of who may see a project go through the API, which changes the rows too: an
# announcement alone would make the log disagree with the members table.
NOT_BROADCASTABLE = frozenset(
    {"project_created", "project_deleted", "member_added", "member_updated", "member_removed"}
)


class BroadcastService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def append(
        self, project_id: str, kind: str, data: dict[str, Any], actor_id: str | None
    ) -> Committed:
        model = DURABLE_TYPES.get(kind)
        if kind in NOT_BROADCASTABLE:
            raise Invalid(
                f"{kind} changes access; make it through the API", code="not_broadcastable"
            )
        if contains_nul(data):
            raise Invalid("text may not contain NUL characters", code="validation_error")
        if model is None:
            raise Invalid(
                f"unknown event type {kind!r}", code="unknown_type", known=sorted(DURABLE_TYPES)
            )
        try:
            payload = model.model_validate({**data, "projectId": project_id})
        except ValidationError as exc:
            problems = [
                {"location": [str(p) for p in e["loc"]], "message": e["msg"]} for e in exc.errors()
            ]
            raise Invalid(
                f"data does not fit {kind}", code="validation_error", problems=problems
            ) from exc
        async with self.runtime.transaction() as tx:
            live = await tx.session.scalar(
                select(Project.id)
                .where(Project.id == project_id, Project.deleted_at.is_(None))
                .with_for_update()
            )
            if live is None:
                raise NotFound("project not found", resource="project")
            # The assignee rule holds for announced tasks too: the event is copied into
            # the assignee's own log, which only a member of the project has.
            if isinstance(payload, CARRYING_A_TASK) and payload.task.assignee_id is not None:
                await check_assignee(tx.session, project_id, payload.task.assignee_id)
            return await tx.emit(payload, actor_id=actor_id)
