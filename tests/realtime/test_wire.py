"""The sans-I/O wire format: client frames in, control frames out."""

from __future__ import annotations

import json

import pytest

from tasklane.protocol import frames
from tasklane.realtime import outgoing
from tasklane.realtime.log import Committed


def test_a_join_with_and_without_last_seq_parses() -> None:
    assert frames.parse('{"type":"join","projectId":"proj_1"}', max_bytes=1024) == frames.Join(
        type="join", project_id="proj_1", last_seq=None
    )
    frame = frames.parse('{"type":"join","projectId":"proj_1","lastSeq":7}', max_bytes=1024)
    assert isinstance(frame, frames.Join)
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
    result = frames.parse(raw, max_bytes=1024)
    assert isinstance(result, frames.FrameError)
    assert result.code == "bad_request"
    assert needle in result.message


def test_binary_and_oversized_frames_are_refused() -> None:
    binary = frames.parse(b'{"type":"ping"}', max_bytes=1024)
    assert binary == frames.FrameError("bad_request", binary.message)  # type: ignore[union-attr]
    big = frames.parse(json.dumps({"type": "ping", "id": "x" * 2000}), max_bytes=1024)
    assert isinstance(big, frames.FrameError)
    assert big.code == "too_large"
    multibyte = frames.parse('{"type":"ping","id":"' + "é" * 600 + '"}', max_bytes=1024)
    assert isinstance(multibyte, frames.FrameError)
    assert multibyte.code == "too_large"


def test_an_event_goes_out_as_the_bytes_its_transaction_encoded() -> None:
    committed = Committed("proj_1", 5, "task_created", b'{"type":"task_created","seq":5}')
    frame = outgoing.event(committed)
    assert frame.data is committed.frame  # the same bytes, not a copy
    assert frame.text == '{"type":"task_created","seq":5}'
    assert frame.sse() == b'event: task_created\ndata: {"type":"task_created","seq":5}\n\n'
    assert frame.sse() is frame.sse()  # built once, then shared
    assert outgoing.batch([frame, frame]).data == (
        b'[{"type":"task_created","seq":5},{"type":"task_created","seq":5}]'
    )


def test_control_frames_are_camel_case_json() -> None:
    assert json.loads(outgoing.joined("proj_1", 4, [{"userId": "u", "name": "U"}]).text) == {
        "type": "joined",
        "projectId": "proj_1",
        "seq": 4,
        "presence": [{"userId": "u", "name": "U"}],
    }
    assert json.loads(outgoing.error("forbidden", "no", "proj_1").text) == {
        "type": "error",
        "code": "forbidden",
        "message": "no",
        "projectId": "proj_1",
    }
    assert json.loads(outgoing.resync_required("p", 9, "why").text) == {
        "type": "resync_required",
        "projectId": "p",
        "seq": 9,
        "reason": "why",
    }
    assert json.loads(outgoing.pong(3).text) == {"type": "pong", "id": 3}


def test_a_run_of_frames_is_cut_into_batches_within_the_limits() -> None:
    small = [
        outgoing.Outgoing("task_updated", f'{{"seq":{n}}}'.encode(), "p", n) for n in range(1, 251)
    ]
    assert [len(g) for g in outgoing.groups(small)] == [100, 100, 50]
    assert [f.seq for g in outgoing.groups(small) for f in g] == list(range(1, 251))
    big = b"x" * (outgoing.BATCH_BYTES // 2 + 1)
    large = [outgoing.Outgoing("task_updated", big, "p", n) for n in range(1, 5)]
    assert [len(g) for g in outgoing.groups(large)] == [1, 1, 1, 1]  # two would be over
    assert outgoing.groups([]) == []
