"""What went wrong with a form, in words a person understands, field by field.

The forms validate with the API's own input models and call the same services, so the
rules are the API's; only the wording is the pages' own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic.alias_generators import to_snake

from tasklane.services.access import VERBS, Action
from tasklane.services.errors import ServiceError

FORM = ""  # the key of an error about the whole form rather than one field

SERVICE_SENTENCES = {
    "invalid_credentials": "That email and password don't match. Check both and try again.",
    "wrong_password": "That isn't your current password. Check it and try again.",
    "password_unchanged": "That's your current password. Choose a different new one.",
    "email_taken": "There's already an account with this email. Sign in instead?",
    "already_member": "They're already a member of this project.",
    "last_owner": "A project needs at least one owner. Make someone else an owner first.",
    "assignee_not_member": "Choose someone who is a member of this project.",
    "unknown_section": "That section no longer exists. Reload the page and try again.",
    "rate_limited": "That was a lot of tries in a short time. Wait a few seconds and try again.",
    "unavailable": "Tasklane can't reach its database right now. Try again in a moment.",
    "account_exists": "They already have a Tasklane account: add them as a member instead.",
    "invitation_not_found": "This invitation link doesn't work. Check that you have all of it.",
    "invitation_used": "This invitation has been used already.",
    "invitation_revoked": "This invitation was withdrawn. Ask for a new one.",
    "invitation_expired": "This invitation has expired. Ask for a new one.",
    "invitation_email_mismatch": "This invitation is for another email address. "
    "Sign in with the invited one.",
}


def field_errors(exc: ValidationError, labels: Mapping[str, str]) -> dict[str, str]:
    """The first problem of each field, keyed by the field's snake_case name (``FORM``
    for a problem with the form as a whole)."""
    errors: dict[str, str] = {}
    for problem in exc.errors():
        location = problem.get("loc", ())
        name = to_snake(str(location[0])) if location else FORM
        if name not in errors:
            errors[name] = _sentence(name, problem, labels.get(name, "this field"))
    return errors


def _sentence(name: str, problem: Mapping[str, Any], label: str) -> str:
    kind = str(problem.get("type", ""))
    limits = problem.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and limits.get("min_length", 1) <= 1):
        return f"Enter {label}."
    if kind == "string_too_short":
        return f"Use at least {limits['min_length']} characters for {label}."
    if kind == "string_too_long":
        return f"Keep {label} to {limits['max_length']} characters or fewer."
    if name == "email":
        return "Enter an email address like name@example.com."
    if kind.startswith("date"):
        return "Enter a date like 2026-03-31, or leave it empty."
    if kind == "literal_error":
        return "Choose one of the options in the list."
    message = str(problem.get("msg", "")).removeprefix("Value error, ")
    return f"Check {label}: {message}." if name != FORM else f"{message[:1].upper()}{message[1:]}."


def service_sentence(exc: ServiceError) -> str:
    """A service's refusal as a sentence for the person who caused it."""
    if exc.code in SERVICE_SENTENCES:
        return SERVICE_SENTENCES[exc.code]
    if exc.code == "forbidden" and {"role", "needs"} <= exc.details.keys():
        verb = VERBS[Action[str(exc.details["needs"]).upper()]]
        return f"As a {exc.details['role']} here, you can't {verb}. Ask an owner for access."
    if exc.code == "not_found" and exc.details.get("resource") == "user":
        return (
            "Nobody has a Tasklane account with that email yet. "
            "Invite them to Tasklane: they get a link to sign up and join."
        )
    return exc.message[:1].upper() + exc.message[1:] + "."
