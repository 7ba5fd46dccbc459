"""The app's pages: Home, a project (List, Board, a task's pane), its members, My Tasks
and search. Each route authenticates, reads through the services, and renders; the
``*_response`` functions are shared with the forms, which show a page again with what
went wrong."""

from __future__ import annotations

from typing import Literal

import httpx
from fastapi import APIRouter, Request
from starlette.responses import Response

from tasklane.edge.episodes import episode_of, root_of
from tasklane.models import User
from tasklane.protocol.auth import UserPublic
from tasklane.web.guards import PageUser
from tasklane.web.project_page import Rows, load_pane, load_project
from tasklane.web.rendering import (
    FormState,
    Frame,
    Json,
    load_frame,
    render,
    services_of,
    settings_of,
    wire,
)
from tasklane.web.task_lists import UPCOMING_DAYS, due_groups, group_by_due, search

router = APIRouter(include_in_schema=False)

View = Literal["list", "board"]


def project_url(project_id: str, view: str = "list") -> str:
    """The project's page, as a path inside the episode (``urls.at`` adds the prefix)."""
    return f"/projects/{project_id}/board" if view == "board" else f"/projects/{project_id}"


def task_url(project_id: str, task_id: str, view: str = "list") -> str:
    url = f"/projects/{project_id}/tasks/{task_id}"
    return url + "?view=board" if view == "board" else url


def rows_for(request: Request, frame: Frame, people: dict[str, UserPublic], view: str) -> Rows:
    clock = services_of(request).runtime.clock
    projects = {project.id: project for project in frame.projects}
    return Rows(clock.today(), clock.now(), people, projects, view, root_of(request))


async def present_users(request: Request, project_id: str) -> list[dict[str, str]]:
    """Who is viewing the project now. The page renders without them if the gateway
    cannot say: the script learns them again when it joins."""
    try:
        people: list[dict[str, str]] = await episode_of(request).presence.list(project_id)
    except httpx.HTTPError:
        return []
    return people


async def home_response(
    request: Request, user: User, form: FormState | None = None, status_code: int = 200
) -> Response:
    frame = await load_frame(request, user, "home")
    data: Json = {**frame.data(), "projects": [wire(p) for p in frame.projects]}
    return render(
        request,
        "home.html",
        title="Home · Tasklane",
        data=data,
        frame=frame,
        form=form or FormState(),
        script="home.js",
        status_code=status_code,
    )


async def project_response(
    request: Request,
    user: User,
    project_id: str,
    *,
    view: View,
    task_id: str | None = None,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    services, settings = services_of(request), settings_of(request)
    page = await load_project(services, settings, user, project_id)
    pane = await load_pane(services, settings, user, page, task_id) if task_id else None
    frame = await load_frame(request, user, project_id)
    data: Json = {
        **frame.data(),
        "project": wire(page.project),
        "sections": [wire(section) for section in page.sections],
        "tasks": [wire(task) for task in page.tasks],
        "members": [wire(member) for member in page.members],
        "view": view,
        "openTaskId": task_id,
        "dueGroups": due_groups(),
        "upcomingDays": UPCOMING_DAYS,
    }
    title = f"{page.project.name}{' (Board)' if view == 'board' else ''} · Tasklane"
    if pane is not None:
        title = f"{pane.task.name} · {title}"
    return render(
        request,
        "project.html",
        title=title,
        data=data,
        frame=frame,
        page=page,
        pane=pane,
        rows=rows_for(request, frame, page.people(), view),
        view=view,
        presence=await present_users(request, project_id),
        form=form or FormState(),
        script="project.js",
        status_code=status_code,
    )


async def members_response(
    request: Request,
    user: User,
    project_id: str,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    services, settings = services_of(request), settings_of(request)
    page = await load_project(services, settings, user, project_id)
    frame = await load_frame(request, user, project_id)
    manage = page.can("manage")
    invitations = await services.invitations.pending(user, project_id) if manage else []
    data: Json = {
        **frame.data(),
        "project": wire(page.project),
        "members": [wire(member) for member in page.members],
        "invitations": [wire(invitation) for invitation in invitations],
    }
    return render(
        request,
        "members.html",
        invitations=invitations,
        title=f"Members · {page.project.name} · Tasklane",
        data=data,
        frame=frame,
        page=page,
        form=form or FormState(),
        script="members.js",
        status_code=status_code,
    )


@router.get("/")
async def home(request: Request, user: PageUser) -> Response:
    return await home_response(request, user)


@router.get("/projects/{project_id}")
async def project_list(project_id: str, request: Request, user: PageUser) -> Response:
    return await project_response(request, user, project_id, view="list")


@router.get("/projects/{project_id}/board")
async def project_board(project_id: str, request: Request, user: PageUser) -> Response:
    return await project_response(request, user, project_id, view="board")


@router.get("/projects/{project_id}/tasks/{task_id}")
async def task_detail(
    project_id: str,
    task_id: str,
    request: Request,
    user: PageUser,
    view: str = "list",
) -> Response:
    """The project with the task's pane open; ``?view=board`` keeps the board behind."""
    shown: View = "board" if view == "board" else "list"
    return await project_response(request, user, project_id, view=shown, task_id=task_id)


@router.get("/projects/{project_id}/members")
async def project_members(project_id: str, request: Request, user: PageUser) -> Response:
    return await members_response(request, user, project_id)


@router.get("/fragments/projects")
async def project_lists(request: Request, user: PageUser, current: str = "") -> Response:
    """The sidebar's projects and Home's cards, drawn as the pages draw them, for a page
    whose reader's own log says their projects changed (``current``: the page's)."""
    frame = await load_frame(request, user, current[:40])
    return render(request, "project_lists.html", title="Projects", data={}, frame=frame)


@router.get("/my-tasks")
async def my_tasks(request: Request, user: PageUser) -> Response:
    services, settings = services_of(request), settings_of(request)
    frame = await load_frame(request, user, "my-tasks")
    tasks = await services.tasks.my_tasks(user, limit=settings.page_limit)
    rows = rows_for(request, frame, {user.id: frame.me}, "list")
    data: Json = {
        **frame.data(),
        "today": rows.today.isoformat(),
        "projects": [wire(p) for p in frame.projects],
        "tasks": [wire(task) for task in tasks],
        "dueGroups": due_groups(),
        "upcomingDays": UPCOMING_DAYS,
    }
    return render(
        request,
        "my_tasks.html",
        title="My Tasks · Tasklane",
        data=data,
        frame=frame,
        rows=rows,
        groups=group_by_due(tasks, rows.today),
        script="tasks.js",
    )


@router.get("/search")
async def search_page(request: Request, user: PageUser, q: str = "") -> Response:
    services, settings = services_of(request), settings_of(request)
    frame = await load_frame(request, user, "search")
    text = q.strip()[:200]  # as long a text as the API's task filter takes
    found = await search(services, settings, user, frame.projects, text) if text else None
    rows = rows_for(request, frame, found.people if found else {}, "list")
    data: Json = {
        **frame.data(),
        "q": text,
        "projects": [wire(p) for p in frame.projects],
        "tasks": [wire(task) for task in found.tasks] if found else [],
    }
    return render(
        request,
        "search.html",
        title=f"Search: {text} · Tasklane" if text else "Search · Tasklane",
        data=data,
        frame=frame,
        rows=rows,
        q=text,
        results=found.tasks if found else None,
        script="tasks.js",
    )
