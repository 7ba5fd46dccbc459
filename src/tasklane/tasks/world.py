"""The seeded state as templates and graders read it: ``GET /api/gym/state``'s JSON,
indexed, with the app's "today"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Row = dict[str, Any]
EDITORS = ("owner", "editor")  # who may change tasks and sections
COMMENTERS = ("owner", "editor", "commenter")


@dataclass(frozen=True)
class World:
    state: Mapping[str, list[Row]]
    today: date
    _by_id: dict[str, dict[str, Row]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, rows in self.state.items():
            self._by_id[name] = {row["id"]: row for row in rows if "id" in row}

    def rows(self, name: str) -> list[Row]:
        return list(self.state.get(name, []))

    def get(self, name: str, row_id: str | None) -> Row | None:
        return self._by_id.get(name, {}).get(row_id or "")

    # -- people and projects ------------------------------------------------------------

    @property
    def users(self) -> list[Row]:
        return self.rows("users")

    def user(self, user_id: str) -> Row:
        found = self.get("users", user_id)
        assert found is not None, user_id
        return found

    def email(self, user_id: str) -> str:
        return str(self.user(user_id)["email"])

    def name(self, user_id: str) -> str:
        return str(self.user(user_id)["name"])

    @property
    def projects(self) -> list[Row]:
        return [p for p in self.rows("projects") if not p.get("deletedAt")]

    def project(self, project_id: str) -> Row:
        found = self.get("projects", project_id)
        assert found is not None, project_id
        return found

    def members(self, project_id: str, roles: Iterable[str] | None = None) -> list[Row]:
        wanted = set(roles) if roles is not None else None
        return [
            m
            for m in self.rows("members")
            if m["projectId"] == project_id and (wanted is None or m["role"] in wanted)
        ]

    def role(self, project_id: str, user_id: str) -> str | None:
        found = [m["role"] for m in self.members(project_id) if m["userId"] == user_id]
        return found[0] if found else None

    def projects_of(self, user_id: str, roles: Iterable[str] = EDITORS) -> list[Row]:
        wanted = set(roles)
        mine = {
            m["projectId"]
            for m in self.rows("members")
            if m["userId"] == user_id and m["role"] in wanted
        }
        return [p for p in self.projects if p["id"] in mine]

    # -- sections and tasks -------------------------------------------------------------

    def sections(self, project_id: str) -> list[Row]:
        found = [s for s in self.rows("sections") if s["projectId"] == project_id]
        return sorted(found, key=lambda s: (s["rank"], s["id"]))

    def tasks(self, project_id: str | None = None, *, top: bool | None = None) -> list[Row]:
        found = [
            t
            for t in self.rows("tasks")
            if (project_id is None or t["projectId"] == project_id)
            and (top is None or (t["parentId"] is None) == top)
        ]
        return sorted(found, key=lambda t: t["id"])

    def task(self, task_id: str) -> Row | None:
        return self.get("tasks", task_id)

    def subtasks(self, task_id: str) -> list[Row]:
        return sorted(
            (t for t in self.rows("tasks") if t["parentId"] == task_id), key=lambda t: t["id"]
        )

    def comments(self, task_id: str) -> list[Row]:
        found = [c for c in self.rows("comments") if c["taskId"] == task_id]
        return sorted(found, key=lambda c: (c["createdAt"], c["id"]))

    def overdue(self, task: Row) -> bool:
        due = task.get("dueOn")
        return task["status"] != "done" and due is not None and date.fromisoformat(due) < self.today

    def editors(self) -> list[tuple[Row, Row]]:
        """Every (person, project) where the person may change the project's tasks, in
        a stable order."""
        found = [
            (self.user(m["userId"]), self.project(m["projectId"]))
            for m in self.rows("members")
            if m["role"] in EDITORS and self.get("projects", m["projectId"])
        ]
        return sorted(found, key=lambda pair: (pair[1]["id"], pair[0]["id"]))
