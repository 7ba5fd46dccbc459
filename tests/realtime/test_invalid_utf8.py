"""A text frame that is not UTF-8, over real sockets: its connection is closed with 1007
(invalid frame payload data), nothing is logged as an error, and every other connection
goes on as before. Any client can send such frames at will: each must not be an alarm."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import Person
from tests.live import LiveStack
from tests.realtime.client import Client, connect

Signup = Callable[[str], Person]

NOT_UTF8 = b'{"type": "ping", "id": "\xff"}'


class Records(logging.Handler):
    """Every log record, whichever logger it went to."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def alarms(self) -> list[str]:
        """The records at ERROR or above, and any that carries a traceback."""
        return [
            f"{record.levelname} {record.name}: {record.getMessage()}"
            for record in self.records
            if record.levelno >= logging.ERROR or record.exc_info
        ]


@contextmanager
def logged() -> Iterator[Records]:
    """Records what is logged meanwhile: on the root logger, and on the loggers that keep
    their records to themselves (uvicorn's ``uvicorn`` does not propagate)."""
    handler = Records()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


async def ping(client: Client, id: str) -> None:
    await client.send({"type": "ping", "id": id})
    assert (await client.expect("pong"))["id"] == id


@pytest.mark.parametrize(
    "fragments",
    [[NOT_UTF8], [NOT_UTF8[:10], NOT_UTF8[10:]]],
    ids=["one-frame", "fragmented"],
)
async def test_text_that_is_not_utf8_closes_with_1007_without_an_error_and_spares_the_others(
    live: LiveStack, signup: Signup, fragments: list[bytes]
) -> None:
    ana, bob = signup("ana"), signup("bob")
    async with connect(live.ws_url, token=bob.token) as other:
        with logged() as records:
            async with connect(live.ws_url, token=ana.token) as client:
                # Sent as a text message, whatever its bytes (the client does not check).
                await client.ws.send(fragments if len(fragments) > 1 else fragments[0], text=True)
                code, _reason = await client.closed()
            # The other connection still answers: the gateway is past the bad frame.
            await ping(other, "after")
        assert code == 1007
        assert records.alarms() == []


async def test_a_character_split_between_fragments_is_still_utf8(
    live: LiveStack, signup: Signup
) -> None:
    """The check is on the whole message, not on each fragment."""
    encoded = '{"type": "ping", "id": "é"}'.encode()
    split = encoded.index("é".encode()) + 1  # between the two bytes of "é"
    async with connect(live.ws_url, token=signup("ana").token) as client:
        await client.ws.send([encoded[:split], encoded[split:]], text=True)
        assert (await client.expect("pong"))["id"] == "é"
