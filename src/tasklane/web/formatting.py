"""How the pages put values into words: status labels, due dates, relative times,
initials. Pure functions, registered as Jinja filters by ``rendering``; the page
scripts mirror them (the markup carries the raw value in ``datetime``/``data-*``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tasklane.protocol.auth import AVATAR_COLORS

STATUS_LABELS = {"todo": "To do", "in_progress": "In progress", "done": "Done"}
ROLE_LABELS = {"owner": "Owner", "editor": "Editor", "commenter": "Commenter", "viewer": "Viewer"}
ROLE_HINTS = {
    "owner": "manages the project and its members",
    "editor": "adds, edits and moves tasks",
    "commenter": "reads and comments",
    "viewer": "reads only",
}
AVATAR_HUES = 8
# The colours a project can be given in its settings, by name (the palette new projects
# take theirs from: services/projects.py's PALETTE, held equal by a test).
PROJECT_COLORS = {
    "#4f6bed": "Blue",
    "#e8384f": "Red",
    "#fd9a00": "Orange",
    "#eec300": "Yellow",
    "#62d26f": "Green",
    "#37c5ab": "Teal",
    "#aa62e3": "Purple",
    "#ea4e9d": "Pink",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def due_label(due: date | None, today: date) -> str:
    """ "Today", "Tomorrow", "Yesterday", "Mar 5", or "Mar 5, 2027" in another year."""
    if due is None:
        return ""
    days = (due - today).days
    if days == 0:
        return "Today"
    if days == 1:
        return "Tomorrow"
    if days == -1:
        return "Yesterday"
    label = f"{due:%b} {due.day}"
    return label if due.year == today.year else f"{label}, {due.year}"


def is_overdue(due: date | None, completed: bool, today: date) -> bool:
    """Past its due date and still open: shown in red."""
    return due is not None and not completed and due < today


def ago(moment: datetime, now: datetime) -> str:
    """ "just now", "4 min ago", "3 h ago", "2 days ago", then the date."""
    seconds = (now - moment).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h ago"
    if seconds < 7 * 86400:
        days = round(seconds / 86400)
        return "yesterday" if days == 1 else f"{days} days ago"
    label = f"{moment:%b} {moment.day}"
    return label if moment.year == now.year else f"{label}, {moment.year}"


def initials(name: str) -> str:
    """Up to two letters or digits, the first of each word: "Ana Alvarez" → "AA",
    "chen" → "C", "Pilot · Launch" → "PL" (a word of punctuation is no word)."""
    firsts = [next((c for c in word if c.isalnum()), "") for word in name.split()]
    return "".join([first for first in firsts if first][:2]).upper() or "?"


def avatar_hue(user_id: str) -> int:
    """One of ``AVATAR_HUES`` colours, stable per person: the sum of the id's character
    codes modulo 8 (the scripts compute the same to colour avatars they add)."""
    return sum(ord(character) for character in user_id) % AVATAR_HUES


def person_hue(person: Any) -> int:
    """The avatar colour of ``person`` (a user): the one they chose, else the one their
    ID picks. ``AVATAR_COLORS`` are in the order of the ``hue-N`` classes."""
    chosen = getattr(person, "avatar_color", None)
    return AVATAR_COLORS.index(chosen) if chosen in AVATAR_COLORS else avatar_hue(person.id)


def _luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ink_on(color: str) -> str:
    """White or near-black, whichever reads better on ``color`` (a project's colour
    is anyone's choice, from deep blue to pale yellow)."""
    light = _luminance(color)
    on_white = 1.05 / (light + 0.05)
    on_dark = (light + 0.05) / (_luminance("#1f2328") + 0.05)
    return "#ffffff" if on_white >= on_dark else "#1f2328"


def iso_day(day: date | None) -> str:
    return day.isoformat() if day is not None else ""
