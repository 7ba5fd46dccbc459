"""A task's activity trail in words, read from the project's event log:
"Ana changed the status to In progress". Pure functions of stored events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tasklane.models import Event
from tasklane.web.formatting import due_label, status_label


@dataclass(frozen=True)
class ActivityItem:
    seq: int
    actor_id: str | None
    text: str
    at: datetime


@dataclass(frozen=True)
class Vocabulary:
    """The names the words need: people and sections by id, and today for due dates."""

    people: Mapping[str, str]
    sections: Mapping[str, str]
    today: date

    def person(self, user_id: str | None) -> str:
        if user_id is None:
            return "Tasklane"
        return self.people.get(user_id, "A former member")


def trail(events: Iterable[Event], task_id: str, words: Vocabulary) -> list[ActivityItem]:
    """What happened to ``task_id`` and its subtasks and comments, oldest first."""
    items = []
    for event in events:
        phrase = describe(event.type, event.data, task_id, words)
        if phrase is not None:
            text = f"{words.person(event.actor_id)} {phrase}"
            items.append(ActivityItem(event.seq, event.actor_id, text, event.created_at))
    return items


def describe(kind: str, data: Mapping[str, Any], task_id: str, words: Vocabulary) -> str | None:
    """The predicate of one event about ``task_id`` ("commented"), or None if the event
    is about something else."""
    task = data.get("task") or {}
    if data.get("taskId") == task_id:
        if kind == "task_created":
            return "created this task"
        if kind == "task_status_changed":
            status = f"changed the status to {status_label(data['newStatus'])}"
            return _joined([status, *_changes(data["changes"], task, words, skip={"status"})])
        if kind == "task_updated":
            return _joined(_changes(data["changes"], task, words)) or None
        if kind.startswith("comment_"):
            return {
                "comment_created": "commented",
                "comment_updated": "edited a comment",
                "comment_deleted": "deleted a comment",
            }.get(kind)
        return None
    parent = task.get("parentId") if task else data.get("parentId")
    if parent != task_id:
        return None
    name = f"“{task['name']}”" if task else ""
    if kind == "task_created":
        return f"added the subtask {name}"
    if kind == "task_status_changed":
        done = data["newStatus"] == "done"
        return f"{'completed' if done else 'reopened'} the subtask {name}"
    if kind == "task_deleted":
        return "deleted a subtask"
    return None  # renames and the like of a subtask belong to the subtask's own trail


def _changes(
    changes: list[str], task: Mapping[str, Any], words: Vocabulary, skip: set[str] | None = None
) -> list[str]:
    phrases = []
    fields = [name for name in changes if name not in (skip or set())]
    for name in fields:
        if name == "name":
            phrases.append(f"renamed this task to “{task['name']}”")
        elif name == "notes":
            phrases.append("edited the notes")
        elif name == "assigneeId":
            who = task.get("assigneeId")
            phrases.append(f"assigned this to {words.person(who)}" if who else "unassigned this")
        elif name == "dueOn":
            due = task.get("dueOn")
            if due:
                label = due_label(date.fromisoformat(due), words.today)
                relative = label in ("Today", "Tomorrow", "Yesterday")
                phrases.append(f"set the due date to {label.lower() if relative else label}")
            else:
                phrases.append("removed the due date")
        elif name == "sectionId":
            section = words.sections.get(task.get("sectionId") or "", "another section")
            phrases.append(f"moved this task to {section}")
        elif name == "rank" and "sectionId" not in fields:
            phrases.append("reordered this task")
    return phrases


def _joined(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]
