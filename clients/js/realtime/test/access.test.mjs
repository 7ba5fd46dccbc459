// How the client reaches the server: the gateway's address asked of the API, a fresh
// ticket for every WebSocket and event stream when a token (or the host's getTicket) is
// the credential, the token as a header for polling and request(), and what a refusal
// of any of these means.

import { test } from "node:test";
import assert from "node:assert/strict";

import { makeClient, settle, event, CONNECTED } from "./fakes.mjs";
import { TasklaneError } from "../src/index.js";

const P = "proj_a";
const DISCOVERED = { protocol: 1, gateway: { ws: "wss://rt.example.com/realtime", http: "https://rt.example.com/realtime" }, ticketTtlSeconds: 30 };

/** Answer the one waiting request whose path ends with `suffix`. */
function answer(http, suffix, status, body) {
  const [request, ...more] = http.waiting(suffix);
  assert.ok(request, `a request to …${suffix} is waiting`);
  assert.equal(more.length, 0, `one request to …${suffix}`);
  request.respond(status, body);
  return request;
}

test("a token client asks the API where the gateway is, then a ticket per connection", async () => {
  const { client, ws, http, clock, statuses } = makeClient({ gateway: null, token: "tl_secret" });
  client.join(P, 4);
  assert.equal(ws.sockets.length, 0, "nothing opens before the address is known");
  const discovery = answer(http, "/api/realtime", 200, DISCOVERED);
  assert.equal(discovery.init.method, "GET");
  assert.equal(discovery.init.headers.Authorization, undefined, "discovery needs no credential");
  await settle();
  const ticket = answer(http, "/api/realtime/ticket", 201, { ticket: "tk_1" });
  assert.equal(ticket.init.method, "POST");
  assert.equal(ticket.init.headers.Authorization, "Bearer tl_secret");
  assert.equal(ticket.init.credentials, "omit");
  await settle();
  assert.equal(ws.last.url, "wss://rt.example.com/realtime/ws?batch=1&ticket=tk_1", "the token is not in the URL");
  ws.last.accept();
  assert.deepEqual(ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 4 }]);
  assert.equal(client.status.state, "live");

  ws.last.drop(1006);
  clock.advance(statuses.at(-1).retryInMs);
  await settle();
  assert.equal(http.waiting("/api/realtime").length, 0, "the address is asked once");
  answer(http, "/api/realtime/ticket", 201, { ticket: "tk_2" });
  await settle();
  assert.equal(ws.sockets.length, 2);
  assert.match(ws.last.url, /ticket=tk_2$/, "a ticket is used once: each connection asks anew");
});

test("a refused token goes offline with 4401 and opens nothing", async () => {
  const { client, ws, http, clock } = makeClient({ gateway: null, token: "tl_revoked" });
  client.join(P);
  answer(http, "/api/realtime", 200, DISCOVERED);
  await settle();
  answer(http, "/api/realtime/ticket", 401, { error: { code: "unauthorized", message: "the token was revoked" } });
  await settle();
  assert.deepEqual(
    { state: client.status.state, code: client.status.code, reason: client.status.reason },
    { state: "offline", code: 4401, reason: "the token was revoked" },
  );
  clock.advance(120_000);
  await settle();
  assert.equal(ws.sockets.length, 0);
  assert.equal(http.requests.length, 2, "nothing is retried until retryNow()");
});

test("a server speaking another protocol is refused, not retried", async () => {
  const { client, http, clock } = makeClient({ gateway: null, token: "tl_x" });
  client.join(P);
  answer(http, "/api/realtime", 200, { ...DISCOVERED, protocol: 2 });
  await settle();
  assert.equal(client.status.state, "offline");
  assert.match(client.status.reason, /protocol 2; this client speaks 1/);
  clock.advance(120_000);
  assert.equal(http.requests.length, 1);
});

test("an API that does not answer is retried with backoff, then asked again", async () => {
  const { client, ws, http, clock, statuses } = makeClient({ gateway: null, token: "tl_x" });
  client.join(P);
  http.waiting("/api/realtime")[0].fail();
  await settle();
  assert.equal(client.status.state, "reconnecting");
  clock.advance(statuses.at(-1).retryInMs);
  answer(http, "/api/realtime", 200, DISCOVERED);
  await settle();
  answer(http, "/api/realtime/ticket", 201, { ticket: "tk_1" });
  await settle();
  assert.equal(ws.sockets.length, 1);
});

test("event streams carry a fresh ticket each, and no cookie", async () => {
  const { client, sse, http } = makeClient({ gateway: null, token: "tl_x", transports: ["sse", "poll"] });
  client.join(P, 2);
  await settle();
  answer(http, "/api/realtime", 200, DISCOVERED);
  await settle();
  answer(http, "/api/realtime/ticket", 201, { ticket: "tk_1" });
  await settle();
  const first = sse.last;
  assert.equal(first.url.origin + first.url.pathname, "https://rt.example.com/realtime/sse");
  assert.equal(first.url.searchParams.get("ticket"), "tk_1");
  assert.equal(first.lastEventId, `${P}:2`);
  assert.deepEqual(first.init, { withCredentials: false });
  first.send({ type: "connected" });
  first.send(event(P, 3));

  client.join("proj_b"); // a new list of projects: the stream is opened again
  await settle();
  answer(http, "/api/realtime/ticket", 201, { ticket: "tk_2" });
  await settle();
  assert.equal(sse.open.length, 1);
  assert.equal(sse.last.url.searchParams.get("ticket"), "tk_2");
  assert.deepEqual(sse.last.projects, [P, "proj_b"]);
  assert.equal(sse.last.lastEventId, `${P}:3`, "it resumes from the client's cursor");
});

test("polling sends the token as a header, and no cookie", async () => {
  const { client, http } = makeClient({ gateway: null, token: "tl_x", transports: ["poll"] });
  client.join(P, 0);
  await settle();
  const [head] = http.waiting("/events");
  assert.ok(head, "polling needs no gateway address");
  assert.equal(head.init.headers.Authorization, "Bearer tl_x");
  assert.equal(head.init.credentials, "omit");
  assert.equal(http.waiting("/api/realtime").length, 0);
});

test("getTicket: the host application hands out the tickets; polling sends the cookie", async () => {
  const asked = [];
  const getTicket = async () => {
    asked.push(asked.length + 1);
    return `host_${asked.length}`;
  };
  const { client, ws, http, statuses, clock } = makeClient({ gateway: { ws: "ws://gw.test", http: "http://gw.test" }, getTicket });
  client.join(P);
  await settle();
  assert.equal(ws.last.url, "ws://gw.test/ws?batch=1&ticket=host_1");
  ws.last.accept(CONNECTED);
  ws.last.drop(1006);
  clock.advance(statuses.at(-1).retryInMs);
  await settle();
  assert.equal(ws.last.url, "ws://gw.test/ws?batch=1&ticket=host_2");
  assert.equal(http.requests.length, 0, "the API is not asked for tickets");

  const poller = makeClient({ gateway: null, getTicket, transports: ["poll"] });
  poller.client.join(P, 0);
  await settle();
  const [head] = poller.http.waiting("/events");
  assert.equal(head.init.credentials, "include");
  assert.equal(head.init.headers.Authorization, undefined);
});

test("a getTicket that fails is a lost connection, retried", async () => {
  const getTicket = async () => {
    throw new Error("the host is down");
  };
  const { client, ws } = makeClient({ getTicket });
  client.join(P);
  await settle();
  assert.equal(ws.sockets.length, 0);
  assert.equal(client.status.state, "reconnecting");
  assert.match(client.status.reason, /the host is down/);
});

test("a token and getTicket together are a mistake, said at once", () => {
  assert.throws(() => makeClient({ token: "tl_x", getTicket: () => "t" }), /token or getTicket, not both/);
});

test("the cookie and a known gateway open at once, with no ticket", () => {
  const { client, ws, http } = makeClient();
  client.join(P);
  assert.equal(ws.last.url, "ws://gateway.test/ws?batch=1");
  assert.equal(http.requests.length, 0);
});

test("request() sends the credential and reads the API's answers and errors", async () => {
  const { client, http } = makeClient({ token: "tl_x" });
  const loaded = client.request(`/api/projects/${P}`);
  const get = answer(http, `/api/projects/${P}`, 200, { id: P, seq: 7 });
  assert.equal(get.init.headers.Authorization, "Bearer tl_x");
  assert.deepEqual(await loaded, { id: P, seq: 7 });

  const created = client.request(`/api/projects/${P}/tasks`, { method: "POST", body: { name: "Ship" } });
  const post = answer(http, "/tasks", 201, { id: "task_1" });
  assert.equal(post.init.method, "POST");
  assert.equal(post.init.body, JSON.stringify({ name: "Ship" }));
  assert.equal(post.init.headers["Content-Type"], "application/json");
  assert.deepEqual(await created, { id: "task_1" });

  const refused = client.request(`/api/projects/proj_x`);
  answer(http, "/proj_x", 404, { error: { code: "not_found", message: "no such project" } });
  await assert.rejects(refused, (error) => {
    assert.ok(error instanceof TasklaneError);
    assert.deepEqual([error.status, error.code, error.message], [404, "not_found", "no such project"]);
    return true;
  });

  const offline = client.request("/api/projects");
  http.waiting("/api/projects")[0].fail();
  await assert.rejects(offline, (error) => error instanceof TasklaneError && error.status === 0 && error.code === "network_error");
});

test("arrivals and departures are told by type, once per person, on every transport", async () => {
  const { client, ws, http } = makeClient({ transports: ["ws", "poll"] });
  const changes = [];
  client.on("user_connected", (e) => changes.push(["in", e.projectId, e.userId, e.data.name]));
  client.on("user_disconnected", (e) => changes.push(["out", e.projectId, e.userId, e.data.name]));
  client.join(P, 0);
  ws.last.accept();
  ws.last.deliver({ type: "joined", projectId: P, seq: 0, presence: [{ userId: "user_ana", name: "Ana" }] });
  ws.last.deliver({ type: "user_connected", projectId: P, userId: "user_ben", data: { userId: "user_ben", name: "Ben" } });
  ws.last.deliver({ type: "user_connected", projectId: P, userId: "user_ben", data: { userId: "user_ben", name: "Ben" } });
  ws.last.deliver({ type: "user_disconnected", projectId: P, userId: "user_ana", data: { userId: "user_ana", name: "Ana" } });
  assert.deepEqual(changes, [["in", P, "user_ana", "Ana"], ["in", P, "user_ben", "Ben"], ["out", P, "user_ana", "Ana"]]);
  assert.deepEqual(client.presence(P), [{ userId: "user_ben", name: "Ben" }]);
  assert.deepEqual(client.presence("proj_unknown"), []);

  // Polling learns presence as whole lists: the client tells the differences.
  const poller = makeClient({ transports: ["poll"] });
  const told = [];
  poller.client.on("user_connected", (e) => told.push(["in", e.userId]));
  poller.client.on("user_disconnected", (e) => told.push(["out", e.userId]));
  poller.client.join(P, 0);
  await settle();
  poller.http.waiting("/presence")[0].respond(200, [{ userId: "user_ana", name: "Ana" }, { userId: "user_ben", name: "Ben" }]);
  await settle();
  poller.http.waiting("/events")[0].respond(200, { projectId: P, headSeq: 0, hasMore: false, ended: false, events: [] });
  await settle();
  poller.http.waiting("/events")[0].respond(200, { projectId: P, headSeq: 0, hasMore: false, ended: false, events: [] });
  await settle();
  poller.http.waiting("/presence")[0].respond(200, [{ userId: "user_ben", name: "Ben" }]);
  await settle();
  assert.deepEqual(told, [["in", "user_ana"], ["in", "user_ben"], ["out", "user_ana"]]);
  assert.equal(http.requests.length, 0);
});
