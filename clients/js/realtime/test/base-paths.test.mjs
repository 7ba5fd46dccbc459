// Bases with a path: a server can serve a workspace under a prefix (an episode's
// `/e/<id>`, or a proxy's folder), on the API and the gateway alike. Every URL the client
// makes keeps that path, whether the page gives the address or the API answers it.

import { test } from "node:test";
import assert from "node:assert/strict";

import { makeClient, settle } from "./fakes.mjs";
import { endpoint } from "../src/access.js";

const P = "proj_a";
const API = "http://app.test/e/ep_abc123";
const GATEWAY = { ws: "ws://gateway.test:4000/e/ep_abc123", http: "http://gateway.test:4000/e/ep_abc123" };

test("an endpoint goes after the base's path, with or without a trailing slash", () => {
  assert.equal(endpoint("ws://h:4000/e/ep_1", "/ws"), "ws://h:4000/e/ep_1/ws");
  assert.equal(endpoint("ws://h:4000/e/ep_1/", "/ws"), "ws://h:4000/e/ep_1/ws");
  assert.equal(endpoint("http://h:4000/e/ep_1", "/sse"), "http://h:4000/e/ep_1/sse");
  assert.equal(endpoint("ws://h:4000", "/ws"), "ws://h:4000/ws");
});

test("the WebSocket and the event stream open under the gateway's path", async () => {
  const overWs = makeClient({ api: API, gateway: GATEWAY, transports: ["ws"] });
  overWs.client.join(P, 3);
  assert.equal(overWs.ws.last.url, "ws://gateway.test:4000/e/ep_abc123/ws?batch=1");
  overWs.client.close();

  const overSse = makeClient({ api: API, gateway: GATEWAY, transports: ["sse"] });
  overSse.client.join(P, 3);
  await settle();
  const { url } = overSse.sse.last;
  assert.equal(`${url.origin}${url.pathname}`, "http://gateway.test:4000/e/ep_abc123/sse");
  assert.deepEqual(overSse.sse.last.projects, [P]);
  overSse.client.close();
});

test("polling, presence and request() go to the API under its path", async () => {
  const { client, http } = makeClient({ api: `${API}/`, gateway: GATEWAY, transports: ["poll"] });
  client.join(P, 3);
  await settle();
  const [poll] = http.waiting("/events");
  assert.ok(poll, "a long poll is waiting");
  assert.equal(poll.url.pathname, `/e/ep_abc123/api/projects/${P}/events`);
  assert.equal(poll.url.searchParams.get("after"), "3");
  for (const request of http.requests) {
    assert.ok(request.url.pathname.startsWith("/e/ep_abc123/api/"), request.url.href);
  }
  const answer = client.request(`/api/projects/${P}`);
  const [asked] = http.waiting(`/api/projects/${P}`);
  assert.equal(asked.url.href, `${API}/api/projects/${P}`);
  asked.respond(200, { id: P });
  assert.deepEqual(await answer, { id: P });
  client.close();
});

test("the gateway's address is asked of the API under its path, and its path is kept", async () => {
  const { client, ws, http } = makeClient({ api: API, gateway: null, token: "tl_secret" });
  client.join(P);
  const [discovery] = http.waiting("/api/realtime");
  assert.equal(discovery.url.href, `${API}/api/realtime`);
  discovery.respond(200, { protocol: 1, gateway: GATEWAY, ticketTtlSeconds: 30 });
  await settle();
  const [ticket] = http.waiting("/api/realtime/ticket");
  assert.equal(ticket.url.href, `${API}/api/realtime/ticket`);
  ticket.respond(201, { ticket: "tk_1" });
  await settle();
  assert.equal(ws.last.url, "ws://gateway.test:4000/e/ep_abc123/ws?batch=1&ticket=tk_1");
  client.close();
});
