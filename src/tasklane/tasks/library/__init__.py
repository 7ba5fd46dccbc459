"""The template library: every template of every module here, by id."""

from __future__ import annotations

from tasklane.tasks.library import (
    assign,
    bulk,
    bulk_more,
    comments,
    conditional,
    dates,
    details,
    hard_multi,
    infeasible,
    infeasible_more,
    members,
    moves,
    multi,
    projects,
    questions,
    questions_more,
    questions_people,
    sections,
    subtasks,
    tasks,
)
from tasklane.tasks.model import Template

MODULES = (
    tasks,
    sections,
    comments,
    members,
    bulk,
    bulk_more,
    multi,
    questions,
    questions_more,
    infeasible,
    subtasks,
    dates,
    assign,
    conditional,
    details,
    projects,
    questions_people,
    hard_multi,
    infeasible_more,
    moves,
)
TEMPLATES: dict[str, Template] = {t.id: t for module in MODULES for t in module.TEMPLATES}
