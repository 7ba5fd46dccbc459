"""Dark mode in Chromium: the pages follow the system's colour scheme (emulated here),
the sidebar's switch (System / Light / Dark) overrides it, is remembered across a reload
and in another tab, and is in force before the first paint; focus rings show in both
themes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.web.browsers import Person, register, shared_project
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (the pages look the same on any database)
from tests.web.themes import BACKGROUND, Scheme, shows

# Put in place before any of the page's own scripts: what the page shows in its first
# animation frame, which comes before its first paint.
FIRST_FRAME = """
requestAnimationFrame(() => {
  window.firstFrame = {
    theme: document.documentElement.dataset.theme || "",
    background: getComputedStyle(document.body).backgroundColor,
  };
});
"""


@pytest.fixture(scope="module")
def ana(split: Split) -> Person:
    person = register(split, "Ana")
    shared_project(split, person)
    return person


@pytest.fixture
def context_for(browser: Browser, split: Split) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def made(person: Person, scheme: Scheme) -> BrowserContext:
        context = browser.new_context(
            base_url=split.base_url, viewport={"width": 1440, "height": 900}, color_scheme=scheme
        )
        contexts.append(context)
        context.add_cookies(
            [{"name": "tasklane_session", "value": person.token, "url": split.base_url}]
        )
        return context

    yield made
    for context in contexts:
        context.close()


def choose(page: Page, theme: str) -> None:
    """Picks ``theme`` in the sidebar's switch as a person would, clicking its icon (the
    radio's label); then the radio of that accessible name is checked."""
    switch = page.get_by_role("group", name="Theme")
    expect(switch.locator(":checked")).to_have_count(1)  # theme.js has bound it
    switch.get_by_title(f"{theme} theme").click()
    expect(switch.get_by_role("radio", name=theme)).to_be_checked()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pages_follow_the_systems_scheme(ana: Person, context_for: Any, scheme: Scheme) -> None:
    page = context_for(ana, scheme).new_page()
    page.goto("/")
    shows(page, scheme)
    expect(page.get_by_role("radio", name="System")).to_be_checked()
    expect(page.locator("html")).not_to_have_attribute("data-theme", scheme)
    # A change of the system's setting shows at once, without a reload.
    other: Scheme = "light" if scheme == "dark" else "dark"
    page.emulate_media(color_scheme=other)
    shows(page, other)


def test_the_switch_overrides_the_system_and_survives_a_reload(
    ana: Person, context_for: Any
) -> None:
    page = context_for(ana, "dark").new_page()
    page.goto("/my-tasks")
    shows(page, "dark")
    choose(page, "Light")
    shows(page, "light")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    page.reload()
    shows(page, "light")
    expect(page.get_by_role("radio", name="Light")).to_be_checked()
    page.emulate_media(color_scheme="light")  # the system changes: the choice holds
    choose(page, "Dark")
    shows(page, "dark")
    page.goto("/")
    shows(page, "dark")
    choose(page, "System")
    shows(page, "light")
    page.reload()
    shows(page, "light")
    expect(page.get_by_role("radio", name="System")).to_be_checked()
    assert page.evaluate("localStorage.getItem('tasklane-theme')") is None


def test_the_choice_is_in_force_before_the_first_paint(ana: Person, context_for: Any) -> None:
    context = context_for(ana, "light")
    page = context.new_page()
    page.goto("/")
    choose(page, "Dark")
    context.add_init_script(FIRST_FRAME)
    for path in ("/", "/my-tasks", "/login"):
        page.goto(path)
        page.wait_for_function("window.firstFrame !== undefined")
        first = page.evaluate("window.firstFrame")
        assert first == {"theme": "dark", "background": BACKGROUND["dark"]}, path


def test_a_choice_made_in_another_tab_follows_there(ana: Person, context_for: Any) -> None:
    context = context_for(ana, "light")
    first, second = context.new_page(), context.new_page()
    first.goto("/")
    second.goto("/my-tasks")
    choose(first, "Dark")
    shows(second, "dark")
    expect(second.get_by_role("radio", name="Dark")).to_be_checked()


def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two ``rgb(…)`` colours as Chromium writes them."""

    def luminance(css: str) -> float:
        channels = [int(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


RING = """node => {
  const ring = getComputedStyle(node);
  let under = node.parentElement; // the ring is drawn outside the element, on what holds it
  const clear = (n) => getComputedStyle(n).backgroundColor === "rgba(0, 0, 0, 0)";
  while (under && clear(under)) under = under.parentElement;
  return {
    style: ring.outlineStyle,
    width: parseFloat(ring.outlineWidth),
    color: ring.outlineColor,
    behind: getComputedStyle(under || document.body).backgroundColor,
  };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_rings_show_in_both_themes(ana: Person, context_for: Any, scheme: Scheme) -> None:
    page = context_for(ana, scheme).new_page()
    page.goto("/")
    shows(page, scheme)
    system = page.get_by_role("radio", name="System")
    # What is focused, and what draws its ring: the theme's radio is hidden, its icon
    # (the radio's label) shows the ring.
    targets = {
        "skip link": (page.get_by_role("link", name="Skip to content"),) * 2,
        "sidebar link": (page.get_by_test_id("sidebar").get_by_role("link", name="Home"),) * 2,
        "theme switch": (system, system.locator("xpath=ancestor::label[1]")),
        "page button": (page.get_by_role("main").get_by_role("button").first,) * 2,
    }
    for name, (target, drawn) in targets.items():
        target.focus()
        assert target.evaluate("node => node.matches(':focus-visible')"), name
        ring = drawn.evaluate(RING)
        assert ring["style"] == "solid", (name, ring)
        assert ring["width"] >= 2, (name, ring)
        assert contrast(ring["color"], ring["behind"]) >= 3, (name, ring)
