"""A deterministic workspace from a seed and a preset.

``generate`` is pure: the same seed and preset give the same rows, down to the IDs,
names, timestamps and sort keys, on every machine and every database. Its shape is
what a real organisation looks like: teams with their own projects, a lead who owns
them, colleagues who edit and stakeholders from other teams who comment or watch,
tasks spread over sections that stand for their status (as a new project's do: a
move between them sets the status, a status change moves the task), assignments skewed towards a few
busy people, due dates around "today" (some overdue), subtasks, and comments.

Seeded projects start with an empty event log (``last_seq`` 0): everything an agent
does after a reset is its trajectory. Seeded comments and members carry negative
``created_seq`` values so they keep their order and sort before anything added later.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from argon2 import Type
from argon2.low_level import hash_secret
from fractional_indexing import generate_n_keys_between

from tasklane.gym import words
from tasklane.gym.presets import ANCHOR, PASSWORD, Preset
from tasklane.ids import IdGenerator
from tasklane.protocol.timestamps import to_millis
from tasklane.services.projects import PALETTE

Row = dict[str, Any]
Rows = dict[str, list[Row]]  # table name -> rows, in an order foreign keys accept

# The order tables are filled in (and emptied in reverse).
TABLES = ("users", "workspaces", "projects", "project_members", "sections", "tasks", "comments")

Progress = Callable[[str, int], None]  # (what, how many more)


def password_hash(seed: int) -> str:
    """One argon2id hash of the gym password, salted from the seed so that the stored
    bytes repeat. The cheapest parameters: every seeded password is public anyway, and
    signing in is an agent's first step in every episode (with 19 MiB and two passes,
    a check took 30 ms of the server's CPU; with these, under one)."""
    salt = hashlib.sha256(f"tasklane-gym-salt:{seed}".encode()).digest()[:16]
    encoded = hash_secret(
        PASSWORD.encode(),
        salt,
        time_cost=1,
        memory_cost=1_024,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    return encoded.decode()


class _Builder:
    def __init__(self, seed: int, preset: Preset) -> None:
        self.preset = preset
        self.rng = random.Random(f"tasklane-gym:{seed}:{preset.name}")
        self.ids = IdGenerator.seeded(f"tasklane-gym:{seed}:{preset.name}")
        self.rows: Rows = {table: [] for table in TABLES}
        self.password_hash = password_hash(seed)

    # -- helpers -----------------------------------------------------------------------

    def moment_between(self, start: datetime, end: datetime) -> datetime:
        span = max(0.0, (end - start).total_seconds())
        return to_millis(start + timedelta(seconds=self.rng.uniform(0, span)))

    def day(self, low: int, high: int) -> date:
        return ANCHOR.date() + timedelta(days=self.rng.randint(low, high))

    # -- the workspace -------------------------------------------------------------------

    def people(self) -> list[Row]:
        pairs = [(f, s) for f in words.FIRST_NAMES for s in words.LAST_NAMES]
        self.rng.shuffle(pairs)
        people = []
        for first, last in pairs[: self.preset.people]:
            people.append(
                {
                    "id": self.ids.new("user"),
                    "email": f"{first}.{last}@acme.example.com".lower(),
                    "name": f"{first} {last}",
                    "password_hash": self.password_hash,
                    "created_at": self.moment_between(
                        ANCHOR - timedelta(days=200), ANCHOR - timedelta(days=150)
                    ),
                }
            )
        self.rows["users"] = people
        return people

    def build(self) -> Rows:
        people = self.people()
        workspace_id = self.ids.new("ws")
        workspace = {
            "id": workspace_id,
            "name": "Acme",
            "created_at": to_millis(ANCHOR - timedelta(days=210)),
        }
        self.rows["workspaces"].append(workspace)
        teams = self.rng.sample(words.TEAMS, self.preset.teams)
        staff = list(people)
        self.rng.shuffle(staff)
        rosters = [staff[index :: len(teams)] for index in range(len(teams))]
        for team, roster in zip(teams, rosters, strict=True):
            outsiders = [p for p in people if p not in roster]
            themes = self.rng.sample(words.PROJECT_THEMES, self.preset.projects_per_team)
            for theme, description in themes:
                self.project(workspace_id, f"{team} · {theme}", description, roster, outsiders)
        return self.rows

    def project(
        self,
        workspace_id: str,
        name: str,
        description: str,
        roster: list[Row],
        outsiders: list[Row],
    ) -> None:
        lead = roster[0]
        created = self.moment_between(ANCHOR - timedelta(days=120), ANCHOR - timedelta(days=40))
        project_id = self.ids.new("proj")
        self.rows["projects"].append(
            {
                "id": project_id,
                "workspace_id": workspace_id,
                "name": name,
                "description": description,
                "color": self.rng.choice(PALETTE),
                "archived": False,
                "created_by": lead["id"],
                "created_at": created,
                "modified_at": created,
                "deleted_at": None,
                "last_seq": 0,
            }
        )
        members: list[tuple[Row, str]] = [(lead, "owner")]
        for person in roster[1:]:
            members.append((person, "commenter" if self.rng.random() < 0.15 else "editor"))
        guests = self.rng.sample(outsiders, min(len(outsiders), self.rng.randint(1, 3)))
        members += [(person, self.rng.choice(("commenter", "viewer"))) for person in guests]
        for number, (person, role) in enumerate(members):
            self.rows["project_members"].append(
                {
                    "id": self.ids.new("mem"),
                    "project_id": project_id,
                    "user_id": person["id"],
                    "role": role,
                    "created_at": to_millis(created + timedelta(minutes=number)),
                    "created_seq": number - len(members),
                }
            )
        editors = [p["id"] for p, role in members if role in ("owner", "editor")]
        talkers = [p["id"] for p, role in members if role != "viewer"]
        # A few people hold most of the work: weights fall off with rank.
        weights = [1 / (rank + 1) ** 1.3 for rank in range(len(editors))]
        layout = self.rng.choice(words.SECTION_LAYOUTS)
        section_keys = generate_n_keys_between(None, None, len(layout))
        share = {"todo": 4.0, "in_progress": 2.0, "done": 3.0}
        total = round(self.preset.tasks_per_project * self.rng.uniform(0.8, 1.2))
        counts = _split(total, [share[status] for _, status in layout], self.rng)
        comments: list[Row] = []
        for (section_name, status), key, count in zip(layout, section_keys, counts, strict=True):
            section_id = self.ids.new("sec")
            self.rows["sections"].append(
                {
                    "id": section_id,
                    "project_id": project_id,
                    "name": section_name,
                    "rank": str(key),
                    "status": status,
                    "created_at": created,
                }
            )
            for rank in generate_n_keys_between(None, None, count):
                task = self.task(project_id, section_id, None, str(rank), status, created)
                task["assignee_id"] = (
                    self.rng.choices(editors, weights)[0] if self.rng.random() < 0.85 else None
                )
                if task["status"] == "done":
                    task["completed_by"] = task["assignee_id"] or lead["id"]
                task["created_by"] = self.rng.choice(editors)
                self.rows["tasks"].append(task)
                if self.rng.random() < 0.2:
                    self.subtasks(task)
                if self.rng.random() < 0.4:
                    comments += self.comments(task, talkers)
        comments.sort(key=lambda c: (c["created_at"], c["id"]))
        for number, comment in enumerate(comments):
            comment["created_seq"] = number - len(comments)
        self.rows["comments"] += comments

    def task(
        self,
        project_id: str,
        section_id: str | None,
        parent_id: str | None,
        rank: str,
        status: str,
        after: datetime,
    ) -> Row:
        created = self.moment_between(after, ANCHOR - timedelta(hours=1))
        modified = self.moment_between(created, ANCHOR)
        if status == "done":
            due = self.day(-60, -1) if self.rng.random() < 0.5 else None
        else:
            due = self.day(-10, 40) if self.rng.random() < 0.7 else None
        qualifier = self.rng.choice(words.QUALIFIERS)
        name = f"{self.rng.choice(words.VERBS)} {self.rng.choice(words.OBJECTS)}{qualifier}"
        return {
            "id": self.ids.new("task"),
            "project_id": project_id,
            "section_id": section_id,
            "parent_id": parent_id,
            "name": name,
            "notes": self.rng.choice(("", "", "See the brief in the project description.")),
            "status": status,
            "assignee_id": None,
            "due_on": due,
            "completed_at": modified if status == "done" else None,
            "completed_by": None,
            "rank": rank,
            "created_by": None,
            "created_at": created,
            "modified_at": modified,
        }

    def subtasks(self, parent: Row) -> None:
        names = self.rng.sample(words.SUBTASKS, self.rng.randint(1, 4))
        for name, rank in zip(names, generate_n_keys_between(None, None, len(names)), strict=True):
            done = parent["status"] == "done" or self.rng.random() < 0.3
            sub = self.task(
                parent["project_id"],
                None,
                parent["id"],
                str(rank),
                "done" if done else "todo",
                parent["created_at"],
            )
            sub.update(
                name=name,
                due_on=None,
                assignee_id=parent["assignee_id"],
                created_by=parent["created_by"],
                completed_by=(parent["assignee_id"] or parent["created_by"]) if done else None,
            )
            self.rows["tasks"].append(sub)

    def comments(self, task: Row, talkers: list[str]) -> list[Row]:
        made = []
        moment = task["created_at"]
        for _ in range(self.rng.randint(1, 4)):
            moment = self.moment_between(moment, ANCHOR)
            made.append(
                {
                    "id": self.ids.new("cmt"),
                    "task_id": task["id"],
                    "project_id": task["project_id"],
                    "author_id": self.rng.choice(talkers),
                    "text": self.rng.choice(words.COMMENTS),
                    "created_at": moment,
                    "edited_at": None,
                    "created_seq": 0,
                }
            )
        return made


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """``total`` items over buckets in proportion to ``weights``, at least one each."""
    counts = [1] * len(weights)
    for index in rng.choices(range(len(weights)), weights, k=max(0, total - len(weights))):
        counts[index] += 1
    return counts


def generate(seed: int, preset: Preset) -> Rows:
    """The rows of the seeded workspace, table by table."""
    rows = _Builder(seed, preset).build()
    # Parents before their subtasks, so that rows can be inserted one by one.
    rows["tasks"].sort(key=lambda task: task["parent_id"] is not None)
    return rows
