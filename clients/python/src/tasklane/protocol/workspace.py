"""What every signed-in person may ask about the workspace around them: its people
and the app's date."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from tasklane.protocol.base import PublicModel, Timestamp


class Person(PublicModel):
    """Someone in your workspace, as the people lookup shows them."""

    id: str
    name: str
    email: str


class Today(PublicModel):
    """The app's clock as a person sees it in the pages: in a gym episode, the
    episode's clock (set, frozen or moved by the gym); elsewhere, wall time. Dates
    and timestamps are UTC."""

    today: date = Field(description="The app's date, UTC (what 'overdue' and 'due today' use).")
    now: Timestamp = Field(description="The app's moment, UTC, millisecond precision.")
