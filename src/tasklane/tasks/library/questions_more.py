"""Templates of this area (docs/tasks.md)."""

from __future__ import annotations

from tasklane.tasks.model import Template

TEMPLATES: tuple[Template, ...] = ()
