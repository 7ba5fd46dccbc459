"""``POST /api/markdown``: notes and comments as the pages show them, for a page that
re-renders one that changed live (events carry the text as typed)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from tasklane.edge.deps import CurrentUser
from tasklane.markdown import render
from tasklane.protocol.markdown import MarkdownIn, MarkdownOut

router = APIRouter(prefix="/api", tags=["markdown"])


@router.post("/markdown")
async def render_markdown(body: MarkdownIn, _user: CurrentUser) -> MarkdownOut:
    """``text`` (a task's notes or a comment) rendered as the pages render it: CommonMark
    with strikethrough, line breaks kept, bare web and email addresses linked. Raw HTML
    shows as text, links go only to ``http``, ``https`` and ``mailto`` addresses and
    open in a new tab, images are not loaded. Changes nothing (it still counts as a
    request that changes, for the rate limit and the origin check)."""
    # Off the event loop: some long texts take a second to render (tasklane/markdown.py).
    return MarkdownOut(html=await run_in_threadpool(render, body.text))
