"""Notes and comments are Markdown: a client that shows them asks the server for the
HTML, so that every page renders them alike and safely."""

from __future__ import annotations

from pydantic import Field

from tasklane.protocol.base import InputModel, Notes, PublicModel


class MarkdownIn(InputModel):
    # A task's notes are the longest Markdown there is; a comment is shorter.
    text: Notes = Field(description="A task's notes or a comment's text, as stored.")


class MarkdownOut(PublicModel):
    html: str = Field(
        description="The text as HTML, safe to insert into a page as it is: raw HTML shown "
        "as text, links only to http, https and mailto addresses (opening in a new tab), no "
        "images. Empty for empty text."
    )
