"""Changes to every task that meets a condition: someone's overdue work started, the
tasks whose name holds a word assigned, someone's tasks in progress gathered in a section,
the tasks whose subtasks are all done completed, the overdue ones commented on.

Only the tasks the condition picks out and that still need the change are graded: a
task that was right already is no progress.
"""

from __future__ import annotations

import random
import re
from datetime import date

from tasklane.client import TasklaneClient
from tasklane.tasks.changes import Change
from tasklane.tasks.library.bulk_more import MOST, Candidate, enough, for_an_editor, ids
from tasklane.tasks.library.helpers import (
    COMPLETION,
    STATUS_CHANGE,
    added,
    field_is,
    listed_tasks,
    tasks_changed,
)
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import Row, World

DONE = Answer("done")
COMMENTED = 8  # targets at most where each is to get a comment
WORD = re.compile(r"[a-z]{5,}")


def commented_once(o: Outcome, task_id: str, author: str, text: str) -> Check:
    """Exactly one new comment of ``author`` on the task says ``text`` (a final full
    stop aside)."""
    found = added(
        o,
        "comments",
        lambda c: (
            c["taskId"] == task_id
            and c["authorId"] == author
            and c["text"].strip().rstrip(".") == text.rstrip(".")
        ),
    )
    return Check(f"commented:{task_id}", len(found) == 1, f"{len(found)} such comments")


def comment_on(change: Change, task_ids: list[str]) -> bool:
    """Whether a change adds a comment on one of ``task_ids``."""
    return (
        change.collection == "comments"
        and change.kind == "added"
        and change.value("taskId") in task_ids
    )


def _some(targets: list[Row]) -> bool:
    """A condition that picks out at least one task, and few enough to change by hand."""
    return 1 <= len(targets) <= MOST


def narrowed(tasks: list[Row], most: int, least: int = 2) -> list[tuple[str | None, list[Row]]]:
    """``tasks`` as one group if there are a few (``least`` to ``most``), else each
    assignee's among them where those are a few: (the assignee or None, the group). A
    condition too broad on a large project is narrowed to one person's tasks."""
    if least <= len(tasks) <= most:
        return [(None, tasks)]
    groups: dict[str, list[Row]] = {}
    for task in tasks:
        if task["assigneeId"]:
            groups.setdefault(task["assigneeId"], []).append(task)
    return [(who, group) for who, group in sorted(groups.items()) if least <= len(group) <= most]


def whose_words(world: World, params: Params) -> Params:
    """The words for a group's assignee, if it is one person's: " assigned to X"."""
    who = params.get("whose_id")
    return {**params, "of": "" if who is None else f" assigned to {world.name(who)}"}


# -- someone's overdue tasks in progress ----------------------------------------------


def _started_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        late: dict[str, list[Row]] = {}
        for task in world.tasks(project["id"]):
            if world.overdue(task) and task["assigneeId"]:
                late.setdefault(task["assigneeId"], []).append(task)
        for whose, tasks in sorted(late.items()):
            targets = [t for t in tasks if t["status"] != "in_progress"]
            if _some(targets) and len(tasks) <= MOST:
                found.append((project, {"whose_id": whose, "task_ids": ids(targets)}))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    return {**chosen, "whose": world.name(chosen["whose_id"]), "today": world.today.isoformat()}


def _started_solve(api: TasklaneClient, p: Params) -> Answer:
    today = date.fromisoformat(p["today"])
    for task in listed_tasks(api, p["project_id"], assignee=p["whose_id"]):
        late = task.status != "done" and task.due_on is not None and task.due_on < today
        if task.assignee_id == p["whose_id"] and late and task.status != "in_progress":
            api.update_task(task.id, status="in_progress")
    return DONE


OVERDUE_IN_PROGRESS = Template(
    id="conditional.overdue_in_progress",
    version=2,
    tier="medium",
    intent='In the project "{project}", mark every overdue task assigned to {whose} (not done, '
    "and due before today; subtasks included) as in progress.",
    sample=_started_sample,
    solve=_started_solve,
    check=lambda o, p: [
        field_is(o, task_id, "status", "in_progress", f"in_progress:{task_id}")
        for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], STATUS_CHANGE),
)


# -- the open tasks whose name holds a word, to someone -------------------------------


def _by_word(tasks: list[Row]) -> dict[str, list[Row]]:
    """The open tasks whose name holds each word, for the words of the tasks' names
    that, wherever they occur in a name, are whole words (so that "contains" and "has
    the word" pick out the same tasks)."""
    names = [t["name"].lower() for t in tasks]
    tokens = [set(WORD.findall(name)) for name in names]
    found = {}
    for word in sorted(set().union(*tokens)):
        holding = [i for i, name in enumerate(names) if word in name]
        if all(word in tokens[i] for i in holding):
            found[word] = [tasks[i] for i in holding if tasks[i]["status"] != "done"]
    return found


def _named_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        members = sorted(m["userId"] for m in world.members(project["id"]))
        for word, matching in _by_word(world.tasks(project["id"])).items():
            if len(matching) > MOST:
                continue
            for assignee in members:
                targets = [t for t in matching if t["assigneeId"] != assignee]
                if enough(targets):
                    params = {"word": word, "assignee_id": assignee, "task_ids": ids(targets)}
                    found.append((project, params))
    chosen = for_an_editor(world, rng, found)
    return None if chosen is None else {**chosen, "assignee": world.name(chosen["assignee_id"])}


def _named_solve(api: TasklaneClient, p: Params) -> Answer:
    for task in listed_tasks(api, p["project_id"], q=p["word"]):  # names and notes
        matches = p["word"] in task.name.lower() and task.status != "done"
        if matches and task.assignee_id != p["assignee_id"]:
            api.update_task(task.id, assignee_id=p["assignee_id"])
    return DONE


NAME_CONTAINS = Template(
    id="conditional.assign_name_contains",
    tier="medium",
    intent='In the project "{project}", assign to {assignee} every task that is not done and '
    'whose name contains the word "{word}" (in any case; subtasks included).',
    sample=_named_sample,
    solve=_named_solve,
    check=lambda o, p: [
        field_is(o, task_id, "assigneeId", p["assignee_id"], f"assigned:{task_id}")
        for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"assigneeId"}),
)


# -- the tasks in progress into one section -------------------------------------------


def _gather_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        tasks = world.tasks(project["id"], top=True)
        started: dict[str, list[Row]] = {}
        for task in tasks:
            if task["status"] == "in_progress" and task["assigneeId"]:
                started.setdefault(task["assigneeId"], []).append(task)
        for section in world.sections(project["id"]):
            inside = [t for t in tasks if t["sectionId"] == section["id"]]
            if not any(t["status"] == "in_progress" for t in inside):
                continue  # where work in progress is kept already: "Doing", "Review", ...
            for whose, theirs in sorted(started.items()):
                targets = [t for t in theirs if t["sectionId"] != section["id"]]
                if enough(targets):
                    params = {"section": section["name"], "section_id": section["id"]}
                    params |= {"whose_id": whose, "task_ids": ids(targets), "ranked": ids(inside)}
                    found.append((project, params))
    chosen = for_an_editor(world, rng, found)
    return None if chosen is None else {**chosen, "whose": world.name(chosen["whose_id"])}


def _gather_solve(api: TasklaneClient, p: Params) -> Answer:
    for task in listed_tasks(api, p["project_id"], status="in_progress", assignee=p["whose_id"]):
        theirs = task.assignee_id == p["whose_id"] and task.status == "in_progress"
        if theirs and task.parent_id is None and task.section_id != p["section_id"]:
            api.move_task(task.id, section_id=p["section_id"])
    return DONE


GATHER_IN_PROGRESS = Template(
    id="conditional.gather_in_progress",
    version=2,
    tier="medium",
    intent='In the project "{project}", move every top-level task of {whose} that is in progress '
    'into the section "{section}".',
    sample=_gather_sample,
    solve=_gather_solve,
    check=lambda o, p: [
        field_is(o, task_id, "sectionId", p["section_id"], f"moved:{task_id}")
        for task_id in p["task_ids"]
    ],
    # The section's own tasks may get new sort keys to make room; the status of those
    # moved follows the section where it stands for one.
    allows=lambda c, p: (
        tasks_changed(c, p["task_ids"], {"sectionId", "rank", "status"} | COMPLETION)
        or tasks_changed(c, p["ranked"], {"rank"})
    ),
)


# -- complete what has all its subtasks done ------------------------------------------


def _finished_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        tasks = world.tasks(project["id"])
        children: dict[str, list[Row]] = {}
        for task in tasks:
            if task["parentId"]:
                children.setdefault(task["parentId"], []).append(task)
        targets = [
            t
            for t in tasks
            if t["status"] != "done"
            and t["id"] in children
            and all(s["status"] == "done" for s in children[t["id"]])
        ]
        if _some(targets):
            found.append((project, {"task_ids": ids(targets)}))
    return for_an_editor(world, rng, found)


def _finished_solve(api: TasklaneClient, p: Params) -> Answer:
    tasks = listed_tasks(api, p["project_id"])
    children: dict[str, list[str]] = {}
    for task in tasks:
        if task.parent_id:
            children.setdefault(task.parent_id, []).append(task.status)
    for task in tasks:
        statuses = children.get(task.id)
        if task.status != "done" and statuses and all(s == "done" for s in statuses):
            api.update_task(task.id, status="done")
    return DONE


COMPLETE_FINISHED = Template(
    id="conditional.complete_when_subtasks_done",
    version=2,
    tier="hard",
    intent='In the project "{project}", find every task that is not done although it has '
    "subtasks and all of them are done, and mark it as complete.",
    sample=_finished_sample,
    solve=_finished_solve,
    check=lambda o, p: [
        field_is(o, task_id, "status", "done", f"done:{task_id}") for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], STATUS_CHANGE),
)


# -- a comment on every overdue task --------------------------------------------------

NUDGE = "Is this still on track?"


def _nudge_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        late = [t for t in world.tasks(project["id"]) if world.overdue(t)]
        for whose, targets in narrowed(late, COMMENTED):
            found.append((project, {"whose_id": whose, "task_ids": ids(targets)}))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    return {**whose_words(world, chosen), "text": NUDGE, "today": world.today.isoformat()}


def _nudge_solve(api: TasklaneClient, p: Params) -> Answer:
    today = date.fromisoformat(p["today"])
    for task in listed_tasks(api, p["project_id"], due_before=today):
        theirs = p["whose_id"] is None or task.assignee_id == p["whose_id"]
        if theirs and task.status != "done" and task.due_on is not None and task.due_on < today:
            api.create_comment(task.id, p["text"])
    return DONE


NUDGE_OVERDUE = Template(
    id="conditional.comment_overdue",
    tier="hard",
    intent='In the project "{project}", comment "{text}" on every overdue task{of} (not done, '
    "and due before today; subtasks included).",
    sample=_nudge_sample,
    solve=_nudge_solve,
    check=lambda o, p: [commented_once(o, t, p["me"], p["text"]) for t in p["task_ids"]],
    allows=lambda c, p: comment_on(c, p["task_ids"]),
)

TEMPLATES = (
    OVERDUE_IN_PROGRESS,
    NAME_CONTAINS,
    GATHER_IN_PROGRESS,
    COMPLETE_FINISHED,
    NUDGE_OVERDUE,
)
