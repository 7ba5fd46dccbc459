// The project page's store reconciles REST answers and events by seq. Every
// `modifiedAt` here is the same instant, as under the gym's frozen clock: a store that
// compared timestamps would get these wrong.

import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";

import { store, applyEvent } from "../../src/tasklane/web/static/js/project/store.js";

const AT = "2026-01-01T12:00:00.000Z"; // every copy's modifiedAt
const P = "proj_a";

function task(fields = {}) {
  return {
    id: "task_1", projectId: P, sectionId: "sec_1", parentId: null, name: "Draft", notes: "",
    status: "todo", completed: false, assigneeId: null, dueOn: null, rank: "m",
    subtaskCount: 0, commentCount: 0, createdAt: AT, modifiedAt: AT, ...fields,
  };
}

function section(fields = {}) {
  return { id: "sec_1", projectId: P, name: "To do", rank: "m", ...fields };
}

function taskEvent(seq, fields, type = "task_updated") {
  const t = task(fields);
  return { type, projectId: P, userId: "user_ben", seq, timestamp: AT, data: { taskId: t.id, task: t, changes: Object.keys(fields) } };
}

beforeEach(() => {
  store.tasks = new Map();
  store.gone = new Set();
  store.reset({ project: { id: P, name: "Launch", role: "editor", seq: 10 }, sections: [section()], tasks: [task()], members: [] });
});

test("a late answer does not undo a newer event", () => {
  applyEvent(taskEvent(11, { name: "Mine" }), "user_me");
  applyEvent(taskEvent(12, { name: "Ben's" }), "user_me");
  const kept = store.acceptTask(task({ name: "Mine" }), 11);
  assert.equal(kept.name, "Ben's");
  assert.equal(store.tasks.get("task_1").name, "Ben's");
});

test("an event older than an answer already applied keeps the answer's fields, and takes its counts", () => {
  store.acceptTask(task({ name: "Mine" }), 12);
  const change = applyEvent(taskEvent(11, { name: "Ben's", commentCount: 3 }), "user_me");
  assert.equal(store.tasks.get("task_1").name, "Mine");
  assert.equal(store.tasks.get("task_1").commentCount, 3);
  assert.equal(change.task.name, "Mine");
});

test("an answer newer than the copy replaces it; the counts stay the events'", () => {
  applyEvent(taskEvent(11, { name: "Ben's", subtaskCount: 2 }), "user_me");
  store.acceptTask(task({ name: "Mine", subtaskCount: 0 }), 13);
  assert.equal(store.tasks.get("task_1").name, "Mine");
  assert.equal(store.tasks.get("task_1").subtaskCount, 2);
  applyEvent(taskEvent(12, { name: "Ben's again" }), "user_me");
  assert.equal(store.tasks.get("task_1").name, "Mine", "12 is older than the answer of 13");
  applyEvent(taskEvent(13, { name: "Mine" }), "user_me");
  applyEvent(taskEvent(14, { name: "Ben's last" }), "user_me");
  assert.equal(store.tasks.get("task_1").name, "Ben's last");
});

test("the answer to a change whose event already applied changes nothing", () => {
  applyEvent(taskEvent(11, { name: "Mine", commentCount: 1 }), "user_me");
  const before = store.tasks.get("task_1");
  assert.equal(store.acceptTask(task({ name: "Mine" }), 11), before);
});

test("a read is as new as the last event applied when it was asked, no newer", () => {
  store.seq = 11;
  applyEvent(taskEvent(12, { name: "Ben's" }), "user_me");
  store.acceptTask(task({ name: "Read before 12 arrived" }), 11);
  assert.equal(store.tasks.get("task_1").name, "Ben's");
  store.acceptTask(task({ id: "task_2", name: "New to this page" }), 11);
  assert.equal(store.tasks.get("task_2").name, "New to this page");
});

test("a provisional copy (a card being moved) gives way to the move's answer", () => {
  const moved = { ...store.tasks.get("task_1"), sectionId: "sec_2", rank: "a", provisional: true };
  store.tasks.set("task_1", moved);
  store.acceptTask(task({ sectionId: "sec_2", rank: "b" }), 11);
  assert.equal(store.tasks.get("task_1").rank, "b");
  assert.equal(store.tasks.get("task_1").provisional, undefined);
});

test("a deleted task is not brought back by a late answer", () => {
  applyEvent({ type: "task_deleted", projectId: P, userId: "user_ben", seq: 11, timestamp: AT, data: { taskId: "task_1" } }, "user_me");
  assert.equal(store.acceptTask(task({ name: "Mine" }), 12), null);
  assert.equal(store.tasks.has("task_1"), false);
});

test("a task moved to another project and back arrives again, with its subtasks counted", () => {
  // Leaving: what a deletion gives. Coming back: what creating it and its subtask gives.
  applyEvent({ type: "task_deleted", projectId: P, userId: "user_ben", seq: 11, timestamp: AT, data: { taskId: "task_1", parentId: null, deletedSubtaskIds: ["task_2"] } }, "user_me");
  assert.equal(store.tasks.has("task_1"), false);
  applyEvent(taskEvent(12, { name: "Back", subtaskCount: 0, commentCount: 2 }, "task_created"), "user_me");
  const sub = task({ id: "task_2", parentId: "task_1", sectionId: null });
  applyEvent({ type: "task_created", projectId: P, userId: "user_ben", seq: 13, timestamp: AT, data: { taskId: "task_2", task: sub, reranked: null } }, "user_me");
  const back = store.tasks.get("task_1");
  assert.equal(back.name, "Back");
  assert.deepEqual([back.subtaskCount, back.commentCount], [1, 2]);
  assert.deepEqual(store.subtasksOf("task_1").map((t) => t.id), ["task_2"]);
  assert.equal(store.acceptTask(task({ name: "Late answer" }), 12).name, "Back");
});

test("after a reset the log starts again: its low seqs apply", () => {
  applyEvent(taskEvent(40, { name: "Before the reset" }), "user_me");
  store.reset({ project: { id: P, name: "Launch", role: "editor", seq: 2 }, sections: [section()], tasks: [task()], members: [] });
  applyEvent(taskEvent(3, { name: "After the reset" }), "user_me");
  assert.equal(store.tasks.get("task_1").name, "After the reset");
});

test("sections: a late rename answer does not undo a newer event", () => {
  const renamed = (seq, name) => ({ type: "section_updated", projectId: P, userId: "user_ben", seq, timestamp: AT, data: { sectionId: "sec_1", section: section({ name }), changes: ["name"] } });
  applyEvent(renamed(11, "Mine"), "user_me");
  applyEvent(renamed(12, "Ben's"), "user_me");
  store.acceptSection(section({ name: "Mine" }), 11);
  assert.equal(store.sections.get("sec_1").name, "Ben's");
  store.acceptSection(section({ name: "Mine again" }), 13);
  assert.equal(store.sections.get("sec_1").name, "Mine again");
  store.acceptSection(section({ id: "sec_gone", name: "Deleted meanwhile" }), 14);
  assert.equal(store.sections.has("sec_gone"), false, "only `create` adds a section");
});

test("the project: a late rename answer does not undo a newer event, and the role stays the reader's", () => {
  const renamed = (seq, name) => ({ type: "project_updated", projectId: P, userId: "user_ben", seq, timestamp: AT, data: { project: { id: P, name }, changes: ["name"] } });
  applyEvent(renamed(11, "Mine"), "user_me");
  applyEvent(renamed(12, "Ben's"), "user_me");
  store.acceptProject({ id: P, name: "Mine", role: "owner" }, 11);
  assert.equal(store.project.name, "Ben's");
  store.acceptProject({ id: P, name: "Mine again", role: "owner" }, 13);
  assert.equal(store.project.name, "Mine again");
  assert.equal(store.project.role, "editor");
});
