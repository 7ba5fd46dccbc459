// What the page receives: every event once, in seq order, across reconnections and
// transports; resyncs; presence; projects it can no longer follow.

import { test } from "node:test";
import assert from "node:assert/strict";

import { makeClient, settle, event, CONNECTED } from "./fakes.mjs";

const P = "proj_a";
const Q = "proj_b";

/** A client live on a WebSocket, following P from `seq`. */
function live(seq = 10, options = {}) {
  const t = makeClient(options);
  t.client.join(P, seq);
  t.ws.last.accept();
  t.ws.last.deliver({ type: "joined", projectId: P, seq, presence: [] });
  return t;
}

const seqs = (events) => events.map((e) => e.seq);

test("events reach the page in order, each once; duplicates at or below the cursor are dropped", () => {
  const t = live(10);
  t.ws.last.deliver(event(P, 11), event(P, 12)); // one batch
  t.ws.last.deliver(event(P, 12));
  t.ws.last.deliver(event(P, 9));
  t.ws.last.deliver(event(P, 13));
  assert.deepEqual(seqs(t.events), [11, 12, 13]);
  assert.equal(t.client.cursor(P), 13);
});

test("a reconnection re-joins with lastSeq = the cursor", () => {
  const t = live(10, { random: () => 0.5 });
  t.ws.last.deliver(event(P, 11), event(P, 12));
  t.ws.last.drop(1006);
  t.clock.advance(2000);
  t.ws.last.accept();
  assert.deepEqual(t.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 12 }]);
  t.ws.last.deliver({ type: "joined", projectId: P, seq: 14, presence: [] });
  t.ws.last.deliver(event(P, 12), event(P, 13), event(P, 14)); // the replay, overlapping
  assert.deepEqual(seqs(t.events), [11, 12, 13, 14]);
});

test("a gap beyond cursor + 1 re-joins from the cursor, once, and the replay fills it", () => {
  const t = live(10);
  t.ws.last.deliver(event(P, 11));
  t.ws.last.deliver(event(P, 13));
  t.ws.last.deliver(event(P, 14));
  assert.deepEqual(seqs(t.events), [11]);
  assert.deepEqual(t.ws.last.joins().slice(1), [{ type: "join", projectId: P, lastSeq: 11 }], "one re-join, not one per event");
  t.ws.last.deliver({ type: "joined", projectId: P, seq: 14, presence: [] });
  t.ws.last.deliver(event(P, 12), event(P, 13), event(P, 14));
  assert.deepEqual(seqs(t.events), [11, 12, 13, 14]);
});

test("resync_required tells the page and carries on after its seq", () => {
  const t = live(10);
  const resyncs = [];
  t.client.on("resync", (r) => resyncs.push(r));
  t.ws.last.deliver({ type: "resync_required", projectId: P, seq: 3, reason: "reset" });
  assert.deepEqual(resyncs, [{ projectId: P, seq: 3, reason: "reset" }]);
  assert.equal(t.client.cursor(P), 3);
  t.ws.last.deliver(event(P, 4));
  assert.deepEqual(seqs(t.events), [4]);
});

test("setCursor() back in the log fetches again from there", () => {
  const t = live(10);
  t.ws.last.deliver(event(P, 11));
  t.client.setCursor(P, 5);
  assert.deepEqual(t.ws.last.joins().at(-1), { type: "join", projectId: P, lastSeq: 5 });
  t.client.setCursor(P, 20);
  assert.equal(t.ws.last.joins().length, 2, "moving it forward fetches nothing");
});

test("the typed handlers: one type, any task_*, any comment_*", () => {
  const t = live(10);
  const got = [];
  t.client.on("task_created", (e) => got.push(["task_created", e.seq]));
  t.client.on("task", (e) => got.push(["task", e.seq]));
  const off = t.client.on("comment", (e) => got.push(["comment", e.seq]));
  t.ws.last.deliver(event(P, 11, "task_created"), event(P, 12, "comment_created"));
  off();
  t.ws.last.deliver(event(P, 13, "comment_deleted"));
  assert.deepEqual(got, [["task_created", 11], ["task", 11], ["comment", 12]]);
});

test("a handler that throws does not stop the others or the stream", (context) => {
  const reported = [];
  const had = Object.getOwnPropertyDescriptor(globalThis, "reportError");
  globalThis.reportError = (error) => reported.push(error);
  context.after(() => (had ? Object.defineProperty(globalThis, "reportError", had) : delete globalThis.reportError));
  const t = live(10);
  t.client.on("event", () => {
    throw new Error("a page bug");
  });
  t.ws.last.deliver(event(P, 11), event(P, 12));
  assert.deepEqual(seqs(t.events), [11, 12]);
  assert.equal(reported.length, 2);
});

test("presence: the list from `joined`, then arrivals and departures", () => {
  const t = makeClient();
  t.client.join(P, 0);
  t.ws.last.accept();
  t.ws.last.deliver({ type: "joined", projectId: P, seq: 0, presence: [{ userId: "user_ana", name: "Ana" }] });
  const presence = { type: "user_connected", projectId: P, userId: "user_ben", data: { projectId: P, userId: "user_ben", name: "Ben" } };
  t.ws.last.deliver(presence);
  t.ws.last.deliver({ ...presence, type: "user_disconnected", userId: "user_ana", data: { projectId: P, userId: "user_ana", name: "Ana" } });
  assert.deepEqual(t.presence, [
    { projectId: P, users: [{ userId: "user_ana", name: "Ana" }] },
    { projectId: P, users: [{ userId: "user_ana", name: "Ana" }, { userId: "user_ben", name: "Ben" }] },
    { projectId: P, users: [{ userId: "user_ben", name: "Ben" }] },
  ]);
});

test("access revoked: the page is told and the project is no longer followed", () => {
  const t = live(10);
  t.ws.last.deliver({ type: "left", projectId: P, reason: "access_revoked" });
  assert.deepEqual(t.left, [{ projectId: P, reason: "access_revoked" }]);
  t.ws.last.deliver(event(P, 11));
  assert.deepEqual(t.events, []);
  assert.equal(t.client.cursor(P), null);
});

test("a forbidden join drops the project; an unavailable one is tried again after 2 s", () => {
  const t = makeClient();
  t.client.join(P, 1);
  t.client.join(Q, 1);
  t.ws.last.accept();
  t.ws.last.deliver({ type: "error", code: "forbidden", projectId: P, message: "no" });
  assert.deepEqual(t.left, [{ projectId: P, reason: "forbidden" }]);
  t.ws.last.deliver({ type: "error", code: "unavailable", projectId: Q, message: "later" });
  t.clock.advance(1999);
  assert.equal(t.ws.last.joins().length, 2);
  t.clock.advance(1);
  assert.deepEqual(t.ws.last.joins().at(-1), { type: "join", projectId: Q, lastSeq: 1 });
});

test("leave() tells the gateway; join() while connected joins at once", () => {
  const t = live(10);
  t.client.join(Q, 4);
  assert.deepEqual(t.ws.last.joins().at(-1), { type: "join", projectId: Q, lastSeq: 4 });
  t.client.leave(P);
  assert.deepEqual(t.ws.last.sent.at(-1), { type: "leave", projectId: P });
});

test("a project joined while waiting to reconnect is followed by the next connection", () => {
  const t = live(10);
  t.ws.last.drop(1006);
  t.client.join(Q, 4);
  t.clock.advance(t.client.status.retryInMs);
  t.ws.last.accept();
  assert.deepEqual(t.ws.last.joins(), [
    { type: "join", projectId: P, lastSeq: 10 },
    { type: "join", projectId: Q, lastSeq: 4 },
  ]);
});

// -- Server-Sent Events

test("SSE: one stream for every project, resuming from the client's cursors", async () => {
  const t = makeClient({ transports: ["sse", "poll"] });
  t.client.join(P, 10);
  t.client.join(Q);
  await settle();
  assert.equal(t.sse.sources.length, 1, "both projects on one stream");
  assert.deepEqual(t.sse.last.projects, [P, Q]);
  assert.equal(t.sse.last.lastEventId, `${P}:10`);
  t.sse.last.send(CONNECTED);
  t.sse.last.send({ type: "joined", projectId: Q, seq: 7, presence: [] });
  t.sse.last.send(event(P, 11));
  t.sse.last.send(event(P, 11));
  t.sse.last.fail();
  t.clock.advance(t.client.status.retryInMs);
  await settle();
  assert.equal(t.sse.last.lastEventId, `${P}:11,${Q}:7`);
  assert.deepEqual(seqs(t.events), [11]);
});

test("SSE: a close frame ends the stream; 4001 waits its hint", async () => {
  const t = makeClient({ transports: ["sse", "poll"] });
  t.client.join(P, 10);
  await settle();
  const stream = t.sse.last;
  stream.send(CONNECTED);
  stream.send({ type: "close", code: 4001, reason: JSON.stringify({ retryAfterMs: 300 }) });
  assert.equal(stream.closed, true);
  assert.equal(t.client.status.retryInMs, 300);
  t.clock.advance(300);
  await settle();
  assert.equal(t.sse.sources.length, 2);
});

test("SSE: a 4401 close frame means offline", async () => {
  const t = makeClient({ transports: ["sse", "poll"] });
  t.client.join(P, 10);
  await settle();
  t.sse.last.send(CONNECTED);
  t.sse.last.send({ type: "close", code: 4401, reason: "signed out" });
  assert.deepEqual(t.client.status, { state: "offline", transport: "sse", retryInMs: null, reason: "signed out", code: 4401 });
});

test("SSE: a gap reopens the stream from the cursor", async () => {
  const t = makeClient({ transports: ["sse", "poll"] });
  t.client.join(P, 10);
  await settle();
  t.sse.last.send(CONNECTED);
  t.sse.last.send({ type: "joined", projectId: P, seq: 10, presence: [] });
  t.sse.last.send(event(P, 12));
  t.sse.last.send(event(P, 13));
  await settle();
  assert.equal(t.sse.sources.length, 2);
  assert.equal(t.sse.sources[0].closed, true);
  assert.equal(t.sse.last.lastEventId, `${P}:10`);
});

// -- long polling

/** A client polling P from `seq`, past the first ask (the head). */
async function polling(seq, head = seq) {
  const t = makeClient({ transports: ["poll"] });
  t.client.join(P, seq);
  await settle();
  t.http.waiting("/presence")[0].respond(200, [{ userId: "user_ana", name: "Ana" }]);
  t.http.waiting("/events")[0].respond(200, { events: [], headSeq: head, hasMore: false, ended: false });
  await settle();
  return t;
}

test("polling: a long poll after the cursor, events once each, the cursor moving on", async () => {
  const t = await polling(10, 12);
  assert.deepEqual(t.presence, [{ projectId: P, users: [{ userId: "user_ana", name: "Ana" }] }]);
  let [ask] = t.http.waiting("/events");
  assert.equal(ask.url.pathname, `/api/projects/${P}/events`);
  assert.equal(ask.url.searchParams.get("after"), "10");
  assert.equal(ask.url.searchParams.get("wait"), "25");
  assert.equal(ask.init.credentials, "include");
  ask.respond(200, { events: [event(P, 11), event(P, 12)], headSeq: 12, hasMore: false, ended: false });
  await settle();
  assert.deepEqual(seqs(t.events), [11, 12]);
  [ask] = t.http.waiting("/events");
  assert.equal(ask.url.searchParams.get("after"), "12");
});

test("polling: a cursor ahead of the log is a resync", async () => {
  const t = await polling(10, 12);
  t.http.waiting("/events")[0].respond(200, { events: [], headSeq: 2, hasMore: false, ended: false });
  await settle();
  assert.deepEqual(t.resyncs, [{ projectId: P, seq: 2, reason: "ahead of the log" }]);
  assert.equal(t.http.waiting("/events")[0].url.searchParams.get("after"), "2");
});

test("polling: a 401 means offline; a 404 means the project is gone", async () => {
  const t = await polling(10);
  t.http.waiting("/events")[0].respond(404);
  await settle();
  assert.deepEqual(t.left, [{ projectId: P, reason: "not_found" }]);
  const u = await polling(10);
  u.http.waiting("/events")[0].respond(401);
  await settle();
  assert.deepEqual(u.client.status, { state: "offline", transport: "poll", retryInMs: null, reason: "signed out", code: 4401 });
});

test("polling: a failed ask is retried with backoff, for ever", async () => {
  const t = await polling(10);
  for (let i = 0; i < 8; i++) {
    t.http.waiting("/events")[0].respond(503);
    await settle();
    assert.equal(t.client.status.state, "reconnecting");
    t.clock.advance(t.client.status.retryInMs);
    await settle();
    t.http.waiting("/events")[0].respond(200, { events: [], headSeq: 10, hasMore: false, ended: false });
    await settle();
  }
  assert.equal(t.client.status.transport, "poll");
});

test("polling: a deleted project's log ends, and the page is told it left", async () => {
  const t = await polling(10);
  t.http.waiting("/events")[0].respond(200, { events: [event(P, 11, "project_deleted")], headSeq: 11, hasMore: false, ended: true });
  await settle();
  assert.deepEqual(seqs(t.events), [11]);
  assert.deepEqual(t.left, [{ projectId: P, reason: "project_deleted" }]);
  assert.deepEqual(t.http.waiting("/events"), []);
});
