"""The pages about a person, live: with Ana working in her browser and through the API,
Ben's My Tasks, Home and sidebar change in place as what concerns him changes — a task
given to him or taken from him, a project he joins, that is renamed, or that he is
removed from — with the API and the gateway in two processes (the reader's own log,
docs/protocol.md)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Locator, expect

from tests.web.browsers import LIVE_WITHIN, Seat, api, register, shared_project, sit
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (the person's log is tested on both in tests/realtime)


def sidebar_project(seat: Seat, name: str) -> Locator:
    return seat.page.get_by_test_id("sidebar-projects").get_by_role("link", name=name)


def my_task(seat: Seat, name: str) -> Locator:
    return seat.page.get_by_test_id("my-tasks").get_by_test_id("task-row").filter(has_text=name)


def test_my_tasks_follows_what_is_assigned_to_me(browser: Browser, split: Split) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    b = sit(browser, split, ben, "/my-tasks")
    try:
        expect(b.page.get_by_test_id("my-tasks-empty")).to_be_visible()
        with api(split, ana) as http:
            given = http.post(
                f"/api/projects/{project['id']}/tasks",
                json={"name": "Write the release notes", "assigneeId": ben.id},
            ).json()
            http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Not for Ben"})
            expect(my_task(b, "Write the release notes")).to_be_visible(timeout=LIVE_WITHIN)
            expect(b.page.get_by_test_id("my-tasks-empty")).to_be_hidden()
            # The row links to the task in its project, and names the project.
            row = my_task(b, "Write the release notes")
            expect(row.get_by_test_id("task-name")).to_have_attribute(
                "href", f"/projects/{project['id']}/tasks/{given['id']}"
            )
            expect(row.locator('[data-field="project-name"]')).to_have_text("Launch")

            http.patch(f"/api/tasks/{given['id']}", json={"name": "Write the notes"})
            expect(my_task(b, "Write the notes")).to_be_visible(timeout=LIVE_WITHIN)
            http.patch(f"/api/tasks/{given['id']}", json={"assigneeId": ana.id})
            expect(my_task(b, "Write the notes")).to_have_count(0, timeout=LIVE_WITHIN)

            # Given again, then Ben is removed from the project: it leaves with him.
            http.patch(f"/api/tasks/{given['id']}", json={"assigneeId": ben.id})
            expect(my_task(b, "Write the notes")).to_be_visible(timeout=LIVE_WITHIN)
            http.delete(f"/api/projects/{project['id']}/members/{ben.id}")
            expect(my_task(b, "Write the notes")).to_have_count(0, timeout=LIVE_WITHIN)
        expect(b.page.get_by_test_id("my-tasks").get_by_test_id("task-row")).to_have_count(0)
        assert b.errors == []
    finally:
        b.context.close()


def test_home_and_the_sidebar_follow_my_projects(browser: Browser, split: Split) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    b = sit(browser, split, ben, "/")
    try:
        expect(b.page.get_by_test_id("projects-empty")).to_be_visible()
        with api(split, ana) as http:
            project = http.post("/api/projects", json={"name": "Spring campaign"}).json()
            http.post(
                f"/api/projects/{project['id']}/members", json={"userId": ben.id, "role": "viewer"}
            )
            # Shared with Ben: in his sidebar and on his Home, with his role.
            expect(sidebar_project(b, "Spring campaign")).to_be_visible(timeout=LIVE_WITHIN)
            card = b.page.get_by_test_id("project-card").filter(has_text="Spring campaign")
            expect(card.locator('[data-field="role"]')).to_have_text("Viewer")
            http.patch(f"/api/projects/{project['id']}/members/{ben.id}", json={"role": "editor"})
            expect(card.locator('[data-field="role"]')).to_have_text("Editor", timeout=LIVE_WITHIN)
            http.patch(f"/api/projects/{project['id']}", json={"name": "Summer campaign"})
            expect(sidebar_project(b, "Summer campaign")).to_be_visible(timeout=LIVE_WITHIN)
            expect(
                b.page.get_by_test_id("project-card").locator('[data-field="name"]')
            ).to_have_text(["Summer campaign"])
            http.delete(f"/api/projects/{project['id']}/members/{ben.id}")
            expect(sidebar_project(b, "Summer campaign")).to_have_count(0, timeout=LIVE_WITHIN)
            expect(b.page.get_by_test_id("projects-empty")).to_be_visible()
        assert b.errors == []
    finally:
        b.context.close()


def test_a_project_page_keeps_its_sidebar_live_too(browser: Browser, split: Split) -> None:
    """On a project page, the project and the reader's own log share one connection."""
    ana, ben = register(split, "Ana"), register(split, "Ben")
    mine = shared_project(split, ben)
    b = sit(browser, split, ben, f"/projects/{mine['id']}")
    try:
        expect(b.page.get_by_test_id("status-indicator")).to_have_text("Live")
        with api(split, ana) as http:
            theirs = http.post("/api/projects", json={"name": "Ana's plans"}).json()
            http.post(
                f"/api/projects/{theirs['id']}/members", json={"userId": ben.id, "role": "editor"}
            )
        expect(sidebar_project(b, "Ana's plans")).to_be_visible(timeout=LIVE_WITHIN)
        # The page's own project is still the current one.
        expect(sidebar_project(b, "Launch")).to_have_attribute("aria-current", "page")
        assert b.errors == []
    finally:
        b.context.close()


def test_the_members_page_follows_its_project(browser: Browser, split: Split) -> None:
    ana, ben, cy = register(split, "Ana"), register(split, "Ben"), register(split, "Cy")
    project = shared_project(split, ana, ben, role="viewer")
    b = sit(browser, split, ben, f"/projects/{project['id']}/members")
    rows = b.page.get_by_test_id("member-list").get_by_test_id("member-row")
    try:
        expect(rows).to_have_count(2)
        expect(b.page.get_by_test_id("invite-form")).to_have_count(0)
        with api(split, ana) as http:
            http.post(
                f"/api/projects/{project['id']}/members", json={"userId": cy.id, "role": "editor"}
            )
            expect(rows).to_have_count(3, timeout=LIVE_WITHIN)
            expect(b.page.get_by_test_id("member-count")).to_have_text("3")
            # Ben made an owner: what he may do changes in place.
            http.patch(f"/api/projects/{project['id']}/members/{ben.id}", json={"role": "owner"})
            expect(b.page.get_by_test_id("invite-form")).to_be_visible(timeout=LIVE_WITHIN)
            http.delete(f"/api/projects/{project['id']}/members/{cy.id}")
            expect(rows).to_have_count(2, timeout=LIVE_WITHIN)
        # And the controls drawn live work: Ben removes Ana.
        ana_row = rows.filter(has_text="Ana")
        ana_row.get_by_test_id("member-remove").click()
        expect(rows).to_have_count(1)
        assert b.errors == []
    finally:
        b.context.close()


def test_search_results_follow_the_tasks_they_show(browser: Browser, split: Split) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    other = shared_project(split, ana, ben)  # with nothing that matches, yet
    with api(split, ana) as http:
        made = [
            http.post(f"/api/projects/{project['id']}/tasks", json={"name": name}).json()
            for name in ("Quarterly report", "Report template")
        ]
    b = sit(browser, split, ben, "/search?q=report")
    results = b.page.get_by_test_id("search-results").get_by_test_id("task-row")
    try:
        expect(results).to_have_count(2)
        with api(split, ana) as http:
            http.patch(f"/api/tasks/{made[1]['id']}", json={"status": "done"})
            expect(results.filter(has_text="Report template")).to_have_class(
                re_done(), timeout=LIVE_WITHIN
            )
            http.patch(f"/api/tasks/{made[0]['id']}", json={"name": "Quarterly summary"})
            expect(results).to_have_count(1, timeout=LIVE_WITHIN)
            http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Report card"})
            expect(results).to_have_count(2, timeout=LIVE_WITHIN)
            # A match made in a project none of the results were in shows too.
            http.post(f"/api/projects/{other['id']}/tasks", json={"name": "Report draft"})
            expect(results).to_have_count(3, timeout=LIVE_WITHIN)
        # The rows drawn live work: Ben completes one.
        card = results.filter(has_text="Report card")
        card.get_by_test_id("task-complete").check()
        expect(card).to_have_class(re_done())
        assert b.errors == []
    finally:
        b.context.close()


def re_done() -> re.Pattern[str]:
    return re.compile(r"\bis-done\b")
