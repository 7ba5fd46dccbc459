"""Invitations in the pages: an owner invites an email that has no account from the
members page and gets the link; the invited person opens it (``/invite/<secret>``),
signs up or in with that email, and accepts. Plain forms, answered with a redirect or
the page again with what went wrong, as in ``forms.py``; the members page's script
does the same through the JSON API (static/js/invitations.js)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from tasklane.edge.deps import LimitsDep, anonymous_quota
from tasklane.edge.invitations import invite_link, invite_path
from tasklane.models import User
from tasklane.protocol.auth import RegisterIn
from tasklane.protocol.invitations import InvitationCreate
from tasklane.services.errors import NotFound, ServiceError
from tasklane.services.invitations import InvitationState, InvitationView
from tasklane.web.auth_pages import LABELS, refusal, signed_in_redirect
from tasklane.web.form_errors import FORM, field_errors, service_sentence
from tasklane.web.forms import MEMBER_LABELS, Refusal, back_to, parsed, refusals
from tasklane.web.guards import FormUser, MaybeUser, check_form_origin
from tasklane.web.pages import members_response, project_url
from tasklane.web.rendering import FormState, gateway_urls, render, services_of, settings_of

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]
TITLES = {
    None: "This invitation link doesn't work",
    InvitationState.ACCEPTED: "This invitation has been used",
    InvitationState.REVOKED: "This invitation was withdrawn",
    InvitationState.EXPIRED: "This invitation has expired",
}


async def _invitation_page(
    request: Request,
    user: User | None,
    secret: str,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    """The link's page: who invites to which project, and what to do next, for whoever
    is (or is not) signed in; or why the link no longer works."""
    try:
        view: InvitationView | None = await services_of(request).invitations.look_up(secret)
    except NotFound:
        view = None
    state = view.state if view else None
    if view is None or state is not InvitationState.PENDING:
        title = TITLES[state]
        status_code = 404 if view is None else 410
    else:
        title = f"Join {view.project_name}"
    data = {"me": None, "gateway": gateway_urls(request, settings_of(request))}
    return render(
        request,
        "invitation.html",
        title=f"{title} · Tasklane",
        data=data,
        heading=title,
        view=view,
        me=user,
        secret=secret,
        invite_path=invite_path(secret),
        form=form or FormState(),
        status_code=status_code,
    )


@router.get("/invite/{secret}")
async def invitation_page(secret: str, request: Request, user: MaybeUser) -> Response:
    return await _invitation_page(request, user, secret)


@router.post("/invite/{secret}/signup")
async def sign_up_invited(
    secret: str,
    request: Request,
    limits: LimitsDep,
    name: FormText = "",
    password: FormText = "",
) -> Response:
    """Create an account with the invited email and sign in; then the invitation again,
    to accept."""
    check_form_origin(request, settings_of(request))
    services = services_of(request)
    form = FormState(values={"name": name})
    try:
        view = await services.invitations.look_up(secret)
        await anonymous_quota(request, limits)
        body = RegisterIn.model_validate(
            {"name": name, "email": view.invitation.email, "password": password}
        )
        _user, _token, session = await services.auth.register(body)
    except ValidationError as exc:
        form.errors = field_errors(exc, LABELS)
        return await _invitation_page(request, None, secret, form, 422)
    except ServiceError as exc:
        form.errors = {"email" if exc.code == "email_taken" else FORM: refusal(exc)}
        return await _invitation_page(request, None, secret, form, exc.status)
    return signed_in_redirect(request, session, invite_path(secret))


@router.post("/invite/{secret}/accept")
async def accept_invitation(secret: str, request: Request, user: FormUser) -> Response:
    """Join the project; then its page."""
    try:
        member = await services_of(request).invitations.accept(user, secret)
    except ServiceError as exc:
        form = FormState(errors={FORM: service_sentence(exc)})
        return await _invitation_page(request, user, secret, form, exc.status)
    return back_to(request, project_url(member.project_id))


@router.post("/projects/{project_id}/invitations")
async def invite_to_tasklane(
    project_id: str,
    request: Request,
    user: FormUser,
    email: FormText = "",
    role: FormText = "editor",
) -> Response:
    """Invite an email that has no account (owners): the members page again, with the
    link to send, shown this once."""
    values = {"invite:email": email, "invite:role": role}
    try:
        body = parsed(InvitationCreate, "invite", {"email": email, "role": role}, MEMBER_LABELS)
        with refusals(user, "invite"):
            created, secret = await services_of(request).invitations.create(user, project_id, body)
    except Refusal as refusal_:
        state = FormState(values, refusal_.errors)
        return await members_response(request, user, project_id, state, refusal_.status)
    link = invite_link(request, secret)
    state = FormState({"invitation:email": created.email, "invitation:url": link})
    return await members_response(request, user, project_id, state)


@router.post("/projects/{project_id}/invitations/{invitation_id}/revoke")
async def revoke_invitation(
    project_id: str, invitation_id: str, request: Request, user: FormUser
) -> Response:
    form = f"revoke:{invitation_id}"
    try:
        with refusals(user, form):
            await services_of(request).invitations.revoke(user, invitation_id)
    except Refusal as refusal_:
        state = FormState({}, {form: next(iter(refusal_.errors.values()))})
        return await members_response(request, user, project_id, state, refusal_.status)
    return back_to(request, f"/projects/{project_id}/members")
