// <WebSocketProvider> and useWebSocket(): one client, made once, closed after the provider
// that made it; React StrictMode opens no second connection and closes nothing in use.

import "./dom.mjs"; // first: the modules below read the page's globals as they load
import { test } from "node:test";
import assert from "node:assert/strict";
import { StrictMode } from "react";

import { ProjectWebSocketConnector, WebSocketProvider, useWebSocket } from "../src/index.js";
import { CONNECTED, Probe, fakeRealtime, h, render, rendersThrowing, serve } from "./harness.mjs";

const P = "proj_a";

test("StrictMode: a provider that makes its client opens one WebSocket and keeps it", async () => {
  const world = fakeRealtime();
  const seen = [];
  await render(h(StrictMode, null,
    h(WebSocketProvider, world.options,
      h(ProjectWebSocketConnector, { projectId: P, seq: 7 }),
      h(Probe, { use: useWebSocket, seen }))));
  await serve(() => world.clock.advance(0)); // a close deferred by the simulated unmount would run now

  assert.equal(world.ws.sockets.length, 1);
  assert.equal(world.ws.last.closedWith, null);
  assert.equal(new Set(seen.map((state) => state.client)).size, 1, "one client for every render");
  await serve(() => world.ws.last.accept());
  assert.deepEqual(world.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 7 }]);
  assert.equal(seen.at(-1).status.state, "live");
  assert.equal(seen.at(-1).isConnected, true);
});

test("the client a provider made is closed a task after the provider unmounts", async () => {
  const world = fakeRealtime();
  const page = await render(h(WebSocketProvider, world.options, h(ProjectWebSocketConnector, { projectId: P })));
  await serve(() => world.ws.last.accept());
  await page.unmount();
  assert.equal(world.ws.last.closedWith, null, "not yet: a StrictMode remount would come back to it");
  await serve(() => world.clock.advance(0));
  assert.equal(world.ws.last.closedWith, 1000);
});

test("options with new identities but the same values keep the client; the latest getTicket is used", async () => {
  const world = fakeRealtime();
  const seen = [];
  const app = (ticket) => h(WebSocketProvider, { ...world.options, gateway: { ...world.options.gateway }, getTicket: () => ticket },
    h(ProjectWebSocketConnector, { projectId: P }),
    h(Probe, { use: useWebSocket, seen }));
  const page = await render(app("ticket_1"));
  await serve(() => {});
  assert.equal(world.ws.last.url, "ws://gateway.test/ws?batch=1&ticket=ticket_1");
  await serve(() => world.ws.last.accept(CONNECTED));

  await page.rerender(app("ticket_2"));
  await serve(() => world.clock.advance(0));
  assert.equal(new Set(seen.map((state) => state.client)).size, 1);
  assert.equal(world.ws.sockets.length, 1);
  assert.equal(world.ws.last.closedWith, null);

  await serve(() => world.ws.last.drop(1006));
  await serve(() => world.clock.advance(2000));
  assert.equal(world.ws.sockets.length, 2);
  assert.equal(world.ws.last.url, "ws://gateway.test/ws?batch=1&ticket=ticket_2");
});

test("an option with a new value makes a new client and closes the old one", async () => {
  const world = fakeRealtime();
  const seen = [];
  const app = (api) => h(WebSocketProvider, { ...world.options, api },
    h(ProjectWebSocketConnector, { projectId: P }),
    h(Probe, { use: useWebSocket, seen }));
  const page = await render(app("http://app.test"));
  const first = world.ws.last;
  await page.rerender(app("http://other.test"));
  await serve(() => world.clock.advance(0));
  assert.equal(new Set(seen.map((state) => state.client)).size, 2);
  assert.equal(first.closedWith, 1000);
  assert.equal(world.ws.sockets.length, 2);
  assert.equal(world.ws.last.closedWith, null);
});

test("a client the application gave is not closed by the provider", async () => {
  const world = fakeRealtime();
  const client = world.client();
  const page = await render(h(WebSocketProvider, { client }, h(ProjectWebSocketConnector, { projectId: P })));
  await serve(() => world.ws.last.accept());
  await page.unmount();
  await serve(() => world.clock.advance(0));
  assert.equal(world.ws.last.closedWith, null);
  assert.equal(client.status.state, "live");
});

test("a client and options at once is a mistake said at once", async () => {
  const world = fakeRealtime();
  await rendersThrowing(
    h(WebSocketProvider, { client: world.client(), api: "http://app.test" }),
    /give a `client` or the options to make one, not both/,
  );
});

test("useWebSocket follows the status; outside a provider it says what is missing", async () => {
  const world = fakeRealtime();
  const seen = [];
  await render(h(WebSocketProvider, { client: world.client() },
    h(ProjectWebSocketConnector, { projectId: P }),
    h(Probe, { use: useWebSocket, seen })));
  assert.equal(seen.at(-1).status.state, "connecting");
  await serve(() => world.ws.last.accept());
  assert.deepEqual(seen.at(-1).status, { state: "live", transport: "ws", retryInMs: null, reason: null, code: null });
  await serve(() => world.ws.last.drop(1006));
  assert.equal(seen.at(-1).status.state, "reconnecting");
  assert.equal(seen.at(-1).isConnected, false);

  await rendersThrowing(h(Probe, { use: useWebSocket, seen: [] }), /useWebSocket must be used inside <WebSocketProvider>/);
});
