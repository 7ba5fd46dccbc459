"""Hostile input at the realtime gateway: the frame parser under Hypothesis, then a
live gateway fed generated frames over one real socket, arbitrary SSE queries and
broadcast bodies; and the frame size cap, enforced by the WebSocket layer with 1009.

Whatever arrives, the answer is a frame or an HTTP status the protocol documents, never
a crash, a 5xx, an undocumented close or a hang.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as connect_sync

from tasklane.protocol import frames
from tasklane.protocol.base import MAX_SEQ
from tasklane.protocol.events import DURABLE_TYPES, PRESENCE_TYPES
from tasklane.realtime import outgoing
from tests.conftest import Person, make_settings
from tests.live import LiveStack, live_stack
from tests.realtime.client import connect
from tests.reliability import Figures, scaled

Signup = Callable[[str], Person]
Json = dict[str, Any]
LIMIT = 65_536  # WS_MAX_FRAME_BYTES, the default
ONE_SHOT = httpx.Limits(max_keepalive_connections=0)  # a 500 closes the connection
OWN, FOREIGN, MADE_UP = "$own", "$foreign", "$madeup"  # filled in with real ids


# -- strategies ----------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and ±Infinity too: Python's json writes and reads them
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
project_ids = st.sampled_from([OWN, FOREIGN, MADE_UP]) | st.text(max_size=50) | json_values
# Near the schema, so that many frames get past JSON to validation and to the hub.
near_frames = st.fixed_dictionaries(
    {"type": st.sampled_from(["join", "leave", "ping", "Join", "pong", ""]) | st.text(max_size=8)},
    optional={
        "projectId": project_ids,
        "lastSeq": st.integers(min_value=-2, max_value=2**70)
        | st.sampled_from([0, MAX_SEQ, MAX_SEQ + 1])
        | json_values,
        "id": st.text(max_size=80) | st.integers() | json_values,
        "extra": json_values,
    },
)
# Numbers no Python value prints: thousands of digits, exponents past any float.
digits = st.text("0123456789", min_size=1, max_size=6_000)
literal_numbers = st.one_of(
    digits.map(lambda n: f'{{"type":"ping","id":{n}}}'),
    digits.map(lambda n: f'{{"type":"join","projectId":"{OWN}","lastSeq":{n}}}'),
    st.sampled_from(["1e400", "-1e400", "-0", "NaN", "Infinity", "0.0", "1E+2", "-"]).map(
        lambda n: f'{{"type":"join","projectId":"{OWN}","lastSeq":{n}}}'
    ),
)
# Deeper than any decoder's stack, yet inside the size limit.
depths = st.integers(min_value=300, max_value=20_000)
deep = st.one_of(
    depths.map(lambda n: "[" * n + "]" * n),
    depths.map(lambda n: '{"a":' * (n // 2) + "1" + "}" * (n // 2)),
    depths.map(lambda n: '{"type":"ping","id":' + "[" * n + "]" * n + "}"),
    depths.map(lambda n: f'{{"type":"join","projectId":"{OWN}","lastSeq":' + "[" * n + "]" * n),
)
text_frames = st.one_of(
    near_frames.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=200),  # any Unicode, NUL included
    literal_numbers,
    deep,
)
# Over the limit, a frame closes the connection with 1009: tested on its own below.
any_frames: st.SearchStrategy[str | bytes] = text_frames.filter(
    lambda text: len(text.encode()) <= LIMIT
) | st.binary(max_size=100)

DEEP_ARRAY = "[" * 30_000 + "]" * 30_000  # the frame that used to end the connection


# -- the parser ----------------------------------------------------------------------


@hypothesis_settings(
    max_examples=scaled(400, 5_000), deadline=None, derandomize=True, database=None
)
@given(raw=any_frames)
@example(raw=DEEP_ARRAY)
@example(raw='{"type":"ping","id":"' + "\x00" + '"}')
@example(raw='{"type":"ping","id":"\\ud800"}')  # a lone surrogate, escaped
def test_the_parser_returns_a_frame_or_a_refusal_for_any_input(raw: str | bytes) -> None:
    result = frames.parse(raw, max_bytes=LIMIT)
    if isinstance(result, frames.FrameError):
        assert result.code in ("bad_request", "too_large"), result
        assert result.message
        json.loads(outgoing.error(result.code, result.message).text)
        return
    # Accepted: within its documented bounds, and every answer that echoes it encodes.
    if isinstance(result, frames.Ping):
        assert result.id is None or isinstance(result.id, int) or len(result.id) <= 64
        assert json.loads(outgoing.pong(result.id).text) == {"type": "pong", "id": result.id}
    else:
        assert 1 <= len(result.project_id) <= 40
        assert "\x00" not in result.project_id
        echoed = outgoing.error("forbidden", "no", result.project_id).text
        assert json.loads(echoed)["projectId"] == result.project_id
    if isinstance(result, frames.Join) and result.last_seq is not None:
        assert 0 <= result.last_seq <= MAX_SEQ


@pytest.mark.parametrize("size", [LIMIT, LIMIT + 1])
def test_the_parsers_own_size_check_is_a_second_line_at_the_same_limit(size: int) -> None:
    frame = '{"type":"ping"}'
    padded = frame + " " * (size - len(frame))
    result = frames.parse(padded, max_bytes=LIMIT)
    if size <= LIMIT:
        assert result == frames.Ping(type="ping")
    else:
        assert isinstance(result, frames.FrameError)
        assert result.code == "too_large"


# -- the frame size cap over a real socket ---------------------------------------------


def padded_ping(size: int, ping_id: str) -> str:
    """A valid ping of exactly ``size`` bytes: JSON allows whitespace after the value."""
    frame = json.dumps({"type": "ping", "id": ping_id})
    return frame + " " * (size - len(frame))


async def test_a_frame_at_the_limit_is_answered_and_one_byte_more_is_closed_with_1009(
    live: LiveStack, signup: Signup
) -> None:
    assert live.stack.settings.ws_max_frame_bytes == LIMIT
    ana = signup("ana")
    async with connect(live.ws_url, token=ana.token) as client:
        await client.send(padded_ping(LIMIT, "at-the-limit"))
        assert await client.expect("pong", 10) == {"type": "pong", "id": "at-the-limit"}
        await client.send(padded_ping(LIMIT + 1, "over"))
        code, _reason = await client.closed(10)
    assert code == 1009


async def test_a_binary_frame_over_the_limit_is_closed_with_1009_too(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    async with connect(live.ws_url, token=ana.token) as client:
        await client.send(b"\x00" * (LIMIT + 1))
        code, _reason = await client.closed(10)
    assert code == 1009


# -- a live gateway fed generated frames -------------------------------------------------


@pytest.fixture(scope="module")
def lenient(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """A stack that neither rate-limits frames nor counts strikes nor caps connections,
    so that every generated input reaches the code under test."""
    settings = make_settings(
        database_url,
        tmp_path_factory.mktemp("lenient"),
        ws_messages_per_second=1_000_000.0,
        ws_message_burst=1_000_000,
        ws_abuse_strikes=1_000_000,
        ws_max_connections_per_user=1_000_000,
    )
    with live_stack(settings) as running:
        yield running


@pytest.fixture
def gateway_http(lenient: LiveStack) -> Iterator[httpx.Client]:
    """One client for every generated request (building one costs more than a request),
    with a fresh connection for each."""
    with httpx.Client(base_url=lenient.gateway_http, timeout=10, limits=ONE_SHOT) as http:
        yield http


@dataclass
class Target:
    """A user with a project of their own, and the id of a project they are not in."""

    person: Person
    own: str
    foreign: str

    def fill(self, text: str) -> str:
        return (
            text.replace(OWN, self.own)
            .replace(FOREIGN, self.foreign)
            .replace(MADE_UP, "proj_madeup0000000000000")
        )

    def fill_bytes(self, content: bytes) -> bytes:
        for placeholder, real in ((OWN, self.own), (FOREIGN, self.foreign)):
            content = content.replace(placeholder.encode(), real.encode())
        return content.replace(MADE_UP.encode(), b"proj_madeup0000000000000")


@pytest.fixture
def target(signup: Signup) -> Target:
    ana, eve = signup("ana"), signup("eve")
    own = ana.http.post("/api/projects", json={"name": "Fuzzed"})
    foreign = eve.http.post("/api/projects", json={"name": "Not Ana's"})
    assert own.status_code == foreign.status_code == 201
    task = eve.http.post(f"/api/projects/{foreign.json()['id']}/tasks", json={"name": "Eve's"})
    assert task.status_code == 201, task.text
    return Target(ana, own.json()["id"], foreign.json()["id"])


@pytest.fixture
def socket(lenient: LiveStack, target: Target) -> Iterator[ClientConnection]:
    """One connection for every generated frame: it must survive them all."""
    headers = {"Authorization": f"Bearer {target.person.token}"}
    with connect_sync(f"{lenient.ws_url}/ws", additional_headers=headers, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "connected"
        yield ws


ANSWERS = {"joined", "left", "pong", "error", "resync_required", *PRESENCE_TYPES, *DURABLE_TYPES}
_sentinels = itertools.count()


def asked_to_leave(sent: str | bytes) -> object:
    """The ``projectId`` a ``leave`` frame names, or None for any other frame."""
    try:
        frame = json.loads(sent)
    except (ValueError, RecursionError):
        return None
    return (
        frame.get("projectId") if isinstance(frame, dict) and frame.get("type") == "leave" else None
    )


def answers_until_pong(ws: ClientConnection, ping_id: str) -> list[Json]:
    """Every frame that arrives before the pong to ``ping_id``."""
    got: list[Json] = []
    while True:
        frame = json.loads(ws.recv(timeout=10))
        assert isinstance(frame, dict), frame
        if frame == {"type": "pong", "id": ping_id}:
            return got
        got.append(frame)


@hypothesis_settings(
    max_examples=scaled(200, 2_000),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=any_frames)
@example(raw=DEEP_ARRAY)
def test_a_live_connection_answers_every_generated_frame_and_stays_open(
    socket: ClientConnection, target: Target, figures: Figures, raw: str | bytes
) -> None:
    sent = target.fill(raw) if isinstance(raw, str) else raw
    sentinel = f"sentinel-{next(_sentinels)}"
    figures.requests += 1
    try:
        socket.send(sent)
        socket.send(json.dumps({"type": "ping", "id": sentinel}))
        answers = answers_until_pong(socket, sentinel)
    except ConnectionClosed as closed:
        raise AssertionError(f"the gateway closed the connection: {closed.rcvd}") from closed
    for frame in answers:
        assert frame.get("type") in ANSWERS, frame
        if frame["type"] == "error":
            figures.server_errors += frame["code"] == "unavailable"
            # Never "unavailable" (a server fault) nor "rate_limited" (off here).
            assert frame["code"] in ("bad_request", "forbidden"), frame
            assert frame["message"]
        elif frame["type"] == "left" and frame.get("reason") == "left":
            # A leave is answered for whatever project it names, followed or not, in the
            # same words: the answer says nothing the frame did not.
            assert frame["projectId"] == asked_to_leave(sent), frame
        elif frame.get("projectId") is not None:
            # Only the user's own project: nothing of one they are not in.
            assert frame["projectId"] == target.own, frame


# -- SSE queries and broadcast bodies --------------------------------------------------


def below_500(response: httpx.Response, body: bytes, figures: Figures) -> None:
    figures.requests += 1
    if response.status_code >= 500:
        figures.server_errors += 1
        # The server logs its traceback as it answers; formatting our failure at the
        # same moment can crash CPython 3.11 (see tests/api/test_bad_input.py).
        time.sleep(0.5)
    assert response.status_code < 500, (response.status_code, body[:500])


def error_shape(body: bytes, codes: tuple[str, ...]) -> None:
    error = json.loads(body)["error"]
    assert error["code"] in codes, error
    assert error["message"]


# Query parameters as a browser or a script might send them: any text, NUL included.
query_values = st.sampled_from([OWN, FOREIGN, MADE_UP]) | st.text(max_size=60)
sse_queries = st.lists(
    st.tuples(
        st.sampled_from(["projectId", "projectId", "lastEventId", "ticket", "batch"])
        | st.text(max_size=10),
        query_values
        | st.builds(lambda p, s: f"{p}:{s}", query_values, digits | st.integers().map(str)),
    ),
    max_size=24,
)
# A header is printable ASCII on the wire.
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60).map(
    str.strip  # h11 refuses a value that starts or ends with a space
)


@hypothesis_settings(
    max_examples=scaled(80, 1_000),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=sse_queries, last_event_id=st.none() | header_text, signed_in=st.booleans())
def test_an_arbitrary_sse_query_is_streamed_or_refused_never_a_server_error(
    gateway_http: httpx.Client,
    target: Target,
    figures: Figures,
    query: list[tuple[str, str]],
    last_event_id: str | None,
    signed_in: bool,
) -> None:
    headers = {"Authorization": f"Bearer {target.person.token}"} if signed_in else {}
    if last_event_id is not None:
        headers["Last-Event-ID"] = target.fill(last_event_id)
    params = httpx.QueryParams([(name, target.fill(value)) for name, value in query])
    with gateway_http.stream("GET", "/sse", params=params, headers=headers) as response:
        if response.status_code == 200:
            figures.requests += 1
            assert response.headers["content-type"].startswith("text/event-stream")
            return
        body = response.read()
    below_500(response, body, figures)
    assert response.status_code in (400, 401, 403), body
    error_shape(body, ("bad_request", "unauthorized", "forbidden"))
    names = list(params.keys())
    followed = set(params.get_list("projectId"))
    if signed_in and "ticket" not in names and followed and followed <= {target.own}:
        assert response.status_code == 400, body  # then only the query can be wrong


event_types = st.sampled_from(sorted(DURABLE_TYPES)) | st.text(max_size=20)
broadcast_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"projectId": project_ids},
        optional={"type": event_types, "data": json_values, "userId": json_values},
    ),
    st.fixed_dictionaries(
        {"projectId": project_ids, "seq": st.integers(min_value=-1, max_value=2**40)}
    ),
)


@dataclass(frozen=True)
class RawBody:
    content: bytes


raw_bodies = st.one_of(
    broadcast_bodies.map(lambda body: RawBody(json.dumps(body).encode())),
    st.binary(max_size=200).map(RawBody),
    deep.map(lambda text: RawBody(text.encode())),
)


@hypothesis_settings(
    max_examples=scaled(100, 1_000),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=raw_bodies, secret=st.sampled_from(["right", "wrong", "missing", "user token"]))
@example(
    body=RawBody(b'{"projectId":"x","seq":1,"data":' + DEEP_ARRAY.encode() + b"}"), secret="right"
)
def test_an_arbitrary_broadcast_body_is_accepted_or_refused_never_a_server_error(
    lenient: LiveStack,
    gateway_http: httpx.Client,
    target: Target,
    figures: Figures,
    body: RawBody,
    secret: str,
) -> None:
    bearer = {
        "right": lenient.stack.settings.resolved_broadcast_secret(),
        "wrong": "not-the-secret",
        "user token": target.person.token,  # a user's token is no broadcast secret
    }.get(secret)
    headers = {"Content-Type": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    response = gateway_http.post(
        "/broadcast", content=target.fill_bytes(body.content), headers=headers
    )
    below_500(response, response.content, figures)
    if secret != "right":
        assert response.status_code == 401, response.text
        error_shape(response.content, ("unauthorized",))
        return
    assert response.status_code in (201, 202, 400, 404, 422), response.text
    if response.status_code >= 400:
        codes = ("invalid_json", "validation_error", "unknown_type", "not_broadcastable")
        error_shape(response.content, (*codes, "not_found"))


def test_after_the_fuzzing_the_lenient_gateway_is_still_ready(lenient: LiveStack) -> None:
    with httpx.Client(base_url=lenient.gateway_http, timeout=10) as http:
        assert http.get("/readyz").status_code == 200
