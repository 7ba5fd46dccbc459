"""Inviting someone who has no account, in Chromium: Ana types an email nobody uses on
the members page, invites it to Tasklane and copies the link; a new person opens the
link, signs up with the invited email, accepts and lands on the project; Ana's open
members page shows them as a member and no longer as invited, without a reload. The
new pages are at zero axe-core violations, in either theme. The pages look the same on
any database: SQLite alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import unique_email
from tests.web.browsers import LIVE_WITHIN, Person, register, shared_project
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (the pages look the same on any database)
from tests.web.test_accessibility import AXE, NONE, violations_in_each_theme


@pytest.fixture
def contexts(browser: Browser, split: Split) -> Iterator[list[BrowserContext]]:
    """Browser contexts made by the test, closed after it; the CSP is bypassed so that
    axe-core can be injected."""
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def open_page(
    browser: Browser, split: Split, made: list[BrowserContext], person: Person | None = None
) -> tuple[Page, list[str]]:
    context = browser.new_context(
        base_url=split.base_url, viewport={"width": 1400, "height": 900}, bypass_csp=True
    )
    made.append(context)
    if person is not None:
        context.add_cookies(
            [{"name": "tasklane_session", "value": person.token, "url": split.base_url}]
        )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=split.base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def link_of(owner: Page) -> str:
    """The invite link the members page shows, once it shows one."""
    link = owner.get_by_label("Invite link")
    expect(link).to_have_value(re.compile(r"/invite/tl_"))
    return link.input_value()


def no_violations(page: Page) -> None:
    if AXE.exists():
        assert violations_in_each_theme(page) == NONE


def test_an_invited_person_signs_up_accepts_and_shows_on_the_owners_page(
    browser: Browser, split: Split, contexts: list[BrowserContext]
) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    email = unique_email("nia")
    owner, owner_errors = open_page(browser, split, contexts, ana)
    owner.goto(f"/projects/{project['id']}/members")

    # By keyboard: the email, Enter; nobody has it, so the page offers an invitation.
    owner.get_by_label("Email").fill(email)
    owner.get_by_label("Email").press("Enter")
    expect(owner.get_by_test_id("field-error")).to_contain_text(
        "Nobody has a Tasklane account with that email yet."
    )
    offer = owner.get_by_role("button", name="Invite to Tasklane")
    expect(offer).to_be_visible()
    offer.focus()
    owner.keyboard.press("Enter")

    url = link_of(owner)
    pending = owner.get_by_test_id("invitation-row").filter(has_text=email)
    expect(pending).to_contain_text("Pending")
    expect(owner.get_by_role("button", name=f"Revoke the invitation to {email}")).to_be_visible()
    copy = owner.get_by_role("button", name="Copy link")
    expect(copy).to_be_focused()
    copy.click()
    expect(owner.get_by_test_id("notice").filter(has_text="Link copied")).to_be_visible()
    assert owner.evaluate("navigator.clipboard.readText()") == url
    no_violations(owner)

    # The new person opens the link: the project, who invited, a sign-up form.
    newcomer, newcomer_errors = open_page(browser, split, contexts)
    newcomer.goto(url)
    expect(newcomer.get_by_role("heading", name="Join Launch")).to_be_visible()
    expect(newcomer.get_by_test_id("invitation-summary")).to_have_text(
        "Ana invited you to the project Launch as an editor."
    )
    expect(newcomer.get_by_label("Email")).to_have_value(email)
    expect(newcomer.get_by_role("link", name="Sign in")).to_be_visible()
    no_violations(newcomer)
    newcomer.get_by_label("Your name").fill("Nia")
    newcomer.get_by_label("Password").fill("short")
    newcomer.get_by_role("button", name="Create account").click()
    expect(newcomer.get_by_text("Use at least 8 characters for a password.")).to_be_visible()
    newcomer.get_by_label("Password").fill("correct horse")
    newcomer.get_by_label("Password").press("Enter")

    accept = newcomer.get_by_role("button", name="Accept invitation")
    expect(accept).to_be_visible()
    no_violations(newcomer)
    accept.click()
    expect(newcomer).to_have_url(f"{split.base_url}/projects/{project['id']}")
    expect(newcomer.get_by_test_id("status-indicator")).to_have_text("Live")

    # Ana's page, open all along: Nia is a member now, and no longer pending.
    member = owner.get_by_test_id("member-row").filter(has_text=email)
    expect(member).to_contain_text("Nia", timeout=LIVE_WITHIN)
    expect(pending).to_have_count(0, timeout=LIVE_WITHIN)
    expect(owner.get_by_test_id("invitations-empty")).to_be_visible()
    assert owner_errors == []
    assert newcomer_errors == []


def test_a_pending_invitation_is_revoked_from_the_members_page(
    browser: Browser, split: Split, contexts: list[BrowserContext]
) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    email = unique_email("late")
    owner, errors = open_page(browser, split, contexts, ana)
    owner.goto(f"/projects/{project['id']}/members")
    owner.get_by_label("Email").fill(email)
    owner.get_by_test_id("invite-submit").click()
    owner.get_by_role("button", name="Invite to Tasklane").click()
    url = link_of(owner)

    owner.get_by_role("button", name=f"Revoke the invitation to {email}").click()
    expect(owner.get_by_test_id("invitation-row")).to_have_count(0)
    expect(owner.get_by_test_id("invite-link-panel")).to_be_hidden()
    expect(owner.get_by_test_id("notice").filter(has_text="was revoked")).to_be_visible()

    visitor, visitor_errors = open_page(browser, split, contexts)
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name="This invitation was withdrawn")).to_be_visible()
    no_violations(visitor)
    owner.reload()
    expect(owner.get_by_test_id("invitation-row")).to_have_count(0)
    assert errors == []
    assert visitor_errors == []
