"""The security headers of the app on ``PORT``.

Every response says ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
same-origin``. Every HTML page also carries a Content-Security-Policy: scripts and
styles only from the app itself, connections only to the app and to the realtime gateway
the page was told about (``gateway_urls``: another port, so another origin), no framing.
The interactive API docs are left without one: Swagger UI and ReDoc run inline scripts
and load their code from a CDN.

Two things in the templates are inline, and the policy names exactly those: the
``<style>`` inside ``<noscript>`` (by its hash, computed here from the templates
themselves, so editing it cannot silently break it) and ``style="--dot: …"`` attributes
that colour a project's dot. Inline style *attributes* are allowed through
``style-src``, while ``style-src-elem`` keeps ``<style>`` elements to the hashed ones; a
browser that predates ``style-src-elem`` falls back to the looser ``style-src`` rather
than losing the colours. ``<script type="application/json">`` holds data, which no
policy governs because it never runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tasklane.settings import Settings
from tasklane.web.rendering import TEMPLATES_DIR, gateway_urls
from tasklane.web.urls import path_within

ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def inline_style_hashes(templates: Path = TEMPLATES_DIR) -> list[str]:
    """The CSP hash sources of every ``<style>`` element written into the templates.
    Their text must be constant: a hash cannot follow a value filled in per page."""
    sources: list[str] = []
    for template in sorted(templates.glob("*.html")):
        for css in _STYLE.findall(template.read_text()):
            if "{{" in css or "{%" in css:
                raise ValueError(f"{template.name}: an inline <style> must not be templated")
            digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
            sources.append(f"'sha256-{digest}'")
    return list(dict.fromkeys(sources))


def source_of(base: str) -> str:
    """The CSP source that allows every URL under ``base``. A source whose path does not
    end with ``/`` matches that path exactly, so ``ws://host:4000/e/ep_1`` would refuse
    the page's ``ws://host:4000/e/ep_1/ws``: a base with a path (an episode's, or
    ``PUBLIC_GATEWAY_URL``'s) is given as a folder."""
    return base if not urlsplit(base).path or base.endswith("/") else base + "/"


def content_security_policy(gateway: Iterable[str], style_hashes: Iterable[str]) -> str:
    """The policy of a page whose script talks to the app and to the URLs under the
    ``gateway`` bases."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "style-src-elem": " ".join(["'self'", *style_hashes]),
        "img-src": "'self' data:",
        "connect-src": " ".join(["'self'", *map(source_of, gateway)]),
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    """ASGI middleware that adds the headers above to what the app answers, leaving any
    header a route set itself alone."""

    def __init__(self, app: ASGIApp, settings: Settings, exempt: Iterable[str] = ()) -> None:
        self.app = app
        self.settings = settings
        # Paths served without a policy (the API docs), in any episode.
        self.exempt = frozenset(exempt)
        self.style_hashes = inline_style_hashes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                page = headers.get("content-type", "").startswith("text/html")
                if page and path_within(Request(scope)) not in self.exempt:
                    headers.setdefault("Content-Security-Policy", self.policy(scope))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def policy(self, scope: Scope) -> str:
        """The policy of the page at ``scope``: its gateway is on the host it was asked
        for, as the page's data says."""
        urls = gateway_urls(Request(scope), self.settings)
        return content_security_policy((urls["ws"], urls["http"]), self.style_hashes)
