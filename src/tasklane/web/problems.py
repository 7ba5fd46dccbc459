"""How the pages answer when they cannot serve: a stranger is sent to sign in, a page
the visitor may not see is a 404 page (the same whether it exists or not), and a
refused form is a page that says why."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from tasklane.models import User
from tasklane.web.guards import PageNotFound, PageRefused, SignInRequired
from tasklane.web.rendering import Frame, gateway_urls, load_frame, render, settings_of
from tasklane.web.urls import at, path_within


async def _sign_in_first(request: Request, _exc: Exception) -> Response:
    """``/login?next=`` the page asked for (a form's sender comes back to the start),
    both inside the episode: ``next`` is a path as the routes see it, without the prefix."""
    target = path_within(request) + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = "/"
    login = at(request, f"/login?next={quote(target, safe='/')}")
    return RedirectResponse(login, status_code=303)


async def _problem_page(
    request: Request, user: User | None, status: int, heading: str, message: str
) -> Response:
    frame: Frame | None = await load_frame(request, user) if user is not None else None
    data = (
        frame.data()
        if frame
        else {"me": None, "gateway": gateway_urls(request, settings_of(request))}
    )
    return render(
        request,
        "problem.html",
        title=f"{heading} · Tasklane",
        data=data,
        frame=frame,
        heading=heading,
        code=status,
        message=message,
        status_code=status,
    )


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageNotFound)
    return await _problem_page(
        request,
        exc.user,
        404,
        "Page not found",
        "This page doesn't exist, or it belongs to a project you're not a member of. "
        "If someone shared it with you, ask them to add you to the project.",
    )


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRefused)
    heading = "Slow down a little" if exc.status == 429 else "That didn't work"
    response = await _problem_page(request, exc.user, exc.status, heading, exc.message)
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(PageNotFound, _not_found)
    app.add_exception_handler(PageRefused, _refused)
