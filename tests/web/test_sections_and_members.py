"""Sections and members in the browser, with someone else watching: a section added,
renamed or deleted on one board shows on the other's; a section that still holds tasks
is not deleted and the page says why beside it; a member removed by an owner sees at
once that they lost access, and a member promoted to editor can add tasks without a
reload."""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, expect

from tests.web.browsers import LIVE_WITHIN, Seat, api, register, shared_project, sit, status
from tests.web.servers import Split


def column(seat: Seat, name: str) -> Locator:
    return seat.page.get_by_test_id("board-column").filter(
        has=seat.page.locator("h2", has_text=name)
    )


def refused_409(errors: list[str]) -> list[str]:
    """Chromium logs every failed request; a refusal the page explains is expected."""
    return [e for e in errors if "status of 409" not in e]


def test_a_section_added_renamed_and_deleted_shows_on_another_board(
    browser: Browser, split: Split
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    board = f"/projects/{project['id']}/board"
    a, b = sit(browser, split, ana, board), sit(browser, split, ben, board)
    try:
        expect(status(a)).to_have_text("Live")
        expect(status(b)).to_have_text("Live")
        adder = a.page.get_by_test_id("add-section-input")
        adder.fill("Review")
        adder.press("Enter")
        # The new column is the last one on both boards, and takes tasks at once.
        expect(b.page.get_by_test_id("board-column").last).to_contain_text(
            "Review", timeout=LIVE_WITHIN
        )
        expect(adder).to_be_focused()
        expect(adder).to_have_value("")
        column(b, "Review").get_by_test_id("add-card-input").fill("Check the copy")
        column(b, "Review").get_by_test_id("add-card-input").press("Enter")
        expect(column(a, "Review").get_by_test_id("task-name")).to_have_text(
            "Check the copy", timeout=LIVE_WITHIN
        )

        # Renamed in place on Ana's board, renamed on Ben's.
        column(a, "Review").get_by_test_id("section-rename").click()
        rename = a.page.get_by_test_id("section-name-input")
        rename.fill("Final review")
        rename.press("Enter")
        expect(column(b, "Final review")).to_have_count(1, timeout=LIVE_WITHIN)

        # Emptied and deleted: gone from Ben's board too.
        card_id = (
            column(a, "Final review").get_by_test_id("task-card").get_attribute("data-task-id")
        )
        with api(split, ben) as http:
            assert http.delete(f"/api/tasks/{card_id}").status_code == 204
        expect(column(a, "Final review").get_by_test_id("task-card")).to_have_count(
            0, timeout=LIVE_WITHIN
        )
        column(a, "Final review").get_by_test_id("section-delete").click()
        expect(column(b, "Final review")).to_have_count(0, timeout=LIVE_WITHIN)
        expect(b.page.get_by_test_id("board-column")).to_have_count(3)
        assert a.errors == []
        assert b.errors == []
    finally:
        a.context.close()
        b.context.close()


def test_a_section_with_tasks_is_not_deleted_and_the_page_says_why(
    browser: Browser, split: Split
) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    with api(split, ana) as http:
        for name in ("Draft the plan", "Book the room"):
            http.post(f"/api/projects/{project['id']}/tasks", json={"name": name})
    a = sit(browser, split, ana, f"/projects/{project['id']}")
    try:
        first = a.page.get_by_test_id("section").first
        expect(first.get_by_test_id("task-row")).to_have_count(2)
        first.get_by_test_id("section-delete").click()
        error = first.get_by_test_id("field-error")
        expect(error).to_have_text(
            "This section still has 2 tasks. Move or delete them first, then delete the section."
        )
        expect(error).to_be_visible()
        expect(error).to_have_attribute("role", "alert")
        expect(a.page.get_by_test_id("section")).to_have_count(3)
        expect(first.locator("details")).to_have_attribute("open", "")  # not folded either
        assert refused_409(a.errors) == []
    finally:
        a.context.close()


def test_a_removed_member_sees_at_once_that_they_lost_access(
    browser: Browser, split: Split
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    a = sit(browser, split, ana, f"/projects/{project['id']}/members")
    b = sit(browser, split, ben, f"/projects/{project['id']}")
    try:
        expect(status(b)).to_have_text("Live")
        expect(b.page.get_by_test_id("add-task-input").first).to_be_visible()

        # The last owner cannot leave: said beside the button, nothing changes.
        mine = a.page.locator(f'[data-testid=member-row][data-user-id="{ana.id}"]')
        mine.get_by_test_id("member-remove").click()
        a.page.get_by_test_id("member-leave-confirm").click()
        expect(mine.get_by_test_id("field-error")).to_have_text(
            "A project needs at least one owner. Make someone else an owner first."
        )

        bens = a.page.locator(f'[data-testid=member-row][data-user-id="{ben.id}"]')
        expect(bens.get_by_test_id("member-remove")).to_have_text("Remove")
        bens.get_by_test_id("member-remove").click()
        expect(bens).to_have_count(0)
        expect(a.page.get_by_test_id("member-count")).to_have_text("1")

        lost = b.page.get_by_test_id("access-lost")
        expect(lost).to_be_visible(timeout=LIVE_WITHIN)
        expect(lost).to_contain_text("You no longer have access to this project.")
        expect(b.page.get_by_test_id("add-task-input").first).to_be_hidden()
        assert refused_409(a.errors) == []
        assert b.errors == []
    finally:
        a.context.close()
        b.context.close()


def test_a_viewer_made_editor_can_add_tasks_without_a_reload(
    browser: Browser, split: Split
) -> None:
    ana, vic = register(split, "Ana"), register(split, "Vic")
    project = shared_project(split, ana, vic, role="viewer")
    v = sit(browser, split, vic, f"/projects/{project['id']}")
    try:
        expect(status(v)).to_have_text("Live")
        adders = v.page.get_by_test_id("add-task-input")
        expect(adders.first).to_be_hidden()
        expect(v.page.get_by_test_id("add-section-input")).to_be_hidden()
        with api(split, ana) as http:
            changed = http.patch(
                f"/api/projects/{project['id']}/members/{vic.id}", json={"role": "editor"}
            )
            assert changed.status_code == 200
        expect(v.page.get_by_test_id("notices")).to_contain_text(
            "Ana made you an editor.", timeout=LIVE_WITHIN
        )
        expect(adders.first).to_be_visible()
        expect(v.page.get_by_test_id("add-section-input")).to_be_visible()
        adders.first.fill("Now I can")
        adders.first.press("Enter")
        expect(v.page.get_by_test_id("task-row").filter(has_text="Now I can")).to_be_visible()
        assert v.errors == []
    finally:
        v.context.close()
