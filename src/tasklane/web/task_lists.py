"""Tasks across projects: My Tasks in date groups, and search results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tasklane.models import User
from tasklane.protocol.auth import UserPublic
from tasklane.protocol.project import ProjectView
from tasklane.protocol.task import TaskPublic
from tasklane.services import Services
from tasklane.services.errors import NotFound
from tasklane.services.task_reads import TaskFilters
from tasklane.settings import Settings

UPCOMING_DAYS = 7  # "Upcoming" is the coming week; further out is "Later"

# key, heading, what an empty group says
GROUPS = (
    ("overdue", "Overdue", "Nothing overdue. Nice."),
    ("today", "Today", "Nothing due today."),
    ("upcoming", "Upcoming", f"Nothing due in the next {UPCOMING_DAYS} days."),
    ("later", "Later", "Nothing due later."),
    ("no_date", "No date", "Every task of yours has a due date."),
    ("done", "Completed", "Tasks you complete show up here."),
)


def due_groups() -> list[dict[str, str]]:
    """The date groups for the pages' scripts (view-filters.js groups by them)."""
    return [{"key": key, "title": title, "empty": empty} for key, title, empty in GROUPS]


@dataclass(frozen=True)
class TaskGroup:
    key: str
    title: str
    empty: str
    tasks: list[TaskPublic]


def bucket(task: TaskPublic, today: date) -> str:
    """The My Tasks group of ``task``: open tasks by due date; completed ones apart."""
    if task.completed:
        return "done"
    if task.due_on is None:
        return "no_date"
    if task.due_on < today:
        return "overdue"
    if task.due_on == today:
        return "today"
    if task.due_on <= today + timedelta(days=UPCOMING_DAYS):
        return "upcoming"
    return "later"


def group_by_due(tasks: list[TaskPublic], today: date) -> list[TaskGroup]:
    """Every group, in order, each keeping the tasks' order (soonest due first)."""
    keys = {task.id: bucket(task, today) for task in tasks}
    return [
        TaskGroup(key, title, empty, [task for task in tasks if keys[task.id] == key])
        for key, title, empty in GROUPS
    ]


@dataclass(frozen=True)
class SearchResults:
    tasks: list[TaskPublic]
    people: dict[str, UserPublic]  # the assignees' projects' members, for names


async def search(
    services: Services, settings: Settings, user: User, projects: list[ProjectView], text: str
) -> SearchResults:
    """Top-level tasks whose name or notes contain ``text``, project by project in the
    sidebar's order, each project's in rank order."""
    tasks: list[TaskPublic] = []
    people: dict[str, UserPublic] = {}
    for project in projects:
        try:
            found = await services.tasks.page(
                user, project.id, TaskFilters(text=text), cursor=None, limit=settings.page_limit
            )
            members = await services.members.list(user, project.id) if found.items else []
        except NotFound:  # left or deleted since the list was read
            continue
        tasks.extend(found.items)
        people.update((member.user_id, member.user) for member in members)
    return SearchResults(tasks, people)
