"""Comments on tasks."""

from __future__ import annotations

from fastapi import APIRouter, status

from tasklane.edge.deps import CurrentUser, ServicesDep
from tasklane.protocol.task import CommentCreate, CommentPublic, CommentUpdate

router = APIRouter(prefix="/api", tags=["comments"])


@router.get("/tasks/{task_id}/comments")
async def list_comments(
    task_id: str, user: CurrentUser, services: ServicesDep
) -> list[CommentPublic]:
    """A task's comments, oldest first."""
    return await services.comments.list(user, task_id)


@router.post("/tasks/{task_id}/comments", status_code=status.HTTP_201_CREATED)
async def create_comment(
    task_id: str, body: CommentCreate, user: CurrentUser, services: ServicesDep
) -> CommentPublic:
    return await services.comments.create(user, task_id, body)


@router.patch("/comments/{comment_id}")
async def update_comment(
    comment_id: str, body: CommentUpdate, user: CurrentUser, services: ServicesDep
) -> CommentPublic:
    """Edit your own comment."""
    return await services.comments.update(user, comment_id, body)


@router.delete("/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_comment(comment_id: str, user: CurrentUser, services: ServicesDep) -> None:
    """Delete your own comment."""
    await services.comments.delete(user, comment_id)
