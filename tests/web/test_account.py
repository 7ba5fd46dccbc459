"""The account page in Chromium: a person changes their name and avatar colour (and
sees them wherever their avatar is), their password (the other browser is signed out;
the new password signs in), and makes, uses and deletes a personal API token — by mouse
and by keyboard, without a reload. The page has no axe-core violations, in either
theme, and fits a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tasklane.protocol.auth import AVATAR_COLORS
from tasklane.web.rendering import STATIC_DIR
from tests.conftest import unique_email
from tests.web.browsers import LIVE_WITHIN, Person, api, shared_project
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (the page looks the same on any database)
from tests.web.test_accessibility import AXE, NONE, violations_in_each_theme

PASSWORD = "correct horse"
NEW_PASSWORD = "battery staple"
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def register(split: Split, label: str) -> tuple[Person, str]:
    """A new account, and its email."""
    email = unique_email(label)
    body = {"email": email, "name": label, "password": PASSWORD}
    response = httpx.post(f"{split.base_url}/api/auth/register", json=body, timeout=30)
    assert response.status_code == 201, response.text
    data = response.json()
    return Person(data["user"]["id"], label, data["token"]), email


class Browsers:
    """Browser contexts a test opens (closed after it), and the script errors of their
    pages."""

    def __init__(self, browser: Browser, split: Split) -> None:
        self.browser = browser
        self.split = split
        self.opened: list[BrowserContext] = []
        self.errors: list[str] = []

    def __call__(
        self, person: Person | None, viewport: dict[str, int] = LAPTOP, **options: Any
    ) -> Page:
        context = self.browser.new_context(
            base_url=self.split.base_url,
            viewport=viewport,  # type: ignore[arg-type]
            **options,
        )
        self.opened.append(context)
        if person is not None:
            context.add_cookies(
                [{"name": "tasklane_session", "value": person.token, "url": self.split.base_url}]
            )
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page


@pytest.fixture
def contexts(browser: Browser, split: Split) -> Iterator[Browsers]:
    opened = Browsers(browser, split)
    yield opened
    for context in opened.opened:
        context.close()


def hue_of(color: str) -> re.Pattern[str]:
    return re.compile(rf"\bhue-{AVATAR_COLORS.index(color)}\b")


def test_the_palette_is_the_same_in_the_page_scripts() -> None:
    source = (STATIC_DIR / "js" / "ui.js").read_text()
    found = re.search(r"export const AVATAR_COLORS = \[(.*?)\];", source)
    assert found is not None
    assert tuple(re.findall(r'"(\w+)"', found.group(1))) == AVATAR_COLORS


def save_name(page: Page, name: str) -> Locator:
    """Saves ``name`` from the account page, by mouse; its profile form."""
    page.goto("/account")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Save profile").click()
    return page.get_by_test_id("profile-form")


def her_task_in_their_project(split: Split) -> tuple[Person, Person, Any]:
    """Ana and Ben, and their project, where "Plan the launch" is assigned to Ana."""
    ana, _ = register(split, "Ana")
    ben, _ = register(split, "Ben")
    project = shared_project(split, ana, ben)
    with api(split, ana) as http:
        body = {"name": "Plan the launch", "assigneeId": ana.id}
        assert http.post(f"/api/projects/{project['id']}/tasks", json=body).status_code == 201
    return ana, ben, project


def test_a_person_changes_their_name_and_colour_and_their_avatar_follows(
    split: Split, contexts: Browsers
) -> None:
    ana, ben, project = her_task_in_their_project(split)

    page = contexts(ana)
    page.goto("/")
    page.get_by_role("link", name="Your account").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()

    # By keyboard: the name, then the colours' radio group with the arrow keys.
    name = page.get_by_label("Name", exact=True)
    name.fill("Ana Alvarez")
    page.get_by_role("radio", name="Blue").focus()
    page.keyboard.press("ArrowRight")  # Pink
    page.keyboard.press("ArrowRight")  # Purple
    page.keyboard.press("ArrowRight")  # Teal
    expect(page.get_by_role("radio", name="Teal")).to_be_checked()
    preview = page.get_by_test_id("profile-form").locator('[data-field="preview"]')
    expect(preview).to_have_class(hue_of("teal"))  # before it is saved
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("profile-form").get_by_role("status")).to_have_text("Profile saved.")

    sidebar = page.get_by_test_id("account-link")
    expect(sidebar).to_contain_text("Ana Alvarez")
    expect(sidebar.locator(".avatar")).to_have_class(hue_of("teal"))
    expect(sidebar.locator(".avatar")).to_have_text("AA")
    with api(split, ana) as http:
        me = http.get("/api/auth/me").json()
    assert (me["name"], me["avatarColor"]) == ("Ana Alvarez", "teal")

    # By mouse: another colour; and the project pages draw her in it, for Ben too.
    page.get_by_text("Orange", exact=True).click()
    page.get_by_role("button", name="Save profile").click()
    expect(sidebar.locator(".avatar")).to_have_class(hue_of("orange"))
    page.reload()
    expect(page.get_by_role("radio", name="Orange")).to_be_checked()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Ana Alvarez")

    bens = contexts(ben)
    bens.goto(f"/projects/{project['id']}")
    row = bens.get_by_test_id("task-row").filter(has_text="Plan the launch")
    expect(row.get_by_test_id("task-assignee")).to_contain_text("Ana Alvarez")
    expect(row.locator('[data-field="assignee-initials"]')).to_have_class(hue_of("orange"))
    expect(bens.get_by_role("img", name="Ana Alvarez")).to_have_class(hue_of("orange"))
    assert contexts.errors == []


def test_a_new_name_reaches_anothers_open_project_page_without_a_reload(
    split: Split, contexts: Browsers
) -> None:
    ana, ben, project = her_task_in_their_project(split)
    board = f"/projects/{project['id']}"
    anas_board, bens = contexts(ana), contexts(ben)
    for page in (anas_board, bens):
        page.goto(board)
        expect(page.get_by_test_id("status-indicator")).to_have_text("Live")
    present = bens.get_by_test_id("presence").get_by_role("img", name="Ana")
    expect(present).to_have_count(1, timeout=LIVE_WITHIN)
    assignee = bens.get_by_test_id("task-row").filter(has_text="Plan the launch")
    assignee = assignee.get_by_test_id("task-assignee")
    expect(assignee).to_contain_text("Ana")

    saved = save_name(contexts(ana), "Ana Alvarez")
    expect(saved.get_by_role("status")).to_have_text("Profile saved.")

    # On Ben's page as it is: her task, the header's members, who is viewing.
    expect(assignee).to_contain_text("Ana Alvarez", timeout=LIVE_WITHIN)
    expect(assignee.locator('[data-field="assignee-initials"]')).to_have_text("AA")
    members = bens.get_by_test_id("member-avatars")
    expect(members.get_by_role("img", name="Ana Alvarez")).to_have_text("AA", timeout=LIVE_WITHIN)
    expect(members.get_by_role("img", name="Ben")).to_have_count(1)
    present = bens.get_by_test_id("presence").get_by_role("img", name="Ana Alvarez")
    expect(present).to_have_text("AA", timeout=LIVE_WITHIN)
    assert contexts.errors == []


def test_a_bad_profile_is_explained_beside_its_field(split: Split, contexts: Browsers) -> None:
    ana, _ = register(split, "Ana")
    page = contexts(ana)
    expect(save_name(page, "   ").get_by_role("alert")).to_have_text("Enter your name.")
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")


def test_a_new_password_signs_out_the_other_browser_and_signs_in(
    split: Split, contexts: Browsers
) -> None:
    ana, email = register(split, "Ana")
    project = shared_project(split, ana)
    elsewhere = contexts(None)
    elsewhere.goto("/login")
    elsewhere.get_by_label("Email").fill(email)
    elsewhere.get_by_label("Password").fill(PASSWORD)
    elsewhere.get_by_role("button", name="Sign in").click()
    elsewhere.goto(f"/projects/{project['id']}")
    expect(elsewhere.get_by_test_id("status-indicator")).to_have_text("Live")

    page = contexts(ana)
    page.goto("/account")
    form = page.get_by_test_id("password-form")
    current = form.get_by_label("Current password")
    new = form.get_by_label("New password", exact=True)
    confirm = form.get_by_label("Confirm new password")

    current.fill("not my password")
    new.fill(NEW_PASSWORD)
    confirm.fill(NEW_PASSWORD + "!")
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_role("alert")).to_have_text(
        "The two new passwords don't match. Type the same one in both."
    )
    confirm.fill(NEW_PASSWORD)
    confirm.press("Enter")
    expect(form.get_by_role("alert")).to_have_text(
        "That isn't your current password. Check it and try again."
    )
    expect(current).to_be_focused()

    current.fill(PASSWORD)
    new.fill("short")
    confirm.fill("short")
    confirm.press("Enter")
    expect(form.get_by_role("alert")).to_have_text("Use at least 8 characters for a new password.")

    new.fill(NEW_PASSWORD)
    confirm.fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_role("status")).to_have_text(
        "Password changed. Other sessions were signed out; this one stays."
    )
    expect(current).to_have_value("")
    expect(form.get_by_role("alert")).to_have_count(0)

    # The other browser's session is over: its live connection closes, and its next
    # page is the sign-in form, where the new password works and the old one does not.
    expect(elsewhere.get_by_test_id("status-indicator")).not_to_have_text("Live")
    elsewhere.reload()
    expect(elsewhere).to_have_url(re.compile(r"/login"))
    elsewhere.get_by_label("Email").fill(email)
    elsewhere.get_by_label("Password").fill(PASSWORD)
    elsewhere.get_by_role("button", name="Sign in").click()
    expect(elsewhere.get_by_role("alert")).to_contain_text("don't match")
    elsewhere.get_by_label("Password").fill(NEW_PASSWORD)
    elsewhere.get_by_role("button", name="Sign in").click()
    expect(elsewhere.get_by_test_id("status-indicator")).to_have_text("Live")  # back on the project

    page.reload()  # and this browser stayed signed in
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()


def test_a_personal_token_is_made_shown_once_used_and_deleted(
    split: Split, contexts: Browsers
) -> None:
    ana, _ = register(split, "Ana")
    page = contexts(ana, permissions=["clipboard-read", "clipboard-write"])
    page.goto("/account")
    expect(page.get_by_test_id("tokens-empty")).to_be_visible()

    page.get_by_label("Token name").fill("Nightly report")
    page.get_by_label("Token name").press("Enter")
    created = page.get_by_test_id("token-created")
    expect(created).to_be_visible()
    secret = created.get_by_label("New token")
    expect(secret).not_to_have_value("")
    token = secret.input_value()
    expect(page.get_by_role("button", name="Copy")).to_be_focused()
    page.keyboard.press("Enter")
    expect(created).to_contain_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == token

    rows = page.get_by_test_id("token-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nightly report")
    expect(rows.first).to_contain_text("Expires Never")
    expect(page.get_by_test_id("tokens-empty")).to_be_hidden()

    with httpx.Client(base_url=split.base_url, timeout=30) as http:
        headers = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/auth/me", headers=headers).json()["id"] == ana.id

        page.reload()  # listed, and never shown again
        expect(rows).to_have_count(1)
        expect(page.get_by_test_id("token-created")).to_be_hidden()
        assert token not in page.content()

        delete = page.get_by_role("button", name="Delete token Nightly report")
        delete.click()
        dialog = page.get_by_test_id("confirm-dialog")
        expect(dialog).to_contain_text("Nightly report")
        page.keyboard.press("Escape")  # changed their mind
        expect(dialog).to_have_count(0)
        expect(rows).to_have_count(1)
        expect(delete).to_be_focused()

        delete.click()
        dialog.get_by_role("button", name="Delete token").click()
        expect(rows).to_have_count(0)
        expect(page.get_by_test_id("tokens-empty")).to_be_visible()
        refused = http.get("/api/auth/me", headers=headers)
        assert refused.status_code == 401
    page.reload()
    expect(page.get_by_test_id("token-row")).to_have_count(0)
    assert contexts.errors == []


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` at the root")
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440", "390"])
def test_the_account_page_has_no_axe_violations_and_fits(
    split: Split, contexts: Browsers, viewport: dict[str, int]
) -> None:
    ana, _ = register(split, "Ana")
    with api(split, ana) as http:
        assert http.post("/api/tokens", json={"name": "A script"}).status_code == 201
    page = contexts(ana, viewport, bypass_csp=True)
    page.goto("/account")
    page.get_by_label("Token name").fill("Another script with a rather long name for a phone")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("token-created")).to_be_visible()
    page.get_by_test_id("password-form").get_by_role("button", name="Change password").click()
    expect(page.get_by_test_id("password-form").get_by_role("alert")).to_be_visible()
    assert violations_in_each_theme(page) == NONE

    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    for control in (
        page.get_by_test_id("account-link"),
        page.get_by_role("button", name="Save profile"),
        page.get_by_role("radio", name="Navy"),
        page.get_by_label("Confirm new password"),
        page.get_by_role("button", name="Change password"),
        page.get_by_role("button", name="Copy"),
        page.get_by_label("New token"),
        page.get_by_role("button", name="Create token"),
        page.get_by_role("button", name="Delete token A script"),
    ):
        control.scroll_into_view_if_needed()
        expect(control).to_be_in_viewport(ratio=1)

    page.get_by_role("button", name="Delete token A script").click()
    expect(page.get_by_test_id("confirm-dialog")).to_be_visible()
    assert violations_in_each_theme(page) == NONE
