"""The one way a page is rendered: HTML from a Jinja template (every value escaped),
carrying the data it shows as JSON for the page's script."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import BaseModel
from starlette.responses import Response

from tasklane.edge.addresses import gateway_address
from tasklane.edge.episodes import episode_of, root_of
from tasklane.markdown import render as render_markdown
from tasklane.models import User
from tasklane.protocol.auth import UserPublic
from tasklane.protocol.project import ProjectView
from tasklane.protocol.timestamps import iso_millis
from tasklane.services import Services
from tasklane.settings import Settings
from tasklane.web import formatting

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

Json = dict[str, Any]

# Inside <script type="application/json"> the HTML parser only looks for "</script";
# escaping every <, > and & (and the two line separators JavaScript once disliked)
# means no string in the data, whoever typed it, can end the element or open a comment.
_SCRIPT_SAFE = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(data: Any) -> Markup:
    """``data`` as JSON that is inert inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_SAFE))


def wire(model: BaseModel) -> Json:
    """A model exactly as the JSON API sends it (camelCase, ISO timestamps)."""
    return model.model_dump(mode="json", by_alias=True)


# What the macros render inside a <template> element: the markup of a task or comment
# with every value empty, for the scripts to clone and fill.
BLANK_TASK = SimpleNamespace(
    id="",
    project_id="",
    section_id=None,
    parent_id=None,
    name="",
    notes="",
    status="todo",
    completed=False,
    assignee_id=None,
    due_on=None,
    subtask_count=0,
    comment_count=0,
)
BLANK_COMMENT = SimpleNamespace(
    id="", task_id="", author_id="", text="", created_at=None, edited_at=None
)


def build_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        status_label=formatting.status_label,
        role_label=formatting.role_label,
        due_label=formatting.due_label,
        ago=formatting.ago,
        initials=formatting.initials,
        hue=formatting.avatar_hue,
        person_hue=formatting.person_hue,
        iso_day=formatting.iso_day,
        iso=iso_millis,
        ink_on=formatting.ink_on,
        markdown=lambda text: Markup(render_markdown(text)),
    )
    env.globals.update(
        is_overdue=formatting.is_overdue,
        STATUS_LABELS=formatting.STATUS_LABELS,
        ROLE_LABELS=formatting.ROLE_LABELS,
        ROLE_HINTS=formatting.ROLE_HINTS,
        PROJECT_COLORS=formatting.PROJECT_COLORS,
        BLANK_TASK=BLANK_TASK,
        BLANK_COMMENT=BLANK_COMMENT,
    )
    return Jinja2Templates(env=env)


@dataclass(frozen=True)
class Frame:
    """What every signed-in page shows around its content: who is signed in and the
    sidebar's projects."""

    me: UserPublic
    projects: list[ProjectView]  # archived ones too: Home lists them, the sidebar not
    gateway: dict[str, str]
    current: str = ""  # "home", "my-tasks", "search" or a project id
    person_seq: int = 0  # the head of the reader's own log, read before the rest

    def data(self) -> Json:
        """The ``me``, ``gateway`` and ``personSeq`` every page's data starts with: the
        page follows the reader's own log from there (static/js/person-live.js)."""
        return {
            "me": {
                "id": self.me.id,
                "name": self.me.name,
                "email": self.me.email,
                "avatarColor": self.me.avatar_color,
            },
            "gateway": self.gateway,
            "personSeq": self.person_seq,
            "current": self.current,
        }


def gateway_urls(request: Request, settings: Settings) -> dict[str, str]:
    """The realtime gateway the page connects to (its ``ws`` and ``http`` bases, with
    the request's episode prefix)."""
    address = gateway_address(request, settings)
    return {"ws": address.ws, "http": address.http}


def services_of(request: Request) -> Services:
    """The services of the episode the request is for."""
    services: Services = episode_of(request).services
    return services


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def load_frame(request: Request, user: User, current: str = "") -> Frame:
    """The frame, and the head of the reader's own log read first: whatever changes
    after it (the projects listed here, the tasks My Tasks lists after this) is in the
    log after that head, so the page that follows it from there misses nothing."""
    services = services_of(request)
    heads = await services.events.heads([user.id])
    projects = await services.projects.list_for(user)
    return Frame(
        me=UserPublic.model_validate(user),
        projects=projects,
        gateway=gateway_urls(request, settings_of(request)),
        current=current,
        person_seq=heads.get(user.id, 0),
    )


@dataclass
class FormState:
    """What a form sent and what was wrong with it, to show it again beside the
    fields. Keys are the form's name and field, e.g. ``"add-task:sec_1"``."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    def error(self, key: str) -> str:
        return self.errors.get(key, "")


def render(
    request: Request,
    template: str,
    *,
    title: str,
    data: Json,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """``template`` with the page's ``title`` and its ``data`` embedded for scripts,
    and the episode's ``root`` that every address the page gives out starts with."""
    templates: Jinja2Templates = request.app.state.templates
    context.setdefault("form", FormState())
    context["blank_form"] = FormState()  # for the markup inside <template> elements
    context.setdefault("frame", None)
    context.setdefault("script", None)
    context["root"] = root_of(request)
    clock = services_of(request).runtime.clock
    # A gym sets the app's clock: the page's scripts then count days from its "today".
    context["clock_today"] = clock.today().isoformat() if getattr(clock, "adjusted", False) else ""
    return templates.TemplateResponse(
        request,
        template,
        {"title": title, "page_data": script_json(data), **context},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )
