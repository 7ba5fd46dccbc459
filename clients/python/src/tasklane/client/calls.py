"""The request/response layer shared by the sync and the async REST client.

Each API call is written once, as a function that *describes* the request (a
:class:`Call`: method, path, query, body, and how to read the answer) and is decorated
with :class:`endpoint`. The descriptor binds it to whichever client reads it: on a
:class:`SyncSender` the method returns the result, on an :class:`AsyncSender` a coroutine
of it. So ``TasklaneClient.get_task`` and ``AsyncTasklaneClient.get_task`` are one
definition, fully typed for both, and neither does any I/O of its own beyond ``send``.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Concatenate, Generic, Literal, ParamSpec, Self, TypeVar, overload
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter

T = TypeVar("T")
P = ParamSpec("P")


class Unset(Enum):
    """The type of :data:`UNSET`: "leave this field as it is" where ``None`` means "clear"."""

    UNSET = "UNSET"


UNSET = Unset.UNSET


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request of the API and how to read its answer."""

    method: str
    path: str
    parse: Callable[[bytes], T]
    params: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None
    # "adopt": the answer carries a session token the client uses from now on;
    # "drop": the client's token was just revoked.
    session: Literal["keep", "adopt", "drop"] = "keep"
    timeout: float | None = None  # seconds, when the call may wait longer than usual


_adapters: dict[Any, TypeAdapter[Any]] = {}  # building one is costly; a call is not


def returns(kind: type[T]) -> Callable[[bytes], T]:
    """Read a JSON answer as ``kind`` (one of the API's own pydantic models, or a list)."""
    adapter: TypeAdapter[T] | None = _adapters.get(kind)
    if adapter is None:
        adapter = _adapters[kind] = TypeAdapter(kind)
    return adapter.validate_json


def nothing(_content: bytes) -> None:
    """For 204 answers."""
    return None


def path(template: str, *ids: str) -> str:
    """``template`` with each ``{}`` filled by an id, percent-encoded."""
    return template.format(*(quote(part, safe="") for part in ids))


def body(
    model: type[BaseModel], *, nullable: frozenset[str] = frozenset(), **fields: Any
) -> dict[str, Any]:
    """A JSON body in the shape of ``model`` (one of the API's input schemas) with only
    the fields given. :data:`UNSET` leaves a field out; so does ``None``, except for the
    fields named in ``nullable``, which it sends as ``null`` (clearing them).

    The schema names and encodes the fields (camelCase, dates as YYYY-MM-DD); the server
    validates them, so a bad value comes back as an ``UnprocessableError`` with the API's
    ``validation_error`` code rather than as a client-side exception."""
    kept = {
        name: value
        for name, value in fields.items()
        if value is not UNSET and (value is not None or name in nullable)
    }
    return model.model_construct(**kept).model_dump(mode="json", by_alias=True, exclude_unset=True)


def query(**params: Any) -> dict[str, Any]:
    """Query parameters, leaving out those that are ``None``."""
    return {name: value for name, value in params.items() if value is not None}


class SyncSender(ABC):
    """A client that sends a :class:`Call` and returns its result."""

    @abstractmethod
    def send(self, call: Call[T]) -> T: ...


class AsyncSender(ABC):
    """A client that sends a :class:`Call` and returns a coroutine of its result."""

    @abstractmethod
    async def send(self, call: Call[T]) -> T: ...


class endpoint(Generic[P, T]):
    """Turns a method that builds a :class:`Call` into a method of both clients."""

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: SyncSender, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, client: AsyncSender, owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, client: object, owner: type[Any]) -> Any:
        if client is None:
            return self
        build = self.build
        if isinstance(client, AsyncSender):
            later = client

            async def send_later(*args: P.args, **kwargs: P.kwargs) -> T:
                return await later.send(build(later, *args, **kwargs))

            return functools.update_wrapper(send_later, build)
        if not isinstance(client, SyncSender):
            raise TypeError(f"{type(client).__name__} cannot send API calls")
        now = client

        def send_now(*args: P.args, **kwargs: P.kwargs) -> T:
            return now.send(build(now, *args, **kwargs))

        return functools.update_wrapper(send_now, build)
