"""Someone at the keyboard, for the browser tests: Tab to a control, or ArrowDown to an
item of an open menu, as a person would, bounded so that a missing target fails."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def tab_to(page: Page, target: Locator, limit: int = 30) -> None:
    """Presses Tab until ``target`` has the focus."""
    for _ in range(limit):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def arrow_to(page: Page, text: str, limit: int = 30) -> None:
    """Presses ArrowDown in an open menu until the item saying ``text`` has the focus."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no menu item {text!r}")
