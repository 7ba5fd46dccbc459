"""What a project page shows, gathered from the services: the project, its sections,
tasks and members, and the open task's pane. A project the visitor cannot see is
``PageNotFound``, whether it exists or not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from tasklane.models import User
from tasklane.protocol.auth import UserPublic
from tasklane.protocol.project import MemberPublic, ProjectView, SectionPublic
from tasklane.protocol.task import CommentPublic, TaskPublic
from tasklane.services import Services
from tasklane.services.access import Action, allows
from tasklane.services.errors import NotFound
from tasklane.services.task_reads import TaskFilters
from tasklane.settings import Settings
from tasklane.web.activity import ActivityItem, Vocabulary, trail
from tasklane.web.guards import PageNotFound


@dataclass(frozen=True)
class Rows:
    """What a task row or card needs besides the task: names, dates, links, rights."""

    today: date
    now: datetime
    people: Mapping[str, UserPublic]
    projects: Mapping[str, ProjectView]
    view: str = "list"  # the view a task's link keeps ("list" or "board")
    root: str = ""  # the episode's prefix, that every link starts with

    def person(self, user_id: str | None) -> UserPublic | None:
        return self.people.get(user_id) if user_id else None

    def project(self, project_id: str) -> ProjectView | None:
        return self.projects.get(project_id)

    def task_url(self, task: TaskPublic) -> str:
        url = f"{self.root}/projects/{task.project_id}/tasks/{task.id}"
        return url + "?view=board" if self.view == "board" else url

    def can(self, project_id: str, action: str) -> bool:
        """Whether the visitor may ``action`` ("edit", "comment", "manage") there."""
        project = self.projects.get(project_id)
        return project is not None and allows(project.role, Action[action.upper()])


@dataclass(frozen=True)
class ProjectPage:
    project: ProjectView
    sections: list[SectionPublic]
    tasks: list[TaskPublic]  # top-level, in rank order
    members: list[MemberPublic]

    def tasks_in(self, section_id: str) -> list[TaskPublic]:
        return [task for task in self.tasks if task.section_id == section_id]

    def people(self) -> dict[str, UserPublic]:
        return {member.user_id: member.user for member in self.members}

    def can(self, action: str) -> bool:
        return allows(self.project.role, Action[action.upper()])


@dataclass(frozen=True)
class TaskPane:
    task: TaskPublic
    parent: TaskPublic | None
    subtasks: list[TaskPublic]
    comments: list[CommentPublic]
    activity: list[ActivityItem]


async def load_project(
    services: Services, settings: Settings, user: User, project_id: str
) -> ProjectPage:
    """The project as ``user`` sees it. Its ``seq`` is read first, so following the log
    from there misses nothing that the page does not already show."""
    try:
        project = await services.projects.get(user, project_id)
        sections = await services.sections.list(user, project_id)
        members = await services.members.list(user, project_id)
        tasks: list[TaskPublic] = []
        cursor = None
        while True:
            page = await services.tasks.page(
                user, project_id, TaskFilters(), cursor=cursor, limit=settings.page_limit
            )
            tasks.extend(page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    except NotFound as exc:
        raise PageNotFound(user) from exc
    return ProjectPage(project, sections, tasks, members)


async def load_pane(
    services: Services, settings: Settings, user: User, page: ProjectPage, task_id: str
) -> TaskPane:
    """The open task with its subtasks, comments and recent activity (the last
    ``EVENT_PAGE_LIMIT`` events of the project's log)."""
    try:
        task = await services.tasks.get(user, task_id)
        if task.project_id != page.project.id:
            raise PageNotFound(user)
        parent = await services.tasks.get(user, task.parent_id) if task.parent_id else None
        subtasks = await services.tasks.subtasks(user, task_id)
        comments = await services.comments.list(user, task_id)
        limit = settings.event_page_limit
        history = await services.events.history(
            user, page.project.id, max(0, page.project.seq - limit), limit
        )
    except NotFound as exc:
        raise PageNotFound(user) from exc
    words = Vocabulary(
        people={member.user_id: member.user.name for member in page.members},
        sections={section.id: section.name for section in page.sections},
        today=services.runtime.clock.today(),
    )
    return TaskPane(task, parent, subtasks, comments, trail(history, task_id, words))
