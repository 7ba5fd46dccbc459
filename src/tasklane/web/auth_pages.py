"""Sign in, sign up, sign out: the forms, and the same session cookie the JSON API sets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from tasklane.edge.deps import LimitsDep, anonymous_quota, session_cookie
from tasklane.edge.errors import retry_after_seconds
from tasklane.edge.session import clear_session_cookie, set_session_cookie
from tasklane.protocol.auth import LoginIn, RegisterIn
from tasklane.services.errors import RateLimited, ServiceError
from tasklane.web.form_errors import FORM, field_errors, service_sentence
from tasklane.web.guards import MaybeUser, check_form_origin, safe_next
from tasklane.web.rendering import (
    FormState,
    gateway_urls,
    render,
    services_of,
    settings_of,
)
from tasklane.web.urls import at
from tasklane.web.waiting import in_words

router = APIRouter(include_in_schema=False)

LABELS = {"name": "your name", "email": "your email address", "password": "a password"}
FormText = Annotated[str, Form()]
NextField = Annotated[str, Form(alias="next")]
NextQuery = Annotated[str, Query(alias="next")]


def auth_page(
    request: Request, template: str, title: str, form: FormState, status_code: int = 200
) -> Response:
    data = {"me": None, "gateway": gateway_urls(request, settings_of(request))}
    return render(request, template, title=title, data=data, form=form, status_code=status_code)


def refusal(exc: ServiceError) -> str:
    """Why the form was refused, in words; past the sign-in limit, with when to try
    again."""
    if isinstance(exc, RateLimited):
        wait = in_words(retry_after_seconds(exc.retry_after))
        return f"That was a lot of tries in a short time. Try again in {wait}."
    return service_sentence(exc)


def refused_page(
    request: Request, template: str, title: str, form: FormState, exc: ServiceError
) -> Response:
    """The form again, with ``exc.status``; past the sign-in limit with the same
    ``Retry-After`` as the JSON API's 429."""
    response = auth_page(request, template, title, form, exc.status)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(retry_after_seconds(exc.retry_after))
    return response


def signed_in_redirect(request: Request, secret: str, target: str) -> Response:
    response = RedirectResponse(at(request, safe_next(target)), status_code=303)
    set_session_cookie(response, request, settings_of(request), secret)
    return response


@router.get("/login")
async def login_page(request: Request, user: MaybeUser, next_: NextQuery = "/") -> Response:
    if user is not None:
        return RedirectResponse(at(request, safe_next(next_)), status_code=303)
    form = FormState(values={"next": safe_next(next_)})
    return auth_page(request, "login.html", "Sign in · Tasklane", form)


@router.post("/login")
async def login(
    request: Request,
    limits: LimitsDep,
    email: FormText = "",
    password: FormText = "",
    next_: NextField = "/",
) -> Response:
    """Sign in; on success, the session cookie and a redirect to ``next``."""
    check_form_origin(request, settings_of(request))
    form = FormState(values={"email": email, "next": safe_next(next_)})
    try:
        await anonymous_quota(request, limits)
        body = LoginIn.model_validate({"email": email, "password": password})
        _user, _token, secret = await services_of(request).auth.login(body.email, body.password)
    except ValidationError as exc:
        form.errors = field_errors(exc, {**LABELS, "password": "your password"})
        return auth_page(request, "login.html", "Sign in · Tasklane", form, 422)
    except ServiceError as exc:
        form.errors = {"password": refusal(exc)}
        return refused_page(request, "login.html", "Sign in · Tasklane", form, exc)
    return signed_in_redirect(request, secret, next_)


@router.get("/signup")
async def signup_page(request: Request, user: MaybeUser, next_: NextQuery = "/") -> Response:
    if user is not None:
        return RedirectResponse(at(request, safe_next(next_)), status_code=303)
    form = FormState(values={"next": safe_next(next_)})
    return auth_page(request, "signup.html", "Create your account · Tasklane", form)


@router.post("/signup")
async def signup(
    request: Request,
    limits: LimitsDep,
    name: FormText = "",
    email: FormText = "",
    password: FormText = "",
    next_: NextField = "/",
) -> Response:
    """Create an account and sign in with it."""
    check_form_origin(request, settings_of(request))
    form = FormState(values={"name": name, "email": email, "next": safe_next(next_)})
    title = "Create your account · Tasklane"
    try:
        await anonymous_quota(request, limits)
        body = RegisterIn.model_validate({"name": name, "email": email, "password": password})
        _user, _token, secret = await services_of(request).auth.register(body)
    except ValidationError as exc:
        form.errors = field_errors(exc, LABELS)
        return auth_page(request, "signup.html", title, form, 422)
    except ServiceError as exc:
        field = "email" if exc.code == "email_taken" else FORM
        form.errors = {field: refusal(exc)}
        return refused_page(request, "signup.html", title, form, exc)
    return signed_in_redirect(request, secret, next_)


@router.post("/logout")
async def logout(
    request: Request, cookie: Annotated[str | None, Depends(session_cookie)]
) -> Response:
    """End this browser's session, whoever asks with its cookie from this site."""
    check_form_origin(request, settings_of(request))
    if cookie:
        await services_of(request).auth.logout(cookie)
    response = RedirectResponse(at(request, "/login"), status_code=303)
    clear_session_cookie(response, request)
    return response
