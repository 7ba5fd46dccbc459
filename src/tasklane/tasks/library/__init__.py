"""The template library: every template of every module here, by id."""

from __future__ import annotations

from tasklane.tasks.library import bulk, comments, questions, tasks
from tasklane.tasks.model import Template

MODULES = (tasks, comments, bulk, questions)
TEMPLATES: dict[str, Template] = {t.id: t for module in MODULES for t in module.TEMPLATES}
