// A bulk change and its inverse, against a project kept in memory that answers as the
// API does: a section may stand for a status (a task moved into it takes the status; a
// task in it whose status changes goes to the end of the first section standing for
// the new one), a move without a position goes to the end, a deletion takes the
// subtasks along and a restore brings them back with their ranks. Undoing must leave
// every task exactly as it was. And the selection a Shift+click extends.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  applyBulkChange, bulkWords, changeOrder, inverseOf, undoBulkChange,
} from "../../src/tasklane/web/static/js/bulk-change.js";
import { TaskSelection } from "../../src/tasklane/web/static/js/task-selection.js";

const SECTIONS = [
  { id: "todo", status: "todo" },
  { id: "doing", status: "in_progress" },
  { id: "done", status: "done" },
  { id: "later", status: null },
];

function project(layout) {
  const tasks = new Map();
  for (const [sectionId, names] of Object.entries(layout)) {
    names.forEach((id, i) => {
      const status = SECTIONS.find((s) => s.id === sectionId).status || "todo";
      tasks.set(id, { id, sectionId, rank: i + 1, status, assigneeId: null, parentId: null });
    });
  }
  const trash = new Map();
  const calls = [];
  const inSection = (sectionId, without) =>
    [...tasks.values()].filter((t) => !t.parentId && t.sectionId === sectionId && t.id !== without)
      .sort((a, b) => a.rank - b.rank);
  const place = (task, sectionId, position) => {
    const siblings = inSection(sectionId, task.id);
    const at = Math.min(position ?? siblings.length, siblings.length);
    const lower = at > 0 ? siblings[at - 1].rank : 0;
    const upper = at < siblings.length ? siblings[at].rank : lower + 2;
    return { ...task, sectionId, rank: (lower + upper) / 2 };
  };
  const stands = (sectionId) => SECTIONS.find((s) => s.id === sectionId).status;
  const perform = {
    async update(id, fields) {
      calls.push(["update", id, fields]);
      let task = { ...tasks.get(id), ...fields };
      if ("status" in fields && stands(task.sectionId) && stands(task.sectionId) !== fields.status) {
        const target = SECTIONS.find((s) => s.status === fields.status);
        if (target) task = place(task, target.id, null);
      }
      tasks.set(id, task);
      return { ...task };
    },
    async move(id, { sectionId, position }) {
      calls.push(["move", id, { sectionId, position }]);
      const before = tasks.get(id);
      const here = inSection(before.sectionId, id).filter((t) => t.rank < before.rank).length;
      if (sectionId === before.sectionId && here === Math.min(position ?? Infinity, inSection(sectionId, id).length)) {
        return { ...before };
      }
      let task = place(before, sectionId, position);
      if (stands(sectionId)) task = { ...task, status: stands(sectionId) };
      tasks.set(id, task);
      return { ...task };
    },
    async remove(id) {
      calls.push(["remove", id]);
      if (!tasks.has(id)) throw new Error("not_found");
      const gone = [...tasks.values()].filter((t) => t.id === id || t.parentId === id);
      for (const t of gone) tasks.delete(t.id);
      trash.set(id, gone);
    },
    async restore(id) {
      calls.push(["restore", id]);
      const kept = trash.get(id);
      if (kept[0].parentId && !tasks.has(kept[0].parentId)) throw new Error("parent_gone");
      for (const t of kept) tasks.set(t.id, t);
      trash.delete(id);
      return { ...kept[0] };
    },
  };
  // What the page records before a change: the task with its place in its section.
  const before = (...ids) => ids.map((id) => {
    const t = tasks.get(id);
    return { ...t, index: t.parentId ? 0 : inSection(t.sectionId).findIndex((x) => x.id === id) };
  });
  const names = (sectionId) => inSection(sectionId).map((t) => t.id);
  const snapshot = () => JSON.stringify([...tasks.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((t) =>
    [t.id, t.sectionId, t.status, t.assigneeId, t.parentId, names(t.sectionId).indexOf(t.id)]));
  return { tasks, perform, before, names, snapshot, calls };
}

async function changeAndUndo(p, kind, value, ids) {
  const start = p.snapshot();
  const { changes, error } = await applyBulkChange(kind, value, p.before(...ids), p.perform);
  assert.equal(error, null);
  const changed = p.snapshot();
  await undoBulkChange(inverseOf(kind, changes), p.perform);
  assert.equal(p.snapshot(), start);
  return changed;
}

test("completing tasks of a section that stands for a status moves them, and undo puts each back in its place", async () => {
  const p = project({ todo: ["a", "b", "c", "d"], doing: ["e"], done: ["f"] });
  await applyBulkChange("complete", "done", p.before("a", "c", "e"), p.perform);
  assert.deepEqual(p.names("done"), ["f", "a", "c", "e"]);
  const again = project({ todo: ["a", "b", "c", "d"], doing: ["e"], done: ["f"] });
  await changeAndUndo(again, "complete", "done", ["a", "c", "e"]);
  assert.deepEqual(again.names("todo"), ["a", "b", "c", "d"]);
  assert.deepEqual(again.names("doing"), ["e"]);
});

test("completing in a section of no status changes the status alone, and so does its undo", async () => {
  const p = project({ later: ["a", "b"] });
  await changeAndUndo(p, "complete", "done", ["a", "b"]);
  assert.deepEqual(p.calls.filter(([call]) => call === "move"), []);
});

test("a move from several sections comes back exactly, statuses included", async () => {
  const p = project({ todo: ["a", "b", "c"], doing: ["d", "e"], later: ["g", "h"], done: ["f"] });
  p.tasks.set("g", { ...p.tasks.get("g"), status: "in_progress" });
  const changed = await changeAndUndo(p, "move", "done", ["a", "c", "e", "h", "g", "f"]);
  assert.match(changed, /"a","done","done"/);
  assert.deepEqual(p.names("later"), ["g", "h"]);
  assert.equal(p.tasks.get("g").status, "in_progress");
});

test("an assignment is taken back to each task's own assignee", async () => {
  const p = project({ todo: ["a", "b", "c"] });
  p.tasks.set("b", { ...p.tasks.get("b"), assigneeId: "user_ben" });
  await changeAndUndo(p, "assign", "user_ana", ["a", "b", "c"]);
  // Already hers: not changed, nor changed back.
  const q = project({ todo: ["a"] });
  q.tasks.set("a", { ...q.tasks.get("a"), assigneeId: "user_ana" });
  const { changes, total } = await applyBulkChange("assign", "user_ana", q.before("a"), q.perform);
  assert.deepEqual([changes.length, total, q.calls.length], [0, 0, 0]);
});

test("a deletion takes subtasks before their parents, and restores parents first", async () => {
  const p = project({ todo: ["a", "b"] });
  p.tasks.set("s", { id: "s", sectionId: null, rank: 1, status: "todo", assigneeId: null, parentId: "a" });
  p.tasks.set("t", { id: "t", sectionId: null, rank: 1, status: "todo", assigneeId: null, parentId: "s" });
  assert.deepEqual(changeOrder("delete", null, p.before("a", "s", "b", "t")).map((t) => t.id), ["t", "s", "a", "b"]);
  await changeAndUndo(p, "delete", null, ["a", "s", "b", "t"]);
  assert.deepEqual(p.calls.filter(([call]) => call === "restore").map(([, id]) => id), ["b", "a", "s", "t"]);
});

test("a failure stops the change; what changed until then is undone", async () => {
  const p = project({ todo: ["a", "b", "c"] });
  const start = p.snapshot();
  const seen = [];
  const failing = { ...p.perform, update: (id, fields) => (id === "b" ? Promise.reject(new Error("gone")) : p.perform.update(id, fields)) };
  const result = await applyBulkChange("complete", "done", p.before("a", "b", "c"), failing, {
    progress: (done, total) => seen.push(`${done + 1} of ${total}`),
  });
  assert.deepEqual([result.changes.length, result.total, result.failed.id, result.error.message], [1, 3, "b", "gone"]);
  assert.deepEqual(seen, ["1 of 3", "2 of 3"]);
  assert.equal(p.tasks.get("c").status, "todo");
  await undoBulkChange(inverseOf("complete", result.changes), p.perform);
  assert.equal(p.snapshot(), start);
});

test("the notice's words", () => {
  assert.equal(bulkWords("complete", 5, { value: "done" }), "Completed 5 tasks.");
  assert.equal(bulkWords("complete", 1, { value: "todo" }), "Reopened 1 task.");
  assert.equal(bulkWords("move", 2, { to: "Done" }), "Moved 2 tasks to Done.");
  assert.equal(bulkWords("assign", 3, { value: "user_ben", to: "Ben" }), "Assigned 3 tasks to Ben.");
  assert.equal(bulkWords("assign", 3, { value: null }), "Unassigned 3 tasks.");
  assert.equal(bulkWords("delete", 1), "Deleted 1 task.");
});

test("Shift extends the selection over a range of the same list, to the state just set", () => {
  const s = new TaskSelection();
  const list = ["a", "b", "c", "d", "e"];
  s.set("b", true, { list });
  s.set("d", true, { range: true, list });
  assert.deepEqual(s.inOrder(list), ["b", "c", "d"]);
  s.set("e", false, { range: true, list });
  s.set("c", false, { range: true, list });
  assert.deepEqual(s.inOrder(list), ["b"]);
  // The anchor is in another list: the task alone.
  s.set("x", true, { range: true, list: ["x", "y"] });
  assert.deepEqual([...s.ids].sort(), ["b", "x"]);
  // A task no longer shown leaves, and is no anchor any more.
  assert.equal(s.retain(["b", "c"]), true);
  assert.equal(s.anchor, null);
  s.set("d", true, { range: true, list });
  assert.deepEqual(s.inOrder(list), ["b", "d"]);
  s.clear();
  assert.equal(s.size, 0);
});
