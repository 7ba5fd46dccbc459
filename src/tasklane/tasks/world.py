"""The seeded state as templates and graders read it: ``GET /api/gym/state``'s JSON,
indexed, with the app's "today"."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    _groups: dict[tuple[str, str], dict[Any, list[Row]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _sorted: dict[tuple[Any, ...], list[Row]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for name, rows in self.state.items():
            self._by_id[name] = {row["id"]: row for row in rows if "id" in row}

    def rows(self, name: str) -> list[Row]:
        return list(self.state.get(name, []))

    def get(self, name: str, row_id: str | None) -> Row | None:
        return self._by_id.get(name, {}).get(row_id or "")

    def where(self, name: str, key: str, value: Any) -> list[Row]:
        """The rows of ``name`` whose ``key`` is ``value``, in the state's order (indexed
        on first use: the large preset has tens of thousands of tasks)."""
        groups = self._groups.get((name, key))
        if groups is None:
            groups = {}
            for row in self.state.get(name, []):
                groups.setdefault(row.get(key), []).append(row)
            self._groups[(name, key)] = groups
        return list(groups.get(value, []))

    def _sorted_where(self, name: str, key: str, value: Any, order: tuple[str, ...]) -> list[Row]:
        """``where``, sorted by the fields ``order``."""

        def make() -> list[Row]:
            return sorted(self.where(name, key, value), key=lambda row: [row[f] for f in order])

        return self._kept((name, key, value, order), make)

    def _kept(self, key: tuple[Any, ...], make: Callable[[], list[Row]]) -> list[Row]:
        """A copy of ``make()``, made once per ``key``: samplers ask for the same sorted
        rows again and again (once per person who may edit a project, say), and on the
        large preset sorting them anew each time took most of drawing an instance."""
        found = self._sorted.get(key)
        if found is None:
            found = self._sorted[key] = make()
        return list(found)

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
            for m in self.where("members", "projectId", project_id)
            if wanted is None or m["role"] in wanted
        ]

    def role(self, project_id: str, user_id: str) -> str | None:
        found = [m["role"] for m in self.members(project_id) if m["userId"] == user_id]
        return found[0] if found else None

    def projects_of(self, user_id: str, roles: Iterable[str] = EDITORS) -> list[Row]:
        wanted = set(roles)
        mine = {
            m["projectId"] for m in self.where("members", "userId", user_id) if m["role"] in wanted
        }
        return [p for p in self.projects if p["id"] in mine]

    # -- sections and tasks -------------------------------------------------------------

    def sections(self, project_id: str) -> list[Row]:
        return self._sorted_where("sections", "projectId", project_id, ("rank", "id"))

    def tasks(self, project_id: str | None = None, *, top: bool | None = None) -> list[Row]:
        def make() -> list[Row]:
            among = (
                self.rows("tasks")
                if project_id is None
                else self.where("tasks", "projectId", project_id)
            )
            found = [t for t in among if top is None or (t["parentId"] is None) == top]
            return sorted(found, key=lambda t: t["id"])

        return self._kept(("tasks", project_id, top), make)

    def in_section(self, section_id: str) -> list[Row]:
        """The tasks of a section (top-level ones: subtasks have none), by id."""
        return self._sorted_where("tasks", "sectionId", section_id, ("id",))

    def in_board_order(self, section_id: str) -> list[Row]:
        """The tasks of a section as the board shows them: by sort key, then id."""
        return self._sorted_where("tasks", "sectionId", section_id, ("rank", "id"))

    def task(self, task_id: str) -> Row | None:
        return self.get("tasks", task_id)

    def subtasks(self, task_id: str) -> list[Row]:
        return self._sorted_where("tasks", "parentId", task_id, ("id",))

    def comments(self, task_id: str) -> list[Row]:
        return self._sorted_where("comments", "taskId", task_id, ("createdAt", "id"))

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
