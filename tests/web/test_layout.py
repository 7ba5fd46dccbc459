"""The small defects of the pages, held by what Chromium lays out and shows: bounding
boxes, computed styles and text, at 1440 x 900 (a laptop) and 390 x 844 (a phone)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.web.browsers import LIVE_WITHIN, Person, api, register, shared_project
from tests.web.servers import Split

LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def people(split: Split) -> tuple[Person, Person]:
    return register(split, "Ana"), register(split, "Ben")


@pytest.fixture
def open_page(browser: Browser, split: Split) -> Iterator[Any]:
    contexts = []

    def opened(person: Person, path: str, viewport: dict[str, int] = LAPTOP) -> Page:
        context = browser.new_context(base_url=split.base_url, viewport=viewport)  # type: ignore[arg-type]
        contexts.append(context)
        context.add_cookies(
            [{"name": "tasklane_session", "value": person.token, "url": split.base_url}]
        )
        page = context.new_page()
        page.goto(path)
        return page

    yield opened
    for context in contexts:
        context.close()


def live(page: Page) -> None:
    expect(page.get_by_test_id("status-indicator")).to_have_text("Live")


# -- dates ----------------------------------------------------------------------------


def test_short_dates_drop_the_year_of_the_apps_clock_not_the_readers(
    split: Split, people: tuple[Person, Person], open_page: Any
) -> None:
    """A gym's clock can stand in another year: the page then carries the app's today as
    ``body[data-today]`` (base.html), and a date in that year is written without it."""
    ana, _ = people
    project = shared_project(split, ana)
    page = open_page(ana, f"/projects/{project['id']}")
    live(page)
    real_year: int = page.evaluate("new Date().getFullYear()")  # the reader's
    app_year = real_year + 5
    page.evaluate(f"document.body.dataset.today = '{app_year}-06-15'")
    with api(split, ana) as http:
        for name, due in (("In the app's year", app_year), ("In the reader's year", real_year)):
            body = {"name": name, "dueOn": f"{due}-03-05"}
            assert http.post(f"/api/projects/{project['id']}/tasks", json=body).status_code == 201
    rows = page.get_by_test_id("task-row")
    expect(rows.filter(has_text="In the app's year").get_by_test_id("task-due")).to_have_text(
        "Mar 5", timeout=LIVE_WITHIN
    )
    expect(rows.filter(has_text="In the reader's year").get_by_test_id("task-due")).to_have_text(
        f"Mar 5, {real_year}", timeout=LIVE_WITHIN
    )


# -- presence -------------------------------------------------------------------------


def test_presence_avatars_go_while_the_connection_is_lost_and_come_back_with_it(
    split: Split, people: tuple[Person, Person], open_page: Any
) -> None:
    ana, ben = people
    project = shared_project(split, ana, ben)
    path = f"/projects/{project['id']}"
    open_page(ana, path)
    page = open_page(ben, path)
    live(page)
    anas = page.locator(f'[data-testid=presence-avatar][data-user-id="{ana.id}"]')
    expect(anas).to_be_visible(timeout=LIVE_WITHIN)
    split.stop("realtime")
    try:
        expect(page.get_by_test_id("status-indicator")).to_contain_text(
            "Reconnecting", timeout=5_000
        )
        expect(page.get_by_test_id("presence-avatar")).to_have_count(0)
    finally:
        split.start("realtime")
    with contextlib.suppress(PlaywrightTimeout):
        page.get_by_test_id("retry-now").click(timeout=2_000)
    expect(page.get_by_test_id("status-indicator")).to_have_text("Live", timeout=10_000)
    expect(anas).to_be_visible(timeout=10_000)


# -- the sticky header ----------------------------------------------------------------


def test_the_sticky_project_header_is_opaque(
    split: Split, people: tuple[Person, Person], open_page: Any
) -> None:
    ana, _ = people
    project = shared_project(split, ana)
    page = open_page(ana, f"/projects/{project['id']}")
    header = page.get_by_test_id("project-header")
    expect(header).to_have_css("position", "sticky")
    expect(header).to_have_css("background-color", "rgb(255, 255, 255)")
    expect(header).to_have_css("opacity", "1")
