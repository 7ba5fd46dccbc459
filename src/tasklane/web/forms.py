"""The forms that change a project, for a browser without the page scripts: each is a
POST answered with a redirect (303) to the page it came from, or that page again with
what went wrong beside the field. They validate with the API's input models and call
the same services, so every rule is the API's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import RedirectResponse, Response

from tasklane.models import User
from tasklane.protocol.project import MemberAdd, MemberUpdate, ProjectCreate, SectionCreate
from tasklane.protocol.task import CommentCreate, TaskCreate, TaskUpdate
from tasklane.services.errors import NotFound, ServiceError
from tasklane.web.form_errors import FORM, field_errors, service_sentence
from tasklane.web.guards import FormUser, PageNotFound
from tasklane.web.pages import (
    View,
    home_response,
    members_response,
    project_response,
    project_url,
    task_url,
)
from tasklane.web.rendering import FormState, services_of
from tasklane.web.urls import at

router = APIRouter(include_in_schema=False)

M = TypeVar("M", bound=BaseModel)

FormText = Annotated[str, Form()]
TASK_LABELS = {
    "name": "a name for the task",
    "notes": "the notes",
    "status": "a status",
    "assignee_id": "an assignee",
    "due_on": "a due date",
}
PROJECT_LABELS = {"name": "a name for the project"}
SECTION_LABELS = {"name": "a name for the section"}
SUBTASK_LABELS = {"name": "a name for the subtask"}
COMMENT_LABELS = {"text": "a comment"}
MEMBER_LABELS = {"email": "their email address", "role": "a role"}


class Refusal(Exception):
    """A form the rules turned down: the status to answer with and the message per
    field (keys as ``FormState`` has them)."""

    def __init__(self, status: int, errors: dict[str, str]) -> None:
        super().__init__(status)
        self.status = status
        self.errors = errors


def shown_view(view: str) -> View:
    return "board" if view == "board" else "list"


def parsed(model: type[M], form: str, values: Mapping[str, object], labels: Mapping[str, str]) -> M:
    """``values`` as ``model``, or a ``Refusal`` with each field's problem in words
    (``labels`` name the fields: "Enter {label}.")."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = field_errors(exc, labels)
        raise Refusal(422, {f"{form}:{field}": text for field, text in errors.items()}) from exc


@contextmanager
def refusals(user: User, form: str) -> Iterator[None]:
    """A service's refusal becomes the form's; a project or task the user cannot see
    becomes a 404 page."""
    try:
        yield
    except NotFound as exc:
        if exc.details.get("resource") == "user":
            raise Refusal(404, {f"{form}:email": service_sentence(exc)}) from exc
        raise PageNotFound(user) from exc
    except ServiceError as exc:
        raise Refusal(exc.status, {f"{form}:{FORM}": service_sentence(exc)}) from exc


def back_to(request: Request, path: str) -> Response:
    """A 303 to ``path``, a page of the request's episode."""
    return RedirectResponse(at(request, path), status_code=303)


async def _again(
    request: Request,
    user: User,
    project_id: str,
    view: str,
    state: FormState,
    refusal: Refusal,
    task_id: str | None = None,
) -> Response:
    """The project page again (with the task pane, if ``task_id``), showing what was
    typed and why it was refused."""
    return await project_response(
        request,
        user,
        project_id,
        view=shown_view(view),
        task_id=task_id,
        form=state,
        status_code=refusal.status,
    )


@router.post("/projects")
async def create_project(request: Request, user: FormUser, name: FormText = "") -> Response:
    """New project (the sender owns it, with the usual sections); then open it."""
    try:
        body = parsed(ProjectCreate, "new-project", {"name": name}, PROJECT_LABELS)
    except Refusal as refusal:
        state = FormState({"new-project:name": name}, refusal.errors)
        return await home_response(request, user, state, refusal.status)
    project = await services_of(request).projects.create(user, body)
    return back_to(request, project_url(project.id))


@router.post("/projects/{project_id}/sections/{section_id}/tasks")
async def add_task(
    project_id: str,
    section_id: str,
    request: Request,
    user: FormUser,
    name: FormText = "",
    view: FormText = "list",
) -> Response:
    """A task at the end of a section; back to the list or board it was added on."""
    form = f"add-task:{section_id}"
    try:
        body = parsed(TaskCreate, form, {"name": name, "sectionId": section_id}, TASK_LABELS)
        with refusals(user, form):
            await services_of(request).tasks.create(user, project_id, body)
    except Refusal as refusal:
        errors = {form: _first(refusal)}  # one message under the input
        state = FormState({form: name}, errors)
        return await _again(request, user, project_id, view, state, refusal)
    return back_to(request, project_url(project_id, view))


@router.post("/projects/{project_id}/sections")
async def add_section(
    project_id: str,
    request: Request,
    user: FormUser,
    name: FormText = "",
    view: FormText = "list",
) -> Response:
    """A new last section; back to the list or board it was added on."""
    try:
        body = parsed(SectionCreate, "add-section", {"name": name}, SECTION_LABELS)
        with refusals(user, "add-section"):
            await services_of(request).sections.create(user, project_id, body)
    except Refusal as refusal:
        state = FormState({"add-section:name": name}, {"add-section:name": _first(refusal)})
        return await _again(request, user, project_id, view, state, refusal)
    return back_to(request, project_url(project_id, view))


@router.post("/projects/{project_id}/tasks/{task_id}")
async def save_task(
    project_id: str,
    task_id: str,
    request: Request,
    user: FormUser,
    name: FormText = "",
    status: FormText = "todo",
    assignee_id: FormText = "",
    due_on: FormText = "",
    notes: FormText = "",
    view: FormText = "list",
) -> Response:
    """The task pane's fields, saved together."""
    values = {
        "name": name,
        "status": status,
        "assigneeId": assignee_id or None,
        "dueOn": due_on or None,
        "notes": notes,
    }
    services = services_of(request)
    try:
        await _task_in(request, user, project_id, task_id)
        body = parsed(TaskUpdate, "task", values, TASK_LABELS)
        with refusals(user, "task"):
            await services.tasks.update(user, task_id, body)
    except Refusal as refusal:
        typed = {"name": name, "notes": notes, "due_on": due_on, "status": status}
        state = FormState({f"task:{k}": v for k, v in typed.items()}, refusal.errors)
        return await _again(request, user, project_id, view, state, refusal, task_id)
    return back_to(request, task_url(project_id, task_id, view))


@router.post("/projects/{project_id}/tasks/{task_id}/subtasks")
async def add_subtask(
    project_id: str,
    task_id: str,
    request: Request,
    user: FormUser,
    name: FormText = "",
    view: FormText = "list",
) -> Response:
    try:
        await _task_in(request, user, project_id, task_id)
        body = parsed(TaskCreate, "subtask", {"name": name}, SUBTASK_LABELS)
        with refusals(user, "subtask"):
            await services_of(request).tasks.create_subtask(user, task_id, body)
    except Refusal as refusal:
        state = FormState({"subtask:name": name}, refusal.errors)
        return await _again(request, user, project_id, view, state, refusal, task_id)
    return back_to(request, task_url(project_id, task_id, view))


@router.post("/projects/{project_id}/tasks/{task_id}/comments")
async def add_comment(
    project_id: str,
    task_id: str,
    request: Request,
    user: FormUser,
    text: FormText = "",
    view: FormText = "list",
) -> Response:
    try:
        await _task_in(request, user, project_id, task_id)
        body = parsed(CommentCreate, "comment", {"text": text}, COMMENT_LABELS)
        with refusals(user, "comment"):
            await services_of(request).comments.create(user, task_id, body)
    except Refusal as refusal:
        state = FormState({"comment:text": text}, refusal.errors)
        return await _again(request, user, project_id, view, state, refusal, task_id)
    return back_to(request, task_url(project_id, task_id, view) + "#comments")


@router.post("/projects/{project_id}/members")
async def invite_member(
    project_id: str,
    request: Request,
    user: FormUser,
    email: FormText = "",
    role: FormText = "editor",
) -> Response:
    """Add someone who has an account, by email, with a role (owners only)."""
    try:
        body = parsed(MemberAdd, "invite", {"email": email, "role": role}, MEMBER_LABELS)
        with refusals(user, "invite"):
            await services_of(request).members.add(user, project_id, body)
    except Refusal as refusal:
        state = FormState({"invite:email": email, "invite:role": role}, refusal.errors)
        if refusal.status == 404:  # nobody has this email: offer to invite it to Tasklane
            state.values["invite:offer"] = email
        return await members_response(request, user, project_id, state, refusal.status)
    return back_to(request, f"/projects/{project_id}/members")


@router.post("/projects/{project_id}/members/{user_id}")
async def change_role(
    project_id: str, user_id: str, request: Request, user: FormUser, role: FormText = ""
) -> Response:
    form = f"role:{user_id}"
    try:
        body = parsed(MemberUpdate, form, {"role": role}, MEMBER_LABELS)
        with refusals(user, form):
            await services_of(request).members.update(user, project_id, user_id, body)
    except Refusal as refusal:
        state = FormState({form: role}, {form: _first(refusal)})
        return await members_response(request, user, project_id, state, refusal.status)
    return back_to(request, f"/projects/{project_id}/members")


@router.post("/projects/{project_id}/members/{user_id}/remove")
async def remove_member(
    project_id: str, user_id: str, request: Request, user: FormUser
) -> Response:
    """An owner removes someone, or anyone leaves (then goes Home: the project is gone
    for them)."""
    form = f"remove:{user_id}"
    try:
        with refusals(user, form):
            await services_of(request).members.remove(user, project_id, user_id)
    except Refusal as refusal:
        state = FormState({}, {form: _first(refusal)})
        return await members_response(request, user, project_id, state, refusal.status)
    return back_to(request, "/" if user_id == user.id else f"/projects/{project_id}/members")


def _first(refusal: Refusal) -> str:
    """The message a one-field form shows under its field."""
    return next(iter(refusal.errors.values()))


async def _task_in(request: Request, user: User, project_id: str, task_id: str) -> None:
    """The task must be one of this project's (the form's address names both)."""
    try:
        task = await services_of(request).tasks.get(user, task_id)
    except NotFound as exc:
        raise PageNotFound(user) from exc
    if task.project_id != project_id:
        raise PageNotFound(user)
