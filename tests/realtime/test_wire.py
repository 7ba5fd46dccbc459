"""The sans-I/O wire format: client frames in, control frames out."""

from __future__ import annotations

import json

import pytest

from tasklane.realtime import wire


def test_a_join_with_and_without_last_seq_parses() -> None:
    assert wire.parse('{"type":"join","projectId":"proj_1"}', max_bytes=1024) == wire.Join(
        type="join", project_id="proj_1", last_seq=None
    )
    frame = wire.parse('{"type":"join","projectId":"proj_1","lastSeq":7}', max_bytes=1024)
    assert isinstance(frame, wire.Join)
    assert frame.last_seq == 7


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"type": "dance"}', "unknown frame type 'dance'"),
        ("{}", "unknown frame type None"),
        ('{"type": "join"}', "projectId"),
        ('{"type": "join", "projectId": "p", "lastSeq": -1}', "lastSeq"),
        ('{"type": "join", "projectId": "p", "lastSeq": "x"}', "lastSeq"),
        ('{"type": "join", "projectId": "p", "extra": 1}', "extra"),
        ('{"type": "leave", "projectId": ""}', "projectId"),
    ],
)
def test_bad_frames_are_refused_with_a_reason(raw: str, needle: str) -> None:
    result = wire.parse(raw, max_bytes=1024)
    assert isinstance(result, wire.FrameError)
    assert result.code == "bad_request"
    assert needle in result.message


def test_binary_and_oversized_frames_are_refused() -> None:
    binary = wire.parse(b'{"type":"ping"}', max_bytes=1024)
    assert binary == wire.FrameError("bad_request", binary.message)  # type: ignore[union-attr]
    big = wire.parse(json.dumps({"type": "ping", "id": "x" * 2000}), max_bytes=1024)
    assert isinstance(big, wire.FrameError)
    assert big.code == "too_large"
    multibyte = wire.parse('{"type":"ping","id":"' + "é" * 600 + '"}', max_bytes=1024)
    assert isinstance(multibyte, wire.FrameError)
    assert multibyte.code == "too_large"


def test_an_event_is_encoded_once_for_every_transport() -> None:
    frame = wire.event("task_created", "proj_1", 5, b'{"type":"task_created","seq":5}')
    assert frame.text == '{"type":"task_created","seq":5}'
    assert frame.sse() == b'event: task_created\ndata: {"type":"task_created","seq":5}\n\n'
    assert frame.sse() is frame.sse()  # built once, then shared


def test_control_frames_are_camel_case_json() -> None:
    assert json.loads(wire.joined("proj_1", 4, [{"userId": "u", "name": "U"}]).text) == {
        "type": "joined",
        "projectId": "proj_1",
        "seq": 4,
        "presence": [{"userId": "u", "name": "U"}],
    }
    assert json.loads(wire.error("forbidden", "no", "proj_1").text) == {
        "type": "error",
        "code": "forbidden",
        "message": "no",
        "projectId": "proj_1",
    }
    assert json.loads(wire.resync_required("p", 9, "why").text) == {
        "type": "resync_required",
        "projectId": "p",
        "seq": 9,
        "reason": "why",
    }
    assert json.loads(wire.pong(3).text) == {"type": "pong", "id": 3}


def test_a_run_of_frames_is_cut_into_batches_within_the_limits() -> None:
    small = [wire.Outgoing("task_updated", f'{{"seq":{n}}}', "p", n) for n in range(1, 251)]
    assert [len(g) for g in wire.groups(small)] == [100, 100, 50]
    assert [f.seq for g in wire.groups(small) for f in g] == list(range(1, 251))
    big = "x" * (wire.BATCH_BYTES // 2 + 1)
    large = [wire.Outgoing("task_updated", big, "p", n) for n in range(1, 5)]
    assert [len(g) for g in wire.groups(large)] == [1, 1, 1, 1]  # two would be over
    assert wire.groups([]) == []
