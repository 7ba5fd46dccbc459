"""One TLS context for every HTTP client the tests make.

httpx builds a new ``ssl.SSLContext`` for each client, loading the machine's whole CA
bundle every time: about 40 ms of CPU per client, and the tests make thousands of them
(each ``httpx.get`` is a client). The context for the default settings is built once
here and handed to every client that asks for the default; a context is meant to be
shared, and holds the same certificates. Clients that ask for anything else (their own
``verify`` or ``cert``) get what they asked for."""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

import httpx
from httpx._transports import default


def share_the_default_context() -> None:
    build = httpx.create_ssl_context

    @cache
    def the_default() -> ssl.SSLContext:
        return build()

    def create_ssl_context(
        verify: Any = True, cert: Any = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is True and cert is None and trust_env:
            return the_default()
        return build(verify=verify, cert=cert, trust_env=trust_env)

    # The name the transports call it by, in the module that defines them.
    vars(default)["create_ssl_context"] = create_ssl_context
