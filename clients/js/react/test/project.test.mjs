// useProject() and useTasks(): a board loaded through the API at one seq, followed from
// it, changed by its events, never missing one and never applying one twice.

import "./dom.mjs"; // first: the modules below read the page's globals as they load
import { test } from "node:test";
import assert from "node:assert/strict";
import { StrictMode } from "react";

import { ProjectWebSocketConnector, WebSocketProvider, useProject, useTasks } from "../src/index.js";
import { Probe, act, answer, event, fakeRealtime, h, project, render, section, serve, task } from "./harness.mjs";

const P = "proj_a";
const SECTIONS = [section("sec_done", "b"), section("sec_todo", "a")];

/** Answer one load of P: the project at `seq`, its sections, its tasks in `pages`, and the head again. */
async function answerLoad(world, { seq, sections = SECTIONS, pages, head = seq }) {
  await answer(world.http, `/projects/${P}`, project(P, seq));
  await answer(world.http, "/sections", sections);
  for (const [index, items] of pages.entries()) {
    const request = await answer(world.http, "/tasks", { items, nextCursor: index < pages.length - 1 ? `page_${index + 2}` : null });
    assert.equal(request.url.searchParams.get("cursor"), index === 0 ? null : `page_${index + 1}`);
  }
  await answer(world.http, `/projects/${P}`, project(P, head));
}

/** A page showing useProject(P) (or `use`), with `extra` beside it; every render's result in `seen`. */
async function mount(world, { use = () => useProject(P), extra = null, strict = false } = {}) {
  const client = world.client();
  const seen = [];
  const app = (more) => h(WebSocketProvider, { client }, more, h(Probe, { use, seen }));
  const page = await render(strict ? h(StrictMode, null, app(extra)) : app(extra));
  return { client, seen, page, board: () => seen.at(-1), app };
}

const ids = (board) => board.tasks.map((t) => t.id);

/** A board loaded at 10 and live: sec_todo [task_1, task_2], sec_done [task_3]. */
async function loaded(world) {
  const view = await mount(world);
  await answerLoad(world, {
    seq: 10,
    pages: [[task("task_3", "sec_done", "a"), task("task_2", "sec_todo", "b")], [task("task_1", "sec_todo", "a")]],
  });
  await serve(() => {
    world.ws.last.accept();
    world.ws.last.deliver({ type: "joined", projectId: P, seq: 10, presence: [] });
  });
  return view;
}

test("the board loads through the API, every page, and then the project is joined from its seq", async () => {
  const world = fakeRealtime();
  const view = await mount(world);
  assert.equal(view.board().loading, true);
  assert.equal(view.board().project, null);

  await answer(world.http, `/projects/${P}`, project(P, 10));
  await answer(world.http, "/sections", SECTIONS);
  const first = await answer(world.http, "/tasks", { items: [task("task_3", "sec_done", "a"), task("task_2", "sec_todo", "b")], nextCursor: "page_2" });
  assert.equal(first.url.searchParams.get("limit"), "100");
  const second = await answer(world.http, "/tasks", { items: [task("task_1", "sec_todo", "a")], nextCursor: null });
  assert.equal(second.url.searchParams.get("cursor"), "page_2");
  assert.equal(world.ws.sockets.length, 0, "nothing is followed before the board is loaded");
  await answer(world.http, `/projects/${P}`, project(P, 10));

  const board = view.board();
  assert.equal(board.loading, false);
  assert.equal(board.error, null);
  assert.equal(board.project.seq, 10);
  assert.deepEqual(board.sections.map((s) => s.id), ["sec_todo", "sec_done"]);
  assert.deepEqual(ids(board), ["task_1", "task_2", "task_3"]);
  await serve(() => world.ws.last.accept());
  assert.deepEqual(world.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 10 }]);
});

test("task events change the board: created, updated, status changed, moved, deleted with subtasks", async () => {
  const world = fakeRealtime();
  const view = await loaded(world);
  await serve(() => world.ws.last.deliver(event(P, 11, "task_created", { taskId: "task_4", task: task("task_4", "sec_todo", "c"), reranked: null })));
  assert.deepEqual(ids(view.board()), ["task_1", "task_2", "task_4", "task_3"]);

  await serve(() => world.ws.last.deliver(event(P, 12, "task_updated", {
    taskId: "task_2", task: task("task_2", "sec_todo", "b", { name: "Write the plan" }), changes: ["name"], reranked: null,
  })));
  assert.equal(view.board().tasks[1].name, "Write the plan");

  await serve(() => world.ws.last.deliver(event(P, 13, "task_status_changed", {
    taskId: "task_1", task: task("task_1", "sec_todo", "a", { status: "in_progress" }),
    previousStatus: "todo", newStatus: "in_progress", changes: ["status"],
  })));
  assert.equal(view.board().tasks[0].status, "in_progress");

  // task_1 moves to the end of "done", and the move re-spaced task_3.
  await serve(() => world.ws.last.deliver(event(P, 14, "task_updated", {
    taskId: "task_1", task: task("task_1", "sec_done", "m", { status: "in_progress" }), changes: ["sectionId", "rank"], reranked: { task_3: "d" },
  })));
  assert.deepEqual(ids(view.board()), ["task_2", "task_4", "task_3", "task_1"]);
  assert.equal(view.board().tasks[2].rank, "d");

  await serve(() => world.ws.last.deliver(event(P, 15, "task_deleted", { taskId: "task_4", parentId: null, deletedSubtaskIds: ["task_9"] })));
  assert.deepEqual(ids(view.board()), ["task_2", "task_3", "task_1"]);

  await serve(() => world.ws.last.deliver(event(P, 16, "project_updated", { project: { ...project(P, 0), name: "Renamed" }, changes: ["name"] })));
  assert.equal(view.board().project.name, "Renamed");
});

test("the lists are read again when the log moved while they were read", async () => {
  const world = fakeRealtime();
  const view = await mount(world);
  await answerLoad(world, { seq: 10, pages: [[task("task_1", "sec_todo", "a")]], head: 11 });
  assert.equal(view.board().loading, true);
  assert.equal(world.ws.sockets.length, 0);
  await answer(world.http, "/sections", SECTIONS);
  await answer(world.http, "/tasks", { items: [task("task_1", "sec_todo", "a", { commentCount: 1 })], nextCursor: null });
  await answer(world.http, `/projects/${P}`, project(P, 11));
  assert.equal(view.board().loading, false);
  assert.equal(view.board().tasks[0].commentCount, 1);
  await serve(() => world.ws.last.accept());
  assert.deepEqual(world.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 11 }]);
});

test("a project already followed: events that arrive during the load are kept, and none counts twice", async () => {
  const world = fakeRealtime();
  const connector = h(ProjectWebSocketConnector, { key: "c", projectId: P });
  const view = await mount(world, { extra: connector });
  await serve(() => {
    world.ws.last.accept();
    world.ws.last.deliver({ type: "joined", projectId: P, seq: 10, presence: [] });
  });
  const comment = { id: "cmt_1", taskId: "task_1", projectId: P, authorId: "user_ana", text: "hi", createdAt: "", editedAt: null };
  // A comment arrives before the project is read: the lists hold it too.
  await serve(() => world.ws.last.deliver(event(P, 11, "comment_created", { commentId: "cmt_1", taskId: "task_1", comment })));
  await answer(world.http, `/projects/${P}`, project(P, 11));
  await answer(world.http, "/sections", SECTIONS);
  await answer(world.http, "/tasks", { items: [task("task_1", "sec_todo", "a", { commentCount: 1 })], nextCursor: null });
  // A task is created after the lists were read, while the head is asked for.
  await serve(() => world.ws.last.deliver(event(P, 12, "task_created", { taskId: "task_2", task: task("task_2", "sec_todo", "b"), reranked: null })));
  await answer(world.http, `/projects/${P}`, project(P, 11));

  assert.deepEqual(ids(view.board()), ["task_1", "task_2"]);
  assert.equal(view.board().tasks[0].commentCount, 1);
  assert.equal(world.ws.last.joins().length, 1, "the connector's join; the cursor was not moved");
  assert.equal(view.client.cursor(P), 12);
  await serve(() => world.ws.last.deliver(event(P, 13, "comment_created", { commentId: "cmt_2", taskId: "task_1", comment })));
  assert.equal(view.board().tasks[0].commentCount, 2);
});

test("a resync reloads the board; the events up to the reload are not applied twice, the later ones are", async () => {
  const world = fakeRealtime();
  const view = await loaded(world);
  await serve(() => world.ws.last.deliver({ type: "resync_required", projectId: P, seq: 20, reason: "reset" }));
  assert.equal(view.board().loading, true);
  assert.deepEqual(ids(view.board()), ["task_1", "task_2", "task_3"], "the board stays while it reloads");

  const comment = { id: "cmt_1", taskId: "task_1", projectId: P, authorId: "user_ana", text: "hi", createdAt: "", editedAt: null };
  // 21 arrives during the reload; 22 and 23 commit before the reload reads the project.
  await serve(() => world.ws.last.deliver(event(P, 21, "comment_created", { commentId: "cmt_1", taskId: "task_1", comment })));
  await answerLoad(world, {
    seq: 23,
    pages: [[task("task_1", "sec_todo", "a", { commentCount: 2 }), task("task_5", "sec_done", "z", { commentCount: 0 })]],
  });
  assert.equal(view.board().loading, false);
  assert.deepEqual(ids(view.board()), ["task_1", "task_5"]);
  assert.equal(view.board().tasks[0].commentCount, 2);

  await serve(() => world.ws.last.deliver(
    event(P, 22, "task_created", { taskId: "task_5", task: task("task_5", "sec_done", "z"), reranked: null }),
    event(P, 23, "comment_created", { commentId: "cmt_2", taskId: "task_1", comment }),
    event(P, 24, "comment_created", { commentId: "cmt_3", taskId: "task_1", comment }),
  ));
  assert.deepEqual(ids(view.board()), ["task_1", "task_5"]);
  assert.equal(view.board().tasks[0].commentCount, 3, "22 and 23 were in the reload; 24 was not");
  assert.equal(view.client.cursor(P), 24);
  assert.equal(world.ws.last.joins().length, 1, "the project was never left");
});

test("a project left or deleted stops the board with the reason", async () => {
  const world = fakeRealtime();
  const view = await loaded(world);
  await serve(() => world.ws.last.deliver({ type: "left", projectId: P, reason: "access_revoked" }));
  assert.equal(view.board().error.code, "access_revoked");
  assert.equal(view.board().error.status, 403);
  assert.deepEqual(ids(view.board()), ["task_1", "task_2", "task_3"], "the last board stays");

  const other = fakeRealtime();
  const deleted = await loaded(other);
  await serve(() => other.ws.last.deliver(event(P, 11, "project_deleted", {})));
  assert.equal(deleted.board().error.code, "project_deleted");
  await serve(() => other.ws.last.deliver({ type: "left", projectId: P, reason: "project_deleted" }));
  assert.equal(deleted.board().error.code, "project_deleted");
  await serve(() => other.ws.last.deliver(event(P, 12, "task_created", { taskId: "task_x", task: task("task_x", "sec_todo", "z"), reranked: null })));
  assert.deepEqual(ids(deleted.board()), ["task_1", "task_2", "task_3"]);
});

test("a failed load is an error; reload() tries again", async () => {
  const world = fakeRealtime();
  const view = await mount(world);
  await answer(world.http, `/projects/${P}`, { error: { code: "not_found", message: "No such project." } }, 404);
  assert.equal(view.board().loading, false);
  assert.equal(view.board().error.code, "not_found");
  assert.equal(view.board().error.status, 404);

  await act(async () => view.board().reload());
  assert.equal(view.board().loading, true);
  await answerLoad(world, { seq: 3, pages: [[task("task_1", "sec_todo", "a")]] });
  assert.equal(view.board().error, null);
  assert.deepEqual(ids(view.board()), ["task_1"]);
});

test("unmounting leaves the project; StrictMode loads once for good and joins once", async () => {
  const world = fakeRealtime();
  const view = await mount(world, { strict: true });
  const aborted = world.http.requests.filter((r) => r.answered);
  assert.equal(aborted.length, 1, "the simulated unmount aborted the first load");
  await answerLoad(world, { seq: 10, pages: [[task("task_1", "sec_todo", "a")]] });
  await serve(() => world.ws.last.accept());
  assert.equal(world.ws.sockets.length, 1);
  assert.deepEqual(world.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 10 }]);

  await view.page.rerender(h(StrictMode, null, h(WebSocketProvider, { client: view.client })));
  assert.deepEqual(world.ws.last.sent.at(-1), { type: "leave", projectId: P });
});

test("useTasks is the tasks of the board", async () => {
  const world = fakeRealtime();
  const view = await mount(world, { use: () => useTasks(P) });
  assert.deepEqual(Object.keys(view.board()).sort(), ["error", "loading", "reload", "tasks"]);
  await answerLoad(world, { seq: 10, pages: [[task("task_2", "sec_todo", "b"), task("task_1", "sec_todo", "a")]] });
  await serve(() => world.ws.last.accept());
  await serve(() => world.ws.last.deliver(event(P, 11, "task_deleted", { taskId: "task_2", parentId: null, deletedSubtaskIds: [] })));
  assert.deepEqual(ids(view.board()), ["task_1"]);
});
