// What every test of the bindings stands on: real React in jsdom (19; 18 when run with
// --import ./react18.mjs), and a real TasklaneRealtime on the core's fake transports and
// clock, the server's side in the test's hands. React's warnings (an update outside act(), a missing key…) fail the test
// they happen in.

import "./dom.mjs";

import assert from "node:assert/strict";
import { afterEach } from "node:test";
import { act, createElement } from "react";
import { createRoot } from "react-dom/client";
import { TasklaneRealtime } from "@tasklane/realtime";

import { FakeClock, GATEWAY, fakeEventSources, fakeFetch, fakeWebSockets, fakeWindow } from "../../realtime/test/fakes.mjs";

export { CONNECTED, event } from "../../realtime/test/fakes.mjs";
export { act };
export const h = createElement;

/** A client's world: its options (fakes everywhere) and the server's side of each fake. */
export function fakeRealtime() {
  const clock = new FakeClock();
  const ws = fakeWebSockets();
  const sse = fakeEventSources();
  const http = fakeFetch();
  const window = fakeWindow();
  const options = {
    gateway: GATEWAY,
    api: "http://app.test",
    WebSocketImpl: ws.WebSocketImpl,
    EventSourceImpl: sse.EventSourceImpl,
    fetchImpl: http.fetchImpl,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    window,
    random: () => 0.5, // no jitter: the first retry is 2 s exactly
  };
  return { options, clock, ws, sse, http, window, client: () => new TasklaneRealtime(options) };
}

/** Let every promise chain started so far run to its end, inside act(). */
export async function settle() {
  await act(async () => {
    await new Promise((resolve) => setImmediate(resolve));
  });
}

/** Do something as the server (or the clock) does, inside act(). */
export async function serve(fn) {
  await act(async () => {
    fn();
  });
}

const mounted = new Set();
const reactErrors = [];
const consoleError = console.error;
console.error = (...args) => {
  reactErrors.push(args.map(String).join(" "));
};

afterEach(async () => {
  for (const root of mounted) await act(async () => root.unmount());
  mounted.clear();
  const said = reactErrors.splice(0);
  if (said.length) consoleError(...said);
  assert.deepEqual(said, [], "React said nothing on console.error");
});

/** Mount `element` in a fresh container; unmounted after the test if it is not before. */
export async function render(element, rootOptions) {
  const container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container, rootOptions);
  mounted.add(root);
  await act(async () => root.render(element));
  return {
    container,
    rerender: (next) => act(async () => root.render(next)),
    unmount: async () => {
      mounted.delete(root);
      await act(async () => root.unmount());
    },
  };
}

/**
 * Render `element` expecting it to throw `pattern` while rendering. React 18 also reports
 * such an error on console.error (and jsdom as an uncaught error): those reports of the
 * expected error are not the test's failure; anything else said still is.
 */
export async function rendersThrowing(element, pattern) {
  await assert.rejects(render(element), pattern);
  const expected = (line) => pattern.test(line) || /^The above error occurred in the <\w+> component/.test(line);
  const others = reactErrors.filter((line) => !expected(line));
  reactErrors.splice(0, reactErrors.length, ...others);
}

/** A component that renders nothing and hands each render's value of `use()` to `seen`. */
export function Probe({ use, seen }) {
  seen.push(use());
  return null;
}

/**
 * Answer the one unanswered request whose path ends with `suffix`, then settle.
 * @returns the request answered
 */
export async function answer(http, suffix, body, status = 200) {
  const waiting = http.waiting(suffix);
  assert.equal(waiting.length, 1, `one request waiting for …${suffix}, not ${waiting.length}`);
  waiting[0].respond(status, body);
  await settle();
  return waiting[0];
}

// -- the API's objects -------------------------------------------------------------------

export function project(id, seq, fields = {}) {
  return {
    id, workspaceId: "ws_1", name: `Project ${id}`, description: "", color: "#336699", archived: false,
    createdBy: "user_me", createdAt: "2026-01-01T00:00:00.000Z", modifiedAt: "2026-01-01T00:00:00.000Z",
    role: "owner", seq, ...fields,
  };
}

export function section(id, rank, projectId = "proj_a") {
  return { id, projectId, name: `Section ${id}`, rank, createdAt: "2026-01-01T00:00:00.000Z" };
}

export function task(id, sectionId, rank, fields = {}) {
  return {
    id, projectId: "proj_a", sectionId, parentId: null, name: `Task ${id}`, notes: "", status: "todo",
    completed: false, completedAt: null, completedBy: null, assigneeId: null, dueOn: null, rank,
    subtaskCount: 0, commentCount: 0, createdBy: "user_me",
    createdAt: "2026-01-01T00:00:00.000Z", modifiedAt: "2026-01-01T00:00:00.000Z", ...fields,
  };
}
