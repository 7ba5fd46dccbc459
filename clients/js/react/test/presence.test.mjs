// usePresence(): the joined list, then arrivals and departures; empty once not followed.

import "./dom.mjs"; // first: the modules below read the page's globals as they load
import { test } from "node:test";
import assert from "node:assert/strict";

import { ProjectWebSocketConnector, WebSocketProvider, usePresence } from "../src/index.js";
import { Probe, fakeRealtime, h, render, serve } from "./harness.mjs";

const P = "proj_a";
const Q = "proj_b";

const presence = (type, projectId, userId, name) => ({ type, projectId, userId, data: { projectId, userId, name } });

async function mount(world, { connected = true } = {}) {
  const client = world.client();
  const seen = [];
  const app = (following) => h(WebSocketProvider, { client },
    following && h(ProjectWebSocketConnector, { projectId: P }),
    h(ProjectWebSocketConnector, { projectId: Q }),
    h(Probe, { use: () => usePresence(P), seen }));
  const page = await render(app(connected));
  return { client, seen, people: () => seen.at(-1), rerender: (following) => page.rerender(app(following)) };
}

test("the list from joined, then who arrives and who leaves, of this project only", async () => {
  const world = fakeRealtime();
  const view = await mount(world);
  assert.deepEqual(view.people(), []);
  await serve(() => {
    world.ws.last.accept();
    world.ws.last.deliver({ type: "joined", projectId: P, seq: 1, presence: [{ userId: "user_me", name: "Me" }, { userId: "user_ana", name: "Ana" }] });
    world.ws.last.deliver({ type: "joined", projectId: Q, seq: 1, presence: [{ userId: "user_zoe", name: "Zoe" }] });
  });
  assert.deepEqual(view.people(), [{ userId: "user_me", name: "Me" }, { userId: "user_ana", name: "Ana" }]);

  await serve(() => world.ws.last.deliver(presence("user_connected", P, "user_ben", "Ben")));
  await serve(() => world.ws.last.deliver(presence("user_connected", Q, "user_yan", "Yan")));
  await serve(() => world.ws.last.deliver(presence("user_disconnected", P, "user_ana", "Ana")));
  assert.deepEqual(view.people(), [{ userId: "user_me", name: "Me" }, { userId: "user_ben", name: "Ben" }]);
  const renders = view.seen.length;
  await serve(() => world.ws.last.deliver(presence("user_connected", Q, "user_xi", "Xi")));
  assert.equal(view.seen.length, renders, "another project's arrivals do not re-render");
});

test("a list that is already known is there from the first render", async () => {
  const world = fakeRealtime();
  const client = world.client();
  await render(h(WebSocketProvider, { client }, h(ProjectWebSocketConnector, { projectId: P })));
  await serve(() => {
    world.ws.last.accept();
    world.ws.last.deliver({ type: "joined", projectId: P, seq: 1, presence: [{ userId: "user_ana", name: "Ana" }] });
  });
  const seen = [];
  await render(h(WebSocketProvider, { client }, h(Probe, { use: () => usePresence(P), seen })));
  assert.deepEqual(seen[0], [{ userId: "user_ana", name: "Ana" }]);
});

test("nobody once the project is no longer followed, or was left", async () => {
  const world = fakeRealtime();
  const view = await mount(world);
  await serve(() => {
    world.ws.last.accept();
    world.ws.last.deliver({ type: "joined", projectId: P, seq: 1, presence: [{ userId: "user_ana", name: "Ana" }] });
  });
  assert.equal(view.people().length, 1);
  await view.rerender(false);
  assert.deepEqual(view.people(), []);

  await view.rerender(true);
  await serve(() => world.ws.last.deliver({ type: "joined", projectId: P, seq: 1, presence: [{ userId: "user_ana", name: "Ana" }] }));
  assert.equal(view.people().length, 1);
  await serve(() => world.ws.last.deliver({ type: "left", projectId: P, reason: "access_revoked" }));
  assert.deepEqual(view.people(), []);
});
