"""Notes and comments as Markdown: the one renderer of the text people type into HTML,
for the pages (first load) and for ``POST /api/markdown`` (live updates re-rendered).

CommonMark (markdown-it-py) with strikethrough, a line break where the text has one (as
typed in a textarea), and bare ``http(s)://`` and ``www.`` addresses and email addresses
made links. It is safe to insert into a page whatever the text: raw HTML is shown as
text, images are not loaded (a tracking pixel would tell its owner who read the note), and
a link goes only to ``http:``, ``https:`` or ``mailto:`` — anything else (``javascript:``,
``data:``, a relative path) stays text. Links open in a new tab and pass on neither the
page nor its address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

LINK_SCHEMES = ("http:", "https:", "mailto:")
LINK_TARGET = "_blank"
LINK_REL = "noopener noreferrer nofollow"


def allowed_link(url: str) -> bool:
    """Whether ``url`` (as markdown-it normalised it) may be a link's ``href``."""
    return url.strip().lower().startswith(LINK_SCHEMES)


def _open_elsewhere(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: dict[str, Any],
) -> str:
    tokens[idx].attrSet("target", LINK_TARGET)
    tokens[idx].attrSet("rel", LINK_REL)
    return renderer.renderToken(tokens, idx, options, env)


def _link_www(parser: MarkdownIt) -> None:
    """``www.example.com`` is a link as GitHub makes it, while a bare ``README.md`` (a
    domain too: .md is Moldova's) stays text: no fuzzy links, but a ``www.`` schema."""
    linkify = parser.linkify
    assert linkify is not None
    linkify.set({"fuzzy_link": False})
    tail = re.compile("^" + linkify.re["src_host_port_strict"] + linkify.re["src_path"], re.I)

    def validate(_self: Any, text: str, pos: int) -> int:
        found = tail.search(text[pos:])
        return len(found.group(0)) if found else 0

    def normalize(_self: Any, match: Any) -> None:
        match.url = "http://" + match.url

    linkify.add("www.", {"validate": validate, "normalize": normalize})


def build_parser() -> MarkdownIt:
    parser = MarkdownIt(
        "commonmark", {"html": False, "linkify": True, "breaks": True, "xhtmlOut": False}
    )
    parser.enable(["linkify", "strikethrough"])
    parser.disable(["image", "html_block", "html_inline"])
    parser.validateLink = allowed_link  # type: ignore[method-assign]
    parser.add_render_rule("link_open", _open_elsewhere)
    _link_www(parser)
    return parser


_PARSER = build_parser()


# A page shows the same notes and comments at every load, and markdown-it-py, pure
# Python, takes a second or more for some 20,000 characters made to be slow (thousands of
# unclosed brackets): each text is rendered once while it is among the recent ones.
@lru_cache(maxsize=256)
def render(text: str) -> str:
    """``text`` as HTML, safe to insert into a page as it is ("" for no text)."""
    return _PARSER.render(text) if text.strip() else ""
