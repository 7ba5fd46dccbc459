// useRealtimeUpdates, useTaskRealtimeUpdates, useCommentRealtimeUpdates: each handler for
// its own events, the latest handlers without listening again, nothing after unmount.

import "./dom.mjs"; // first: the modules below read the page's globals as they load
import { test } from "node:test";
import assert from "node:assert/strict";
import { DURABLE_TYPES } from "@tasklane/realtime";

import {
  ProjectWebSocketConnector,
  WebSocketProvider,
  useCommentRealtimeUpdates,
  useRealtimeUpdates,
  useTaskRealtimeUpdates,
} from "../src/index.js";
import { HANDLER_OF } from "../src/events.js";
import { event, fakeRealtime, h, render, rendersThrowing, serve } from "./harness.mjs";

const P = "proj_a";
const Q = "proj_b";

const PRESENCE_HANDLERS = { user_connected: "onUserConnected", user_disconnected: "onUserDisconnected" };

/** A handler for every name, each recording [its name, what it was called with]. */
function recorders(calls, tag = "") {
  const names = [...Object.values(HANDLER_OF), ...Object.values(PRESENCE_HANDLERS), "onEvent", "onResync", "onLeft"];
  return Object.fromEntries(names.map((name) => [name, (payload) => calls.push([tag + name, payload])]));
}

function Updates({ handlers, projectId }) {
  useRealtimeUpdates(handlers, projectId === undefined ? undefined : { projectId });
  return null;
}

/** A provider following `projects` on a live WebSocket, with `children` below. */
async function live(world, projects, children) {
  const client = world.client();
  const app = (kids) => h(WebSocketProvider, { client }, ...projects.map((id) => h(ProjectWebSocketConnector, { key: id, projectId: id, seq: 10 })), kids);
  const page = await render(app(children));
  await serve(() => {
    world.ws.last.accept();
    for (const id of projects) world.ws.last.deliver({ type: "joined", projectId: id, seq: 10, presence: [] });
  });
  return { client, page, rerender: (kids) => page.rerender(app(kids)) };
}

const presence = (type, projectId, userId) => ({ type, projectId, userId, data: { projectId, userId, name: userId } });

test("the handler table names a handler for every durable type of the core", () => {
  assert.deepEqual(Object.keys(HANDLER_OF).sort(), [...DURABLE_TYPES].sort());
});

test("each handler of useRealtimeUpdates is called for its own type only, after onEvent", async () => {
  const world = fakeRealtime();
  const calls = [];
  await live(world, [P], h(Updates, { handlers: recorders(calls) }));
  const types = Object.keys(HANDLER_OF);
  await serve(() => types.forEach((type, i) => world.ws.last.deliver(event(P, 11 + i, type))));
  await serve(() => {
    world.ws.last.deliver(presence("user_connected", P, "user_ana"));
    world.ws.last.deliver(presence("user_disconnected", P, "user_ana"));
    world.ws.last.deliver({ type: "resync_required", projectId: P, seq: 40, reason: "reset" });
    world.ws.last.deliver({ type: "left", projectId: P, reason: "access_revoked" });
  });

  const expected = types.flatMap((type, i) => {
    const durable = event(P, 11 + i, type);
    return [["onEvent", durable], [HANDLER_OF[type], durable]];
  });
  expected.push(
    ["onUserConnected", { type: "user_connected", projectId: P, userId: "user_ana", data: { userId: "user_ana", name: "user_ana" } }],
    ["onUserDisconnected", { type: "user_disconnected", projectId: P, userId: "user_ana", data: { userId: "user_ana", name: "user_ana" } }],
    ["onResync", { projectId: P, seq: 40, reason: "reset" }],
    ["onLeft", { projectId: P, reason: "access_revoked" }],
  );
  assert.deepEqual(calls, expected);
});

test("with projectId, only that project's events reach the handlers", async () => {
  const world = fakeRealtime();
  const calls = [];
  await live(world, [P, Q], h(Updates, { handlers: recorders(calls), projectId: P }));
  await serve(() => {
    world.ws.last.deliver(event(Q, 11, "task_created"), event(P, 11, "task_updated"));
    world.ws.last.deliver(presence("user_connected", Q, "user_ben"));
    world.ws.last.deliver({ type: "left", projectId: Q, reason: "access_revoked" });
  });
  assert.deepEqual(calls.map(([name, payload]) => [name, payload.projectId]), [["onEvent", P], ["onTaskUpdated", P]]);
});

test("handlers changed by a re-render are called next, without a new socket or join", async () => {
  const world = fakeRealtime();
  const calls = [];
  const app = await live(world, [P], h(Updates, { handlers: recorders(calls, "first.") }));
  await app.rerender(h(Updates, { handlers: recorders(calls, "second.") }));
  await serve(() => world.ws.last.deliver(event(P, 11, "task_deleted")));
  assert.deepEqual(calls.map(([name]) => name), ["second.onEvent", "second.onTaskDeleted"]);
  assert.equal(world.ws.sockets.length, 1);
  assert.equal(world.ws.last.joins().length, 1);
  assert.equal(world.ws.last.sent.filter((frame) => frame.type === "leave").length, 0);
});

test("an unmounted component's handlers are not called; an unmounted connector leaves", async () => {
  const world = fakeRealtime();
  const calls = [];
  const app = await live(world, [P], h(Updates, { handlers: recorders(calls) }));
  await app.rerender(null);
  await serve(() => world.ws.last.deliver(event(P, 11, "task_created")));
  assert.deepEqual(calls, []);

  await app.page.rerender(h(WebSocketProvider, { client: app.client }));
  assert.deepEqual(world.ws.last.sent.at(-1), { type: "leave", projectId: P });
});

test("useTaskRealtimeUpdates: onUpdate for every task event, onStatusChange for status changes", async () => {
  const world = fakeRealtime();
  const updates = [];
  const statusChanges = [];
  function Tasks() {
    useTaskRealtimeUpdates((e) => updates.push(e.type), (e) => statusChanges.push([e.data.previousStatus, e.data.newStatus]));
    return null;
  }
  await live(world, [P], h(Tasks));
  await serve(() => world.ws.last.deliver(
    event(P, 11, "task_created"),
    event(P, 12, "comment_created"),
    event(P, 13, "task_status_changed", { previousStatus: "todo", newStatus: "done" }),
    event(P, 14, "task_updated"),
    event(P, 15, "section_created"),
    event(P, 16, "task_deleted"),
  ));
  assert.deepEqual(updates, ["task_created", "task_status_changed", "task_updated", "task_deleted"]);
  assert.deepEqual(statusChanges, [["todo", "done"]]);
});

test("useCommentRealtimeUpdates: every comment event, of the project asked for", async () => {
  const world = fakeRealtime();
  const comments = [];
  function Comments() {
    useCommentRealtimeUpdates((e) => comments.push([e.type, e.projectId]), { projectId: P });
    return null;
  }
  await live(world, [P, Q], h(Comments));
  await serve(() => world.ws.last.deliver(
    event(P, 11, "comment_created"),
    event(Q, 11, "comment_created"),
    event(P, 12, "task_created"),
    event(P, 13, "comment_updated"),
    event(P, 14, "comment_deleted"),
  ));
  assert.deepEqual(comments, [["comment_created", P], ["comment_updated", P], ["comment_deleted", P]]);
});

test("a hook outside a provider says what is missing", async () => {
  function Orphan() {
    useRealtimeUpdates({});
    return null;
  }
  await rendersThrowing(h(Orphan), /useRealtimeUpdates must be used inside <WebSocketProvider>/);
});
