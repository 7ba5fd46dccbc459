"""Filters, sort and group by in the List, the Board and My Tasks, in Chromium: the view's
state is in the URL (it survives a reload, the List and Board tabs carry it), another
person's live changes enter and leave a filtered view, and every control works by
keyboard and fits a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.web.browsers import LIVE_WITHIN, Person, Seat, api, register, shared_project, sit
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (filtering is the page's, on any database)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seats(browser: Browser, split: Split) -> Iterator[Any]:
    opened: list[Seat] = []

    def seat(person: Person, path: str, **options: Any) -> Seat:
        opened.append(sit(browser, split, person, path, **options))
        return opened[-1]

    yield seat
    for each in opened:
        assert each.errors == []
        each.context.close()


def add_tasks(split: Split, person: Person, project_id: str, *tasks: dict[str, Any]) -> list[Any]:
    with api(split, person) as http:
        made = [http.post(f"/api/projects/{project_id}/tasks", json=task) for task in tasks]
    assert all(response.status_code == 201 for response in made), [r.text for r in made]
    return [response.json() for response in made]


@dataclass
class Team:
    """Ana and Ben, and a project of Ana's that Ben edits."""

    split: Split
    ana: Person
    ben: Person
    project: Any

    def add(self, *tasks: dict[str, Any]) -> list[Any]:
        return add_tasks(self.split, self.ana, self.project["id"], *tasks)


@pytest.fixture
def team(split: Split) -> Team:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    return Team(split, ana, ben, shared_project(split, ana, ben))


def day(offset: int) -> str:
    """A day ``offset`` days from today: far enough from it for any time zone."""
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def names(rows: Locator) -> list[str]:
    found: list[str] = rows.get_by_test_id("task-name").all_text_contents()
    return found


def bar(page: Page) -> Locator:
    return page.get_by_test_id("filter-bar")


def test_a_filtered_list_follows_anothers_live_changes_and_survives_a_reload(
    seats: Any, team: Team
) -> None:
    ana, ben, project = team.ana, team.ben, team.project
    team.add(
        {"name": "Draft the brief", "assigneeId": ben.id},
        {"name": "Book the venue", "assigneeId": ana.id},
        {"name": "Order the banners"},
        {"name": "Print the flyers", "assigneeId": ben.id, "status": "in_progress"},
    )
    path = f"/projects/{project['id']}"
    a, b = seats(ana, path), seats(ben, path)
    expect(b.page.get_by_test_id("status-indicator")).to_have_text("Live")

    # Ben narrows the List to his own tasks still to do.
    b.page.get_by_label("Filter by Assignee").select_option("me")
    b.page.get_by_label("Filter by Status").select_option("todo")
    rows = b.page.get_by_test_id("task-row")
    expect(rows).to_have_count(1)
    expect(rows.get_by_test_id("task-name")).to_have_text(["Draft the brief"])
    expect(b.page.get_by_test_id("filter-count")).to_have_text("Showing 1 of 4 tasks")
    assert query(b.page) == {"assignee": ["me"], "status": ["todo"]}

    # Ana gives Ben the banners: they enter his view…
    a.page.get_by_test_id("task-row").filter(has_text="Order the banners").get_by_test_id(
        "task-name"
    ).click()
    a.page.get_by_test_id("pane-assignee").select_option(ben.id)
    expect(rows.filter(has_text="Order the banners")).to_be_visible(timeout=LIVE_WITHIN)
    expect(b.page.get_by_test_id("filter-count")).to_have_text("Showing 2 of 4 tasks")
    # …and completing the brief takes it out.
    a.page.keyboard.press("Escape")
    a.page.get_by_test_id("task-row").filter(has_text="Draft the brief").get_by_test_id(
        "task-complete"
    ).check()
    expect(rows.filter(has_text="Draft the brief")).to_have_count(0, timeout=LIVE_WITHIN)
    expect(rows).to_have_count(1)

    # The view is in the URL: a reload shows it again, controls and all.
    b.page.reload()
    expect(b.page.get_by_label("Filter by Assignee")).to_have_value("me")
    expect(b.page.get_by_label("Filter by Status")).to_have_value("todo")
    expect(rows).to_have_count(1)
    expect(rows.get_by_test_id("task-name")).to_have_text("Order the banners")

    # The task pane keeps the view behind it, and so do the tabs.
    rows.get_by_test_id("task-name").click()
    expect(b.page.get_by_test_id("task-pane")).to_be_visible()
    assert query(b.page)["assignee"] == ["me"]
    b.page.keyboard.press("Escape")
    expect(b.page.get_by_test_id("task-pane")).to_have_count(0)
    assert query(b.page) == {"assignee": ["me"], "status": ["todo"]}
    b.page.get_by_test_id("view-board").click()
    expect(b.page.get_by_test_id("task-card")).to_have_count(1)
    expect(b.page.get_by_label("Filter by Status")).to_have_value("todo")


def test_the_list_sorts_and_groups(seats: Any, team: Team) -> None:
    ana, ben = team.ana, team.ben
    team.add(
        {"name": "Banners", "dueOn": day(20), "assigneeId": ben.id},
        {"name": "Agenda", "assigneeId": ana.id},
        {"name": "Catering", "dueOn": day(-10), "assigneeId": ana.id},
        {"name": "Drinks", "dueOn": day(3)},
    )
    page = seats(ana, f"/projects/{team.project['id']}").page
    rows = page.get_by_test_id("task-row")
    expect(rows).to_have_count(4)
    assert names(rows) == ["Banners", "Agenda", "Catering", "Drinks"]

    page.get_by_label("Sort by").select_option("due")
    expect(rows.get_by_test_id("task-name")).to_have_text(
        ["Catering", "Drinks", "Banners", "Agenda"]
    )
    page.get_by_label("Sort by").select_option("name")
    expect(rows.get_by_test_id("task-name")).to_have_text(
        ["Agenda", "Banners", "Catering", "Drinks"]
    )

    page.get_by_label("Group by").select_option("assignee")
    groups = page.get_by_test_id("task-group")
    expect(groups.locator("h2")).to_have_text(["Ana", "Ben", "Unassigned"])
    expect(groups.nth(0).get_by_test_id("task-name")).to_have_text(["Agenda", "Catering"])
    expect(groups.nth(0).get_by_test_id("section-count")).to_have_text("2")
    expect(page.get_by_test_id("section")).to_have_count(3)  # waiting, hidden
    expect(page.get_by_test_id("section").first).to_be_hidden()

    page.get_by_label("Group by").select_option("status")
    expect(groups.locator("h2")).to_have_text(["To do", "In progress", "Done"])
    expect(groups.nth(0).get_by_test_id("section-count")).to_have_text("4")
    expect(groups.nth(1)).to_contain_text("No tasks.")
    page.get_by_label("Group by").select_option("due")
    expect(page.locator('[data-testid=task-group][data-group="overdue"]')).to_contain_text(
        "Catering"
    )
    assert query(page) == {"sort": ["name"], "group": ["due"]}

    page.reload()
    expect(page.get_by_label("Group by")).to_have_value("due")
    expect(
        page.locator('[data-testid=task-group][data-group="no_date"]').get_by_test_id("task-name")
    ).to_have_text(["Agenda"])
    page.get_by_label("Group by").select_option("section")
    expect(page.get_by_test_id("section").first.get_by_test_id("task-name")).to_have_text(
        ["Agenda", "Banners", "Catering", "Drinks"]
    )
    assert query(page) == {"sort": ["name"]}


def test_the_bar_is_used_by_keyboard(split: Split, seats: Any) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    add_tasks(
        split,
        ana,
        project["id"],
        {"name": "Write the launch post", "notes": "With screenshots"},
        {"name": "Book a venue", "assigneeId": ana.id},
    )
    page = seats(ana, f"/projects/{project['id']}").page
    rows = page.get_by_test_id("task-row")
    expect(rows).to_have_count(2)
    text = page.get_by_test_id("filter-text")
    text.focus()
    page.keyboard.type("screenshots")
    expect(rows.get_by_test_id("task-name")).to_have_text(["Write the launch post"])
    # Tab to the assignee filter and choose by arrow keys.
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("filter-assignee")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_test_id("filter-assignee")).to_have_value("me")
    expect(page.get_by_test_id("filter-empty")).to_be_visible()
    expect(page.get_by_test_id("filter-empty")).to_contain_text("No tasks match these filters")
    assert query(page) == {"assignee": ["me"], "q": ["screenshots"]}
    clear = page.get_by_role("button", name="Clear filters")
    clear.focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    expect(clear).to_be_hidden()
    expect(page.get_by_test_id("filter-empty")).to_be_hidden()
    expect(page.get_by_test_id("filter-count")).to_have_text("")
    expect(text).to_be_focused()
    expect(text).to_have_value("")
    assert query(page) == {}


def test_the_board_filters_and_sorts_within_its_columns(
    split: Split, seats: Any, team: Team
) -> None:
    ana, ben, project = team.ana, team.ben, team.project
    with api(split, ana) as http:
        sections = http.get(f"/api/projects/{project['id']}/sections").json()
    first, second = sections[0]["id"], sections[1]["id"]
    _, _, mango, _ = team.add(
        {"name": "Zebra poster", "sectionId": first, "assigneeId": ben.id},
        {"name": "Apple pie", "sectionId": first, "assigneeId": ben.id},
        {"name": "Mango juice", "sectionId": first},
        {"name": "Kiwi tart", "sectionId": second, "assigneeId": ben.id},
    )
    a = seats(ana, f"/projects/{project['id']}/board?assignee={ben.id}")
    page = a.page
    columns = page.get_by_test_id("board-column")
    expect(columns).to_have_count(3)
    expect(page.get_by_label("Filter by Assignee")).to_have_value(ben.id)
    expect(columns.nth(0).get_by_test_id("task-name")).to_have_text(["Zebra poster", "Apple pie"])
    expect(columns.nth(0).get_by_test_id("section-count")).to_have_text("2")
    expect(columns.nth(1).get_by_test_id("task-name")).to_have_text(["Kiwi tart"])
    expect(columns.nth(2).get_by_test_id("task-card")).to_have_count(0)
    expect(page.get_by_test_id("filter-count")).to_have_text("Showing 3 of 4 tasks")

    page.get_by_label("Sort by").select_option("name")
    expect(columns.nth(0).get_by_test_id("task-name")).to_have_text(["Apple pie", "Zebra poster"])
    # A card Ben's filter hides moves live into it when it becomes his.
    with api(split, ana) as http:
        http.patch(f"/api/tasks/{mango['id']}", json={"assigneeId": ben.id})
    expect(columns.nth(0).get_by_test_id("task-name")).to_have_text(
        ["Apple pie", "Mango juice", "Zebra poster"], timeout=LIVE_WITHIN
    )
    page.get_by_test_id("filter-text").fill("tart")
    expect(page.get_by_test_id("task-card")).to_have_count(1)
    expect(columns).to_have_count(3)

    # The List tab carries the view, and the List keeps what the Board does not use.
    page.get_by_test_id("view-list").click()
    expect(page.get_by_test_id("list-view")).to_be_visible()
    expect(page.get_by_test_id("task-row").get_by_test_id("task-name")).to_have_text(["Kiwi tart"])
    assert query(page) == {"assignee": [ben.id], "q": ["tart"], "sort": ["name"]}


def test_a_card_dropped_among_filtered_cards_lands_between_the_same_neighbours(
    split: Split, seats: Any, team: Team
) -> None:
    ana, ben, project = team.ana, team.ben, team.project
    team.add(
        {"name": "Zebra poster", "assigneeId": ben.id},
        {"name": "Apple pie", "assigneeId": ben.id},
        {"name": "Mango juice"},
        {"name": "Lime soda", "assigneeId": ben.id},
    )
    page = seats(ana, f"/projects/{project['id']}/board?assignee={ben.id}").page
    column = page.get_by_test_id("board-column").first
    cards = column.get_by_test_id("task-card")
    expect(cards.get_by_test_id("task-name")).to_have_text(
        ["Zebra poster", "Apple pie", "Lime soda"]
    )
    # Zebra goes just before Lime: after Mango, which the filter hides.
    cards.filter(has_text="Zebra poster").drag_to(
        cards.filter(has_text="Lime soda"), target_position={"x": 30, "y": 4}
    )
    expect(cards.get_by_test_id("task-name")).to_have_text(
        ["Apple pie", "Zebra poster", "Lime soda"]
    )
    with api(split, ana) as http:
        # The server has answered the move.
        expect(cards.filter(has_text="Zebra poster")).not_to_have_class(
            re.compile(r"\bis-pending\b")
        )
        tasks = http.get(f"/api/projects/{project['id']}/tasks").json()["items"]
    assert [task["name"] for task in tasks] == [
        "Apple pie",
        "Mango juice",
        "Zebra poster",
        "Lime soda",
    ]


def test_my_tasks_filters_sorts_and_groups(split: Split, seats: Any) -> None:
    ana = register(split, "Ana")
    launch = shared_project(split, ana)
    with api(split, ana) as http:
        party = http.post("/api/projects", json={"name": "Party"}).json()
    add_tasks(
        split,
        ana,
        launch["id"],
        {"name": "Send invites", "assigneeId": ana.id, "dueOn": day(-3)},
        {"name": "Approve budget", "assigneeId": ana.id, "dueOn": day(30)},
    )
    add_tasks(
        split,
        ana,
        party["id"],
        {"name": "Buy balloons", "assigneeId": ana.id, "status": "in_progress"},
        {"name": "Clean up", "assigneeId": ana.id, "status": "done"},
    )
    page = seats(ana, "/my-tasks").page
    rows = page.get_by_test_id("task-row")
    expect(rows).to_have_count(4)
    overdue = page.locator('[data-testid=task-group][data-group="overdue"]')
    expect(overdue.get_by_test_id("task-name")).to_have_text(["Send invites"])

    page.get_by_label("Group by").select_option("project")
    groups = page.get_by_test_id("task-group")
    expect(groups.locator("h2")).to_have_text(["Launch", "Party"])
    page.get_by_label("Sort by").select_option("name")
    expect(groups.nth(0).get_by_test_id("task-name")).to_have_text(
        ["Approve budget", "Send invites"]
    )
    expect(groups.nth(1).get_by_test_id("task-name")).to_have_text(["Buy balloons", "Clean up"])

    page.get_by_label("Filter by Status").select_option("open")
    page.get_by_label("Filter by Project").select_option(party["id"])
    expect(rows.get_by_test_id("task-name")).to_have_text(["Buy balloons"])
    expect(page.get_by_test_id("filter-count")).to_have_text("Showing 1 of 4 tasks")
    expect(groups.filter(visible=True)).to_have_count(1)

    page.reload()
    expect(page.get_by_label("Filter by Project")).to_have_value(party["id"])
    expect(rows.get_by_test_id("task-name")).to_have_text(["Buy balloons"])
    # Completing it there takes it out of the view. (Clicked: ``check()`` would read the
    # box again after the click, and it may have left with its row already.)
    rows.get_by_test_id("task-complete").click()
    expect(rows).to_have_count(0)
    expect(page.get_by_test_id("filter-empty")).to_be_visible()

    page.get_by_label("Group by").select_option("status")
    page.get_by_role("button", name="Clear filters").click()
    expect(groups.locator("h2")).to_have_text(["To do", "In progress", "Done"])
    expect(groups.nth(2).get_by_test_id("task-name")).to_have_text(["Buy balloons", "Clean up"])
    page.get_by_label("Group by").select_option("due")
    expect(overdue.get_by_test_id("task-name")).to_have_text(["Send invites"])
    assert query(page) == {"sort": ["name"]}


@pytest.mark.parametrize("where", ["list", "board", "my-tasks"])
def test_the_bar_fits_a_phone(split: Split, browser: Browser, where: str) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    path = {
        "list": f"/projects/{project['id']}?group=assignee",
        "board": f"/projects/{project['id']}/board",
        "my-tasks": "/my-tasks",
    }[where]
    context = browser.new_context(base_url=split.base_url, viewport=PHONE)  # type: ignore[arg-type]
    try:
        context.add_cookies(
            [{"name": "tasklane_session", "value": ana.token, "url": split.base_url}]
        )
        page = context.new_page()
        page.goto(path)
        page.get_by_label("Filter by Status").select_option("done")
        expect(page.get_by_test_id("filter-clear")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        controls = bar(page).locator("input, select, button:visible, [data-testid=filter-count]")
        for control in controls.all():
            shown = control.bounding_box()
            assert shown is not None
            assert shown["x"] >= 0, shown
            assert shown["x"] + shown["width"] <= PHONE["width"], shown
            assert control.evaluate("node => node.scrollWidth <= node.clientWidth + 1")
    finally:
        context.close()
