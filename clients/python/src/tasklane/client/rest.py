"""The REST clients: :class:`TasklaneClient` (sync) and :class:`AsyncTasklaneClient`.

Both have every method of :class:`~tasklane.client.endpoints.Endpoints`; they differ only
in how a :class:`~tasklane.client.calls.Call` is sent (``httpx.Client`` or
``httpx.AsyncClient``). Preparing the request and reading the answer is shared.
"""

from __future__ import annotations

import functools
import ssl
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from tasklane.client.calls import AsyncSender, Call, SyncSender
from tasklane.client.endpoints import Endpoints
from tasklane.client.errors import TasklaneConnectionError, error_from
from tasklane.protocol.auth import AuthResult

T = TypeVar("T")
DEFAULT_URL = "http://127.0.0.1:3001"
USER_AGENT = "tasklane-python"


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The certificates every client of the SDK checks servers against, loaded once, on
    first use, from where httpx would load them for each client (``SSL_CERT_FILE``,
    ``SSL_CERT_DIR``, else certifi's bundle). Loading them takes tens of milliseconds: a
    harness that opens a client per episode would pay that for every one."""
    return httpx.create_ssl_context()


class _Session:
    """The part both clients share: the token, the request, the reading of the answer."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        self.token = token

    def _request(self, call: Call[Any]) -> dict[str, Any]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request: dict[str, Any] = {
            "method": call.method,
            "url": call.path,
            "params": call.params,
            "json": call.body,
            "headers": headers,
        }
        if call.timeout is not None:
            request["timeout"] = call.timeout
        return request

    def _finish(self, call: Call[T], response: httpx.Response) -> T:
        if response.is_error:
            raise error_from(response)
        result = call.parse(response.content)
        if call.session == "adopt":
            self.token = cast(AuthResult, result).token
        elif call.session == "drop":
            self.token = None
        return result


def _unreachable(url: str, exc: httpx.TransportError) -> TasklaneConnectionError:
    return TasklaneConnectionError(f"cannot reach {url}: {exc!r}", code="unreachable")


class TasklaneClient(Endpoints, _Session, SyncSender):
    """The JSON API, synchronously::

        with TasklaneClient("http://127.0.0.1:3001", token=TOKEN) as api:
            project = api.create_project("Launch")
            api.create_task(project.id, "Write the announcement")

    ``token`` is a personal API token or a session token; ``login`` and ``register``
    set it. Errors raise :class:`~tasklane.client.errors.TasklaneError` subclasses that
    carry the API's ``code``. ``transport`` is passed to httpx (tests, proxies).
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        _Session.__init__(self, url, token)
        self._http = httpx.Client(
            base_url=self.url, timeout=timeout, transport=transport, verify=tls_context()
        )

    def send(self, call: Call[T]) -> T:
        try:
            response = self._http.request(**self._request(call))
        except httpx.TransportError as exc:
            raise _unreachable(self.url, exc) from exc
        return self._finish(call, response)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TasklaneClient:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncTasklaneClient(Endpoints, _Session, AsyncSender):
    """The JSON API for asyncio: the same methods as :class:`TasklaneClient`, awaited::

    async with AsyncTasklaneClient(url, token=TOKEN) as api:
        task = await api.create_task(project_id, "Write the announcement")
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        _Session.__init__(self, url, token)
        self._http = httpx.AsyncClient(
            base_url=self.url, timeout=timeout, transport=transport, verify=tls_context()
        )

    async def send(self, call: Call[T]) -> T:
        try:
            response = await self._http.request(**self._request(call))
        except httpx.TransportError as exc:
            raise _unreachable(self.url, exc) from exc
        return self._finish(call, response)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncTasklaneClient:
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
