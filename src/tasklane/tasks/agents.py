"""Agents the runner can be given by name, for trying the harness: ``oracle`` solves
every task with its template's own oracle, ``idle`` does nothing. A real agent is a
command or a Python function of the same shape (docs/tasks.md)."""

from __future__ import annotations

from typing import Any

from tasklane.client import TasklaneClient
from tasklane.tasks.library import TEMPLATES


def oracle(task: dict[str, Any]) -> None:
    """Solve the task as its template's oracle does, and submit the oracle's answer
    (``POST /api/answer``, as any agent would)."""
    template = TEMPLATES[task["instance"]["template"]]
    with TasklaneClient(task["url"]) as api:
        api.login(email=task["email"], password=task["password"])
        answer = template.solve(api, task["instance"]["params"])
        api.submit_answer(answer.status, answer.answer)


def idle(task: dict[str, Any]) -> None:
    """Do nothing, answer nothing."""


BUILT_IN = {"oracle": oracle, "idle": idle}
