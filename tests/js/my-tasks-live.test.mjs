// My Tasks applies the reader's own log to its map of tasks: what is given to them
// enters at the end, what is taken from them, deleted or in a project they left leaves,
// and a renamed project renames the chips of its rows.

import { test } from "node:test";
import assert from "node:assert/strict";

import { applyToMyTasks } from "../../src/tasklane/web/static/js/my-tasks-live.js";

const ME = "user_me";
const task = (id, fields = {}) => ({ id, projectId: "proj_a", assigneeId: ME, name: id, ...fields });
const event = (type, data) => ({ type, projectId: ME, seq: 1, data: { projectId: "proj_a", ...data } });

function mapOf(...tasks) {
  return new Map(tasks.map((t, order) => [t.id, { ...t, order }]));
}

test("a task given to me enters after the others, and keeps its place when it changes", () => {
  const tasks = mapOf(task("t1"), task("t2"));
  assert.equal(applyToMyTasks(tasks, [], event("task_updated", { task: task("t3") }), ME), true);
  assert.equal(tasks.get("t3").order, 2);
  applyToMyTasks(tasks, [], event("task_status_changed", { task: task("t1", { name: "renamed" }) }), ME);
  assert.deepEqual([tasks.get("t1").name, tasks.get("t1").order], ["renamed", 0]);
});

test("a task given to someone else leaves; one that was never here changes nothing", () => {
  const tasks = mapOf(task("t1"));
  assert.equal(applyToMyTasks(tasks, [], event("task_updated", { task: task("t1", { assigneeId: "user_x" }) }), ME), true);
  assert.equal(tasks.size, 0);
  assert.equal(applyToMyTasks(tasks, [], event("task_updated", { task: task("t9", { assigneeId: null }) }), ME), false);
});

test("a deleted task leaves with its subtasks", () => {
  const tasks = mapOf(task("t1"), task("s1"), task("t2"));
  applyToMyTasks(tasks, [], event("task_deleted", { taskId: "t1", parentId: null, deletedSubtaskIds: ["s1"] }), ME);
  assert.deepEqual([...tasks.keys()], ["t2"]);
});

test("leaving a project, or its deletion, takes its tasks away", () => {
  for (const type of ["member_removed", "project_deleted"]) {
    const tasks = mapOf(task("t1"), task("t2", { projectId: "proj_b" }));
    assert.equal(applyToMyTasks(tasks, [], event(type, { userId: ME }), ME), true);
    assert.deepEqual([...tasks.keys()], ["t2"]);
  }
});

test("a renamed project is renamed in the page's list; redrawn only if a row shows it", () => {
  const projects = [{ id: "proj_a", name: "Old" }];
  const renamed = event("project_updated", { project: { id: "proj_a", name: "New" }, changes: ["name"] });
  assert.equal(applyToMyTasks(mapOf(), projects, renamed, ME), false);
  assert.equal(projects[0].name, "New");
  assert.equal(applyToMyTasks(mapOf(task("t1")), projects, renamed, ME), true);
});
