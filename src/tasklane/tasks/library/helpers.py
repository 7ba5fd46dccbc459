"""What templates share: choosing from the state, and the checks and allowances most
of them are made of."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from tasklane.client import TasklaneClient
from tasklane.protocol.task import TaskPublic
from tasklane.tasks.changes import Change
from tasklane.tasks.model import Check, Outcome, Params
from tasklane.tasks.world import Row

T = TypeVar("T")
TASK_FIELDS = {"name", "notes", "status", "assigneeId", "dueOn", "sectionId", "rank"}
COMPLETION = {"completedAt", "completedBy"}  # follow a status change to or from done
# A top-level task's status change, and the move to the section standing for the new
# status that follows it where its section stands for another (README, "Sections and
# status").
STATUS_CHANGE = {"status", "sectionId", "rank"} | COMPLETION


def pick(rng: random.Random, choices: Sequence[T]) -> T | None:
    """One of ``choices`` (in a stable order: the caller's), or None if there are none."""
    return rng.choice(list(choices)) if choices else None


def task_changed(change: Change, task_id: str, fields: set[str]) -> bool:
    """Whether ``change`` is a change of task ``task_id`` in ``fields`` only."""
    return (
        change.collection == "tasks"
        and change.kind == "changed"
        and change.row_id == task_id
        and change.fields <= fields | {"modifiedAt"}
    )


def unassigned_by_removal(change: Change, project_id: str, user_id: str) -> bool:
    """Whether ``change`` is what removing ``user_id`` from the project does to one of
    its tasks: the assignee, if it was them, becomes no one (README, "Members and
    assignees")."""
    return (
        change.collection == "tasks"
        and change.kind == "changed"
        and change.fields <= {"assigneeId", "modifiedAt"}
        and change.before is not None
        and change.after is not None
        and change.before["assigneeId"] == user_id
        and change.after["assigneeId"] is None
        and change.after["projectId"] == project_id
    )


def field_is(outcome: Outcome, task_id: str, name: str, wanted: Any, check: str) -> Check:
    task = outcome.after.task(task_id)
    found = None if task is None else task.get(name)
    return Check(check, found == wanted, f"{name} is {found!r}, wanted {wanted!r}")


def added(outcome: Outcome, collection: str, match: Callable[[Row], bool]) -> list[Row]:
    return [
        c.after
        for c in outcome.changes
        if c.collection == collection
        and c.kind == "added"
        and c.after is not None
        and match(c.after)
    ]


def answered(outcome: Outcome, wanted: Any, name: str = "answer_is_right") -> Check:
    """The agent said it was done, and answered ``wanted`` (numbers and strings
    compared loosely: 3 and "3", case and spaces of an email)."""
    answer = outcome.answer
    if answer is None or answer.status != "done":
        return Check(name, False, "no answer")
    return Check(name, _same(answer.answer, wanted), f"answered {answer.answer!r}")


def _same(given: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        if not isinstance(given, list):
            return False
        return sorted(_norm(g) for g in given) == sorted(_norm(w) for w in wanted)
    return _norm(given) == _norm(wanted)


def _norm(value: Any) -> str:
    return str(value).strip().lower()


def reported_infeasible(outcome: Outcome) -> Check:
    answer = outcome.answer
    status = "no answer" if answer is None else answer.status
    return Check("reported_infeasible", status == "infeasible", f"status {status}")


def every_task(api: TasklaneClient, project_id: str) -> list[TaskPublic]:
    """Every task of a project, subtasks included, through the JSON API (an oracle's
    way, as an agent's would be)."""
    found: list[TaskPublic] = []
    cursor = None
    while True:
        page = api.list_tasks(project_id, cursor=cursor)
        found.extend(page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    for task in list(found):
        found.extend(_subtasks_of(api, task.id))
    return found


def _subtasks_of(api: TasklaneClient, task_id: str) -> list[TaskPublic]:
    found = []
    for sub in api.list_subtasks(task_id):
        found.append(sub)
        found.extend(_subtasks_of(api, sub.id))
    return found


def named_once(tasks: Sequence[Row]) -> list[Row]:
    """Those of ``tasks`` whose name none of the others has: the ones an intent may
    name (pass every task of a project, subtasks included, whose names may repeat)."""
    counts: dict[str, int] = {}
    for task in tasks:
        counts[task["name"]] = counts.get(task["name"], 0) + 1
    return [t for t in tasks if counts[t["name"]] == 1]


def tasks_changed(change: Change, task_ids: Sequence[str], fields: set[str]) -> bool:
    """Whether ``change`` is a change of one of ``task_ids`` in ``fields`` only."""
    return any(task_changed(change, task_id, fields) for task_id in task_ids)


def listed_tasks(api: TasklaneClient, project_id: str, **filters: Any) -> list[TaskPublic]:
    """Every task of a project that the API's list filters let through, subtasks
    included, in one paged listing (``every_task`` without a call per task)."""
    found: list[TaskPublic] = []
    cursor = None
    while True:
        page = api.list_tasks(project_id, subtasks=True, cursor=cursor, **filters)
        found.extend(page.items)
        if not page.next_cursor:
            return found
        cursor = page.next_cursor


def member_email(api: TasklaneClient, project_id: str, user_id: str) -> str:
    """The email of a member of the project, as its member list shows it."""
    return next(m.user.email for m in api.list_members(project_id) if m.user_id == user_id)


def acting(person: Row, project: Row, task: Row | None = None) -> Params:
    """The parameters most templates start from: the persona (``as``, ``me``), the
    project, and the task named in the intent, if any."""
    found: Params = {
        "as": person["email"],
        "me": person["id"],
        "project": project["name"],
        "project_id": project["id"],
    }
    if task is not None:
        found.update(task=task["name"], task_id=task["id"])
    return found
