// The client down and up the ladder, on fake transports and a fake clock: what it opens,
// when, and what status the page is told.

import { test } from "node:test";
import assert from "node:assert/strict";

import { makeClient, settle, CONNECTED } from "./fakes.mjs";

const P = "proj_a";

/** Lose `n` WebSockets before their `connected` frame, skipping each countdown. */
function refuseWebSockets(t, n) {
  for (let i = 0; i < n; i++) {
    t.ws.last.drop(1006);
    t.clock.advance(t.client.status.retryInMs ?? 0);
  }
}

/** The countdowns the page was shown, as whole seconds when each one started. */
function countdowns(statuses) {
  const starts = [];
  let previous = null;
  for (const s of statuses) {
    if (s.state === "reconnecting" && (previous?.state !== "reconnecting" || s.retryInMs > previous.retryInMs)) {
      starts.push(s.retryInMs);
    }
    previous = s;
  }
  return starts;
}

test("connects on the first join, to /ws with batching, and is live on `connected`", () => {
  const t = makeClient();
  assert.equal(t.ws.sockets.length, 0);
  t.client.join(P, 12);
  assert.equal(t.ws.last.url, "ws://gateway.test/ws?batch=1");
  assert.deepEqual(t.client.status, { state: "connecting", transport: "ws", retryInMs: null, reason: null, code: null });
  assert.deepEqual(t.ws.last.sent, [], "nothing goes out before `connected`");
  t.ws.last.accept();
  assert.equal(t.client.status.state, "live");
  assert.deepEqual(t.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 12 }]);
});

test("a project without a cursor joins without lastSeq and takes the head from `joined`", () => {
  const t = makeClient();
  t.client.join(P);
  t.ws.last.accept();
  assert.deepEqual(t.ws.last.joins(), [{ type: "join", projectId: P }]);
  t.ws.last.deliver({ type: "joined", projectId: P, seq: 40, presence: [] });
  assert.equal(t.client.cursor(P), 40);
});

test("a lost WebSocket is retried after 2, 4, 8, 16 and 30 s, then SSE", () => {
  const t = makeClient();
  t.client.join(P, 0);
  refuseWebSockets(t, 5);
  assert.deepEqual(countdowns(t.statuses), [2000, 4000, 8000, 16000, 30000]);
  assert.equal(t.ws.sockets.length, 6);
  assert.equal(t.sse.sources.length, 0);
  t.ws.last.drop(1006);
  assert.equal(t.client.status.transport, "sse");
  assert.equal(t.client.status.state, "connecting");
  assert.equal(t.ws.sockets.length, 6, "no seventh WebSocket but the probe, later");
});

test("with the most jitter the wait still never passes 30 s", () => {
  const t = makeClient({ random: () => 0.999 });
  t.client.join(P, 0);
  refuseWebSockets(t, 5);
  const shown = countdowns(t.statuses);
  assert.equal(shown.length, 5);
  assert.ok(shown.every((ms) => ms <= 30000), String(shown));
  assert.equal(shown[4], 30000);
});

test("the countdown is re-told once a second and the next attempt comes when it ends", () => {
  const t = makeClient({ random: () => 0 }); // 2 s - 20 % = 1.6 s
  t.client.join(P, 0);
  t.ws.last.drop(1006);
  assert.deepEqual(t.client.status, { state: "reconnecting", transport: "ws", retryInMs: 1600, reason: "closed (1006)", code: 1006 });
  t.clock.advance(600);
  assert.equal(t.client.status.retryInMs, 1000);
  assert.equal(t.ws.sockets.length, 1);
  t.clock.advance(999);
  assert.equal(t.ws.sockets.length, 1);
  t.clock.advance(1);
  assert.equal(t.ws.sockets.length, 2);
  assert.equal(t.client.status.state, "connecting");
});

test("retryNow() skips the countdown", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.drop(1006);
  t.client.retryNow();
  assert.equal(t.ws.sockets.length, 2);
  assert.equal(t.client.status.state, "connecting");
});

test("SSE that fails before its first frame falls straight through to polling", async () => {
  const t = makeClient({ transports: ["sse", "poll"] });
  t.client.join(P, 3);
  await settle();
  assert.equal(t.sse.last.url.pathname, "/sse");
  assert.deepEqual(t.sse.last.projects, [P]);
  assert.equal(t.sse.last.init.withCredentials, true);
  t.sse.last.fail();
  assert.equal(t.sse.last.closed, true, "the browser must not retry it on its own");
  assert.equal(t.client.status.transport, "poll");
  assert.equal(t.http.waiting("/events").length, 1, "polling starts at once");
});

test("SSE that worked is retried three times before polling", async () => {
  const t = makeClient({ transports: ["sse", "poll"] });
  t.client.join(P, 3);
  await settle();
  t.sse.last.send(CONNECTED);
  assert.deepEqual(t.client.status, { state: "live", transport: "sse", retryInMs: null, reason: null, code: null });
  for (let i = 0; i < 3; i++) {
    t.sse.last.fail();
    assert.equal(t.client.status.state, "reconnecting");
    t.clock.advance(t.client.status.retryInMs);
    await settle();
  }
  assert.equal(t.sse.sources.length, 4);
  t.sse.last.fail();
  assert.equal(t.client.status.transport, "poll");
});

test("the whole ladder: five WebSocket retries, blocked SSE, then live on polling", async () => {
  const t = makeClient();
  t.client.join(P, 3);
  refuseWebSockets(t, 6);
  await settle();
  t.sse.last.fail();
  assert.equal(t.client.status.transport, "poll");
  const [head] = t.http.waiting("/events");
  assert.equal(head.url.searchParams.get("wait"), "0", "the first ask answers at once");
  head.respond(200, { events: [], headSeq: 3, hasMore: false, ended: false });
  await settle();
  assert.deepEqual(t.client.status, { state: "live", transport: "poll", retryInMs: null, reason: null, code: null });
});

test("on a fallback a WebSocket is probed after 30 s ± 20 %, and takes over once connected", async () => {
  const t = makeClient({ transports: ["ws", "sse", "poll"], random: () => 0 });
  t.client.join(P, 3);
  refuseWebSockets(t, 6);
  await settle();
  const stream = t.sse.last;
  stream.send(CONNECTED);
  stream.send({ type: "task_updated", projectId: P, userId: null, seq: 4, data: {}, timestamp: "" });
  const before = t.ws.sockets.length;
  t.clock.advance(23_999);
  assert.equal(t.ws.sockets.length, before, "not before 24 s (30 s - 20 %)");
  t.clock.advance(1);
  assert.equal(t.ws.sockets.length, before + 1);
  assert.equal(t.client.status.transport, "sse", "still on SSE while the probe connects");
  t.ws.last.accept();
  assert.equal(stream.closed, true);
  assert.deepEqual(t.client.status, { state: "live", transport: "ws", retryInMs: null, reason: null, code: null });
  assert.deepEqual(t.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 4 }]);
  t.clock.advance(24_999); // a probe would come at 24 s; the first ping at 25 s
  assert.equal(t.ws.sockets.length, before + 1, "no more probes once on the WebSocket");
});

test("a failed probe is tried again a probe delay later, and the fallback stays", async () => {
  const t = makeClient({ transports: ["ws", "poll"] });
  t.client.join(P, 3);
  refuseWebSockets(t, 6);
  assert.equal(t.client.status.transport, "poll");
  t.clock.advance(30_000);
  const probes = t.ws.sockets.length;
  t.ws.last.drop(1006);
  assert.equal(t.client.status.transport, "poll");
  t.clock.advance(29_999);
  assert.equal(t.ws.sockets.length, probes);
  t.clock.advance(1);
  assert.equal(t.ws.sockets.length, probes + 1);
});

test("retryNow() on a fallback probes the WebSocket at once", async () => {
  const t = makeClient({ transports: ["ws", "poll"] });
  t.client.join(P, 3);
  refuseWebSockets(t, 6);
  const before = t.ws.sockets.length;
  t.client.retryNow();
  assert.equal(t.ws.sockets.length, before + 1);
});

for (const code of [4401, 4403, 4429, 4499]) {
  test(`a ${code} close means offline, with its reason, and no retry`, () => {
    const t = makeClient();
    t.client.join(P, 0);
    t.ws.last.accept();
    t.ws.last.drop(code, "signed out");
    assert.deepEqual(t.client.status, { state: "offline", transport: "ws", retryInMs: null, reason: "signed out", code });
    t.clock.advance(10 * 60_000);
    assert.equal(t.ws.sockets.length, 1);
    assert.deepEqual(t.clock.pending(), []);
    t.client.retryNow();
    assert.equal(t.ws.sockets.length, 2);
    assert.equal(t.client.status.state, "connecting");
  });
}

test("a 4001 close waits its retryAfterMs, not the backoff", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.accept();
  t.ws.last.drop(4001, JSON.stringify({ retryAfterMs: 700 }));
  assert.deepEqual(t.client.status, { state: "reconnecting", transport: "ws", retryInMs: 700, reason: "the server is restarting", code: 4001 });
  t.clock.advance(699);
  assert.equal(t.ws.sockets.length, 1);
  t.clock.advance(1);
  assert.equal(t.ws.sockets.length, 2);
});

test("a connection accepted and dropped at once still moves down the ladder", () => {
  const t = makeClient();
  t.client.join(P, 0);
  for (let i = 0; i < 6; i++) {
    t.ws.last.accept();
    t.ws.last.drop(1006);
    if (t.client.status.state === "reconnecting") t.clock.advance(t.client.status.retryInMs);
  }
  assert.equal(t.client.status.transport, "sse");
});

test("a connection that lasted 30 s has its failures forgiven", () => {
  const t = makeClient();
  t.client.join(P, 0);
  refuseWebSockets(t, 4);
  t.ws.last.accept();
  t.clock.advance(30_000);
  t.ws.last.deliver({ type: "pong", id: 1 }); // keep it alive past its first ping
  t.ws.last.drop(1006);
  assert.equal(t.client.status.retryInMs, 2000);
});

test("a WebSocket that answers no ping within 10 s is replaced", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.accept();
  t.clock.advance(25_000);
  assert.deepEqual(t.ws.last.sent.at(-1), { type: "ping", id: 1 });
  t.clock.advance(9_999);
  assert.equal(t.client.status.state, "live");
  t.clock.advance(1);
  assert.equal(t.client.status.state, "reconnecting");
  assert.equal(t.ws.sockets[0].closedWith, 1000);
});

test("any frame after a ping shows the connection is alive", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.accept();
  t.clock.advance(25_000);
  t.ws.last.deliver({ type: "pong", id: 1 });
  t.clock.advance(20_000);
  assert.equal(t.client.status.state, "live");
});

test("a WebSocket that never sends `connected` is given up after 10 s", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.clock.advance(10_000);
  assert.equal(t.client.status.state, "reconnecting");
});

test("the browser going offline stops everything; online reconnects at once", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.accept();
  t.window.fire("offline");
  assert.deepEqual(t.client.status, { state: "offline", transport: "ws", retryInMs: null, reason: "the network is offline", code: null });
  assert.equal(t.ws.last.closedWith, 1000);
  assert.deepEqual(t.clock.pending(), []);
  t.window.fire("online");
  assert.equal(t.ws.sockets.length, 2);
  assert.equal(t.client.status.state, "connecting");
});

test("a final close is not undone by the network coming back", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.accept();
  t.ws.last.drop(4401, "signed out");
  t.window.fire("offline");
  t.window.fire("online");
  assert.equal(t.ws.sockets.length, 1);
  assert.equal(t.client.status.reason, "signed out");
});

test("a page put in the back-forward cache reconnects when shown again", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.accept();
  t.window.fire("pagehide");
  assert.equal(t.client.status.state, "offline");
  t.window.fire("pageshow", { persisted: true });
  assert.equal(t.ws.sockets.length, 2);
});

test("the statuses a page sees, in order, through a drop and a return", () => {
  const t = makeClient({ random: () => 0 });
  t.client.join(P, 0);
  t.ws.last.accept();
  t.ws.last.drop(1001);
  t.clock.advance(1600);
  t.ws.last.accept(CONNECTED);
  assert.deepEqual(t.statuses.map((s) => [s.state, s.retryInMs]), [
    ["connecting", null], ["live", null], ["reconnecting", 1600], ["reconnecting", 1000], ["connecting", null], ["live", null],
  ]);
});

test("close() stops for good", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.accept();
  t.client.close();
  assert.deepEqual(t.client.status, { state: "offline", transport: "ws", retryInMs: null, reason: "closed", code: null });
  assert.equal(t.ws.last.closedWith, 1000);
  t.client.join("proj_b", 0);
  t.client.retryNow();
  t.window.fire("online");
  assert.equal(t.ws.sockets.length, 1);
});
