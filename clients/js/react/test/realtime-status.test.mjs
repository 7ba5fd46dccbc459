// <RealtimeStatus>: what it says in each state, its attributes, and "Retry now".

import "./dom.mjs"; // first: the modules below read the page's globals as they load
import { test } from "node:test";
import assert from "node:assert/strict";

import { ProjectWebSocketConnector, RealtimeStatus, WebSocketProvider, describeStatus } from "../src/index.js";
import { act, fakeRealtime, h, render, serve } from "./harness.mjs";

const P = "proj_a";

async function page(world) {
  const { container } = await render(h(WebSocketProvider, { client: world.client() },
    h(RealtimeStatus, { className: "app-status" }),
    h(ProjectWebSocketConnector, { projectId: P })));
  const region = () => container.querySelector("[role=status]");
  return { region, text: () => region().textContent, button: () => region().querySelector("button") };
}

test("connecting, then live over a WebSocket: a polite status region with its state as attributes", async () => {
  const world = fakeRealtime();
  const { region, text, button } = await page(world);
  assert.equal(text(), "Connecting…");
  assert.equal(region().getAttribute("aria-live"), "polite");
  assert.equal(region().className, "app-status");
  assert.equal(region().dataset.state, "connecting");

  await serve(() => world.ws.last.accept());
  assert.equal(text(), "Live");
  assert.equal(region().dataset.state, "live");
  assert.equal(region().dataset.transport, "ws");
  assert.equal(button(), null);
});

test("reconnecting: the countdown, second by second, hidden from the live region's announcements", async () => {
  const world = fakeRealtime();
  const { region, text, button } = await page(world);
  await serve(() => world.ws.last.accept());
  await serve(() => world.ws.last.drop(1006));
  assert.equal(text(), "Reconnecting in 2 s…Retry now");
  assert.equal(region().dataset.state, "reconnecting");
  assert.equal(region().querySelector("[aria-hidden=true]").textContent, " in 2 s…");
  await serve(() => world.clock.advance(1000));
  assert.equal(text(), "Reconnecting in 1 s…Retry now");

  await act(async () => button().click());
  assert.equal(world.ws.sockets.length, 2, "Retry now skips the countdown");
  assert.equal(text(), "Connecting…");
});

test("offline: the reason, and Retry now reconnects", async () => {
  const world = fakeRealtime();
  const { region, text, button } = await page(world);
  await serve(() => world.ws.last.accept());
  await serve(() => world.ws.last.drop(4403, "the token was revoked"));
  assert.equal(region().dataset.state, "offline");
  assert.equal(region().querySelector("span").textContent, "Offline: the token was revoked");
  assert.equal(button().textContent, "Retry now");
  assert.equal(button().type, "button");
  await serve(() => world.clock.advance(60_000));
  assert.equal(world.ws.sockets.length, 1, "a refused connection is not retried by itself");

  await act(async () => button().click());
  assert.equal(world.ws.sockets.length, 2);
  assert.equal(text(), "Connecting…");
  await serve(() => world.ws.last.accept());
  assert.equal(text(), "Live");
});

test("before anything is followed: not connected, and nothing to retry", async () => {
  const world = fakeRealtime();
  const { container } = await render(h(WebSocketProvider, { client: world.client() }, h(RealtimeStatus)));
  const region = container.querySelector("[role=status]");
  assert.equal(region.textContent, "Not connected");
  assert.equal(region.getAttribute("class"), null);
  assert.equal(world.ws.sockets.length, 0);
});

test("describeStatus names every transport", () => {
  const live = (transport) => describeStatus({ state: "live", transport, retryInMs: null, reason: null, code: null }).label;
  assert.deepEqual(["ws", "sse", "poll"].map(live), ["Live", "Live (fallback: SSE)", "Live (polling)"]);
  assert.deepEqual(
    describeStatus({ state: "reconnecting", transport: "sse", retryInMs: 2500, reason: null, code: null }),
    { label: "Reconnecting", countdown: " in 3 s…", canRetry: true },
  );
  assert.deepEqual(
    describeStatus({ state: "offline", transport: "ws", retryInMs: null, reason: "the network is offline", code: null }),
    { label: "Offline: the network is offline", countdown: null, canRetry: true },
  );
});
