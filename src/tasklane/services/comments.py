"""Comments on tasks. Everyone who can comment may add one; only its author may edit
or delete it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import Comment, Task, User
from tasklane.protocol.events import CommentCreated, CommentDeleted, CommentUpdated
from tasklane.protocol.task import CommentCreate, CommentPublic, CommentUpdate
from tasklane.services.access import Action, locked, require
from tasklane.services.errors import Forbidden, NotFound
from tasklane.services.runtime import Runtime


class CommentService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def list(self, user: User, task_id: str) -> list[CommentPublic]:
        """A task's comments, oldest first."""
        async with self.runtime.db.read() as session:
            task = await session.get(Task, task_id)
            if task is None:
                raise NotFound("task not found", resource="task")
            await require(session, task.project_id, user.id, Action.READ, resource="task")
            rows = await session.scalars(
                select(Comment).where(Comment.task_id == task_id).order_by(Comment.created_seq)
            )
            return [CommentPublic.model_validate(c) for c in rows]

    async def create(self, user: User, task_id: str, body: CommentCreate) -> CommentPublic:
        async with self.runtime.transaction() as tx:
            # Where the task is once its project is locked: it may be moving.
            task = await locked(tx.session, Task, task_id)
            if task is None:
                raise NotFound("task not found", resource="task")
            await require(
                tx.session, task.project_id, user.id, Action.COMMENT, lock=True, resource="task"
            )
            comment = Comment(
                id=self.runtime.ids.new("cmt"),
                task_id=task_id,
                project_id=task.project_id,
                author_id=user.id,
                text=body.text,
                created_at=self.runtime.clock.now(),
                edited_at=None,
            )
            tx.session.add(comment)
            public = CommentPublic.model_validate(comment)
            event = await tx.emit(
                CommentCreated(
                    project_id=task.project_id,
                    comment_id=comment.id,
                    task_id=task_id,
                    comment=public,
                ),
                actor_id=user.id,
            )
            comment.created_seq = event.seq
        return public

    async def update(self, user: User, comment_id: str, body: CommentUpdate) -> CommentPublic:
        async with self.runtime.transaction() as tx:
            comment = await self._own(tx.session, user, comment_id)
            if comment.text != body.text:
                comment.text = body.text
                comment.edited_at = self.runtime.clock.now()
                public = CommentPublic.model_validate(comment)
                await tx.emit(
                    CommentUpdated(
                        project_id=comment.project_id,
                        comment_id=comment.id,
                        task_id=comment.task_id,
                        comment=public,
                    ),
                    actor_id=user.id,
                )
            return CommentPublic.model_validate(comment)

    async def delete(self, user: User, comment_id: str) -> None:
        async with self.runtime.transaction() as tx:
            comment = await self._own(tx.session, user, comment_id)
            await tx.session.delete(comment)
            await tx.emit(
                CommentDeleted(
                    project_id=comment.project_id, comment_id=comment.id, task_id=comment.task_id
                ),
                actor_id=user.id,
            )

    async def _own(self, session: AsyncSession, user: User, comment_id: str) -> Comment:
        """A comment the caller wrote and may still change: they must still be allowed to
        comment in its project."""
        comment = await locked(session, Comment, comment_id)
        if comment is None:
            raise NotFound("comment not found", resource="comment")
        await require(
            session, comment.project_id, user.id, Action.COMMENT, lock=True, resource="comment"
        )
        if comment.author_id != user.id:
            raise Forbidden("only its author can change a comment", code="not_author")
        return comment
