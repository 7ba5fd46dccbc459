"""Reading what the gateway sends, as plain data: frames into types, an event stream
into messages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tasklane.client.frames import (
    Closing,
    Connected,
    ErrorFrame,
    Joined,
    Left,
    PresenceEvent,
    ResyncRequired,
    parse_frame,
)
from tasklane.client.transports import SseMessage, sse_messages
from tasklane.protocol.events import EventEnvelope


def test_control_frames_presence_and_events_are_read_into_their_types() -> None:
    assert parse_frame(
        '{"type":"connected","connectionId":"conn_1","userId":"user_1","heartbeatSeconds":20}'
    ) == Connected("conn_1", "user_1", 20.0)
    joined = parse_frame(
        '{"type":"joined","projectId":"proj_1","seq":7,'
        '"presence":[{"userId":"user_1","name":"Ana"}]}'
    )
    assert isinstance(joined, Joined)
    assert (joined.seq, [p.name for p in joined.present]) == (7, ["Ana"])
    assert parse_frame('{"type":"left","projectId":"proj_1","reason":"access_revoked"}') == Left(
        "proj_1", "access_revoked"
    )
    assert parse_frame(
        '{"type":"resync_required","projectId":"proj_1","seq":3,"reason":"too far"}'
    ) == ResyncRequired("proj_1", 3, "too far")
    assert parse_frame('{"type":"error","code":"forbidden","message":"no","projectId":"p"}') == (
        ErrorFrame("forbidden", "no", "p")
    )
    assert parse_frame('{"type":"close","code":4001,"reason":"{}"}') == Closing(4001, "{}")
    presence = parse_frame(
        '{"type":"user_connected","projectId":"proj_1","userId":"user_2",'
        '"data":{"projectId":"proj_1","userId":"user_2","name":"Ben"},'
        '"timestamp":"2026-01-01T12:00:00.000Z"}'
    )
    assert isinstance(presence, PresenceEvent)
    assert (presence.type, presence.project_id, presence.data.name) == (
        "user_connected",
        "proj_1",
        "Ben",
    )
    event = parse_frame(
        '{"type":"comment_deleted","projectId":"proj_1","userId":"user_1","seq":9,'
        '"data":{"projectId":"proj_1","commentId":"cmt_1","taskId":"task_1"},'
        '"timestamp":"2026-01-01T12:00:00.000Z"}'
    )
    assert isinstance(event, EventEnvelope)
    assert (event.type, event.seq) == ("comment_deleted", 9)
    assert parse_frame('{"type":"pong","id":1}') is None


@pytest.mark.parametrize(
    "text",
    ["[1]", "not json", '{"type":"joined","projectId":"p"}', '{"type":"task_created","seq":1}'],
)
def test_a_malformed_frame_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's errors are ValueErrors too
        parse_frame(text)


async def test_an_event_stream_is_read_as_an_event_source_reads_it() -> None:
    async def lines() -> AsyncIterator[str]:
        for line in [
            "retry: 2000",
            "event: connected",
            'data: {"a":',
            "data: 1}",
            "",
            ": heartbeat",
            "",
            "id: 42",
            "event: task_created",
            "data:{}",
            "",
            "data: no event name",
            "",
        ]:
            yield line

    assert [message async for message in sse_messages(lines())] == [
        SseMessage("connected", '{"a":\n1}', None),
        SseMessage("task_created", "{}", "42"),
        SseMessage("message", "no event name", "42"),
    ]
