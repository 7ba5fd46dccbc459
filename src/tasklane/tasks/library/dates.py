"""Due dates, relative to the app's "today": a day of next week, the end of the month,
another task's date, no date at all; and a section's overdue or undated tasks dated
at once.

Weeks start on Monday. Single-task intents say the day in words only (working out the
date is the task); bulk ones give it too, as the many rows are the task there.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta

from tasklane.client import TasklaneClient
from tasklane.tasks.library.bulk_more import Candidate, enough, for_an_editor, ids
from tasklane.tasks.library.helpers import (
    acting,
    field_is,
    listed_tasks,
    named_once,
    pick,
    task_changed,
    tasks_changed,
)
from tasklane.tasks.model import Answer, Params, Template
from tasklane.tasks.world import Row, World

DONE = Answer("done")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def month_end(today: date) -> date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def coming_friday(today: date) -> date:
    """The first Friday after today."""
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


def _named_task(world: World, rng: random.Random, wanted: str | None) -> Params | None:
    """An editor of a project, and an open top-level task of it, named once there,
    that is not due on ``wanted`` already (and has a due date when ``wanted`` is None)."""
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    tasks = [
        t
        for t in named_once(world.tasks(project["id"]))
        if t["parentId"] is None
        and t["status"] != "done"
        and (t["dueOn"] != wanted if wanted else t["dueOn"] is not None)
    ]
    task = pick(rng, tasks)
    return None if task is None else acting(person, project, task)


def _set_due(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], due_on=date.fromisoformat(p["due"]))
    return DONE


# -- a day of next week ---------------------------------------------------------------


def _next_week_sample(world: World, rng: random.Random) -> Params | None:
    day = rng.randrange(len(WEEKDAYS))
    monday = world.today - timedelta(days=world.today.weekday()) + timedelta(days=7)
    due = (monday + timedelta(days=day)).isoformat()
    found = _named_task(world, rng, due)
    return None if found is None else {**found, "weekday": WEEKDAYS[day], "due": due}


NEXT_WEEK_DAY = Template(
    id="date.due_next_week_day",
    tier="medium",
    intent='Make the task "{task}" in the project "{project}" due on {weekday} of next week '
    "(weeks start on Monday).",
    sample=_next_week_sample,
    solve=_set_due,
    check=lambda o, p: [field_is(o, p["task_id"], "dueOn", p["due"], "due_date_set")],
    allows=lambda c, p: task_changed(c, p["task_id"], {"dueOn"}),
)


# -- the last day of the month --------------------------------------------------------


def _month_end_sample(world: World, rng: random.Random) -> Params | None:
    due = month_end(world.today).isoformat()
    found = _named_task(world, rng, due)
    return None if found is None else {**found, "due": due}


MONTH_END = Template(
    id="date.due_month_end",
    tier="medium",
    intent='Set the due date of the task "{task}" in the project "{project}" to the last day '
    "of this month.",
    sample=_month_end_sample,
    solve=_set_due,
    check=lambda o, p: [field_is(o, p["task_id"], "dueOn", p["due"], "due_date_set")],
    allows=lambda c, p: task_changed(c, p["task_id"], {"dueOn"}),
)


# -- no due date ----------------------------------------------------------------------


def _clear_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], due_on=None)
    return DONE


CLEAR = Template(
    id="date.clear_due",
    tier="easy",
    intent='Clear the due date of the task "{task}" in the project "{project}", so that it has '
    "none.",
    sample=lambda world, rng: _named_task(world, rng, None),
    solve=_clear_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "dueOn", None, "due_date_cleared")],
    allows=lambda c, p: task_changed(c, p["task_id"], {"dueOn"}),
)


# -- the same day as another task -----------------------------------------------------


def _match_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    top = [t for t in named_once(world.tasks(project["id"])) if t["parentId"] is None]
    pairs = [
        (task, other)
        for other in top
        if other["dueOn"]
        for task in top
        if task["status"] != "done" and task["dueOn"] != other["dueOn"]
    ]
    found = pick(rng, pairs)
    if found is None:
        return None
    task, other = found
    return {
        **acting(person, project, task),
        "other": other["name"],
        "other_id": other["id"],
        "due": other["dueOn"],
    }


def _match_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], due_on=api.get_task(p["other_id"]).due_on)
    return DONE


MATCH_OTHER = Template(
    id="date.due_like_other_task",
    tier="medium",
    intent='In the project "{project}", make the task "{task}" due on the same day as the task '
    '"{other}".',
    sample=_match_sample,
    solve=_match_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "dueOn", p["due"], "same_due_date")],
    allows=lambda c, p: task_changed(c, p["task_id"], {"dueOn"}),
)


# -- a section's tasks dated at once --------------------------------------------------


def _section_tasks(world: World, project: Row) -> list[tuple[Row, list[Row]]]:
    tasks = world.tasks(project["id"], top=True)
    return [
        (section, [t for t in tasks if t["sectionId"] == section["id"]])
        for section in world.sections(project["id"])
    ]


def _in_section_sample(world: World, rng: random.Random, overdue: bool) -> Params | None:
    """A section with tasks to date: its overdue ones (to be due the coming Friday), or
    its open ones with no date (to be due at the end of the month)."""
    due = coming_friday(world.today) if overdue else month_end(world.today)
    found: list[Candidate] = []
    for project in world.projects:
        for section, tasks in _section_tasks(world, project):
            if overdue:
                targets = [t for t in tasks if world.overdue(t)]
            else:
                targets = [t for t in tasks if t["status"] != "done" and not t["dueOn"]]
            if enough(targets):
                params = {"section": section["name"], "section_id": section["id"]}
                found.append((project, {**params, "task_ids": ids(targets)}))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    return {**chosen, "today": world.today.isoformat(), "due": due.isoformat()}


def _overdue_solve(api: TasklaneClient, p: Params) -> Answer:
    today, due = date.fromisoformat(p["today"]), date.fromisoformat(p["due"])
    for task in listed_tasks(api, p["project_id"], section=p["section_id"]):
        late = task.status != "done" and task.due_on is not None and task.due_on < today
        if task.parent_id is None and late:
            api.update_task(task.id, due_on=due)
    return DONE


OVERDUE_TO_FRIDAY = Template(
    id="date.overdue_section_to_friday",
    tier="hard",
    intent='In the section "{section}" of the project "{project}", make every overdue task (not '
    "done, and due before today; top-level tasks only) due on the coming Friday ({due}).",
    sample=lambda world, rng: _in_section_sample(world, rng, overdue=True),
    solve=_overdue_solve,
    check=lambda o, p: [
        field_is(o, task_id, "dueOn", p["due"], f"due_friday:{task_id}")
        for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"dueOn"}),
)


def _undated_solve(api: TasklaneClient, p: Params) -> Answer:
    due = date.fromisoformat(p["due"])
    for task in listed_tasks(api, p["project_id"], section=p["section_id"]):
        if task.parent_id is None and task.status != "done" and task.due_on is None:
            api.update_task(task.id, due_on=due)
    return DONE


UNDATED_TO_MONTH_END = Template(
    id="date.undated_section_to_month_end",
    tier="hard",
    intent='In the section "{section}" of the project "{project}", give every task that is not '
    "done and has no due date a due date: the last day of this month (top-level tasks only; "
    "their subtasks stay as they are).",
    sample=lambda world, rng: _in_section_sample(world, rng, overdue=False),
    solve=_undated_solve,
    check=lambda o, p: [
        field_is(o, task_id, "dueOn", p["due"], f"due_month_end:{task_id}")
        for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"dueOn"}),
)

TEMPLATES = (
    NEXT_WEEK_DAY,
    MONTH_END,
    CLEAR,
    MATCH_OTHER,
    OVERDUE_TO_FRIDAY,
    UNDATED_TO_MONTH_END,
)
