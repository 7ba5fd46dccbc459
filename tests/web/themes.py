"""The light theme and the dark one, for the browser tests: the page colour each draws,
and an open page turned from one to the other.

Every colour is a ``light-dark()`` custom property (app.css) and nothing else differs,
so a page follows a change of the system's scheme at once, as if loaded in it (once an
animation begun in the other theme has run out): a test checks what a theme changes in
both themes on one page load. What is the same in both (bounding boxes, what is
focused) is checked in one."""

from __future__ import annotations

from typing import Literal

from playwright.sync_api import Page, expect

Scheme = Literal["light", "dark"]
SCHEMES: tuple[Scheme, ...] = ("light", "dark")
# --bg and --text of each theme (app.css), as Chromium computes them: the page colour
# of most pages (those without the sidebar have --bg-2), and the text of every page.
BACKGROUND = {"light": "rgb(255, 255, 255)", "dark": "rgb(22, 25, 30)"}
TEXT = {"light": "rgb(31, 35, 40)", "dark": "rgb(230, 233, 237)"}

# Resolves once every animation or transition that ends (a row's flash, a border's
# colour) has ended: one started in the other theme goes on in that theme's colours, and
# what is read next is to be the theme's own, not a blend on the way from them.
ANIMATIONS_ENDED = """() => Promise.all(
  document.getAnimations()
    .filter((animation) => Number.isFinite(animation.effect?.getComputedTiming().endTime))
    .map((animation) => animation.finished.catch(() => null)),
).then(() => true)"""


def shows(page: Page, scheme: Scheme) -> None:
    expect(page.locator("body")).to_have_css("background-color", BACKGROUND[scheme])


def turn_to(page: Page, scheme: Scheme) -> None:
    """The system's scheme becomes ``scheme``; returns once the page shows it, its
    colours settled. (A theme picked in the page's own switch would hold instead, and
    the page not show ``scheme``.)"""
    page.emulate_media(color_scheme=scheme)
    expect(page.locator("body")).to_have_css("color", TEXT[scheme])
    assert page.evaluate(ANIMATIONS_ENDED) is True
