"""The one renderer of notes and comments: Markdown as people write it, and nothing a
page could run or load."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tasklane.markdown import LINK_REL, allowed_link, render


class Elements(HTMLParser):
    """The elements (tag, attributes) of a fragment of HTML, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data

    def tags(self) -> list[str]:
        return [tag for tag, _ in self.found]

    def links(self) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.found if tag == "a"]


def test_emphasis_lists_code_and_line_breaks() -> None:
    html = render("**bold** _em_ ~~gone~~ `code`\nnext line\n\n- one\n- two\n\n1. first\n")
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<s>gone</s>" in html
    assert "<code>code</code>" in html
    assert "<br>\nnext line" in html  # a line break typed in a textarea stays one
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n</ol>" in html


def test_a_fenced_block_is_code_whatever_it_holds() -> None:
    html = render("```\n<b>**not bold**</b>\n```")
    assert html == "<pre><code>&lt;b&gt;**not bold**&lt;/b&gt;\n</code></pre>\n"


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<a href='javascript:alert(1)'>x</a>",
        "<div onmouseover='alert(1)'>x</div>",
        "<!-- comment --><style>body{}</style><iframe src=//x.org></iframe>",
    ],
)
def test_raw_html_is_shown_as_text(payload: str) -> None:
    for text in (payload, f"Hello {payload} there", f"- {payload}"):
        found = Elements(render(text))
        assert set(found.tags()) <= {"p", "ul", "li"}, text
        assert payload in found.text, text


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](jav&#x61;script:alert(1))",
        "[click](  javascript:alert(1)  )",
        "<javascript:alert(1)>",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
        "[click](file:///etc/passwd)",
        "[click](ftp://example.com/)",
        "[click](/projects/elsewhere)",
        "[click](//example.com/)",
        "[ref]\n\n[ref]: javascript:alert(1)",
        "javascript:alert(1)",
    ],
)
def test_only_web_and_mail_addresses_are_links(text: str) -> None:
    assert Elements(render(text)).links() == [], text


def test_images_are_not_loaded() -> None:
    found = Elements(render("![pixel](https://tracker.example/p.gif)"))
    assert "img" not in found.tags()


def test_links_open_in_a_new_tab_and_pass_nothing_on() -> None:
    found = Elements(render("[the spec](https://example.com/spec?a=1&b=2) and <mailto:a@b.co>"))
    assert found.links() == [
        {"href": "https://example.com/spec?a=1&b=2", "target": "_blank", "rel": LINK_REL},
        {"href": "mailto:a@b.co", "target": "_blank", "rel": LINK_REL},
    ]
    assert LINK_REL == "noopener noreferrer nofollow"


def test_bare_addresses_are_links() -> None:
    text = "See https://example.com/a_b, www.example.org or ana@example.com (not README.md)."
    found = Elements(render(text))
    assert [link["href"] for link in found.links()] == [
        "https://example.com/a_b",
        "http://www.example.org",
        "mailto:ana@example.com",
    ]
    assert found.text == text + "\n"


def test_an_attribute_cannot_be_broken_out_of() -> None:
    found = Elements(render('[x](https://example.com/"onmouseover="alert(1))'))
    for _tag, attrs in found.found:
        assert not [name for name in attrs if name.startswith("on")]


def test_empty_text_renders_nothing() -> None:
    assert render("") == ""
    assert render("  \n\t") == ""


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://example.com", True),
        ("HTTP://EXAMPLE.COM", True),
        ("mailto:a@b.co", True),
        ("javascript:alert(1)", False),
        ("/relative", False),
        ("", False),
    ],
)
def test_allowed_link(url: str, allowed: bool) -> None:
    assert allowed_link(url) is allowed
