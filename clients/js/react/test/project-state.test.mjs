// The board and what each event does to it, as plain data.

import "./dom.mjs"; // first: the modules below read the page's globals as they load
import { test } from "node:test";
import assert from "node:assert/strict";

import { applyEvent, loadedState } from "../src/project-state.js";
import { event, project, section, task } from "./harness.mjs";

const P = "proj_a";

function board() {
  return loadedState({
    project: project(P, 10),
    sections: [section("sec_done", "c"), section("sec_todo", "a"), section("sec_doing", "b")],
    tasks: [
      task("task_3", "sec_done", "a"),
      task("task_2", "sec_todo", "b", { subtaskCount: 1 }),
      task("task_1", "sec_todo", "a"),
      task("task_sub", null, "a", { parentId: "task_2" }),
    ],
  });
}

const ids = (state) => state.tasks.map((t) => t.id);

test("a loaded board: sections by rank, top-level tasks by section order then rank", () => {
  const state = board();
  assert.deepEqual(state.sections.map((s) => s.id), ["sec_todo", "sec_doing", "sec_done"]);
  assert.deepEqual(ids(state), ["task_1", "task_2", "task_3"]);
  assert.equal(state.seq, 10);
});

test("ranks compare byte by byte, then by id", () => {
  const state = loadedState({
    project: project(P, 1),
    sections: [section("sec_1", "a")],
    tasks: [task("task_b", "sec_1", "a"), task("task_upper", "sec_1", "Z"), task("task_a", "sec_1", "a"), task("task_digit", "sec_1", "0")],
  });
  assert.deepEqual(ids(state), ["task_digit", "task_upper", "task_a", "task_b"]);
});

test("created, updated, status changed and deleted tasks", () => {
  let state = board();
  state = applyEvent(state, event(P, 11, "task_created", { taskId: "task_4", task: task("task_4", "sec_todo", "ab"), reranked: null }));
  assert.deepEqual(ids(state), ["task_1", "task_4", "task_2", "task_3"]);
  state = applyEvent(state, event(P, 12, "task_updated", { taskId: "task_4", task: task("task_4", "sec_todo", "ab", { name: "Renamed" }), changes: ["name"], reranked: null }));
  assert.equal(state.tasks[1].name, "Renamed");
  state = applyEvent(state, event(P, 13, "task_status_changed", {
    taskId: "task_1", task: task("task_1", "sec_todo", "a", { status: "done", completed: true }),
    previousStatus: "todo", newStatus: "done", changes: ["status"],
  }));
  assert.equal(state.tasks[0].status, "done");
  state = applyEvent(state, event(P, 14, "task_deleted", { taskId: "task_4", parentId: null, deletedSubtaskIds: [] }));
  assert.deepEqual(ids(state), ["task_1", "task_2", "task_3"]);
  assert.equal(state.seq, 14);
});

test("a move to another section, and the siblings a change re-spaced", () => {
  let state = board();
  state = applyEvent(state, event(P, 11, "task_updated", {
    taskId: "task_1", task: task("task_1", "sec_done", "b"), changes: ["sectionId", "rank"], reranked: { task_3: "c" },
  }));
  assert.deepEqual(ids(state), ["task_2", "task_1", "task_3"]);
  assert.equal(state.tasks.find((t) => t.id === "task_3").rank, "c");
});

test("sections: created with re-spaced siblings, moved, deleted; the tasks follow their order", () => {
  let state = board();
  state = applyEvent(state, event(P, 11, "section_updated", {
    sectionId: "sec_done", section: section("sec_done", "0"), changes: ["rank"], reranked: null,
  }));
  assert.deepEqual(state.sections.map((s) => s.id), ["sec_done", "sec_todo", "sec_doing"]);
  assert.deepEqual(ids(state), ["task_3", "task_1", "task_2"]);
  state = applyEvent(state, event(P, 12, "section_created", {
    sectionId: "sec_new", section: section("sec_new", "b"), reranked: { sec_todo: "a", sec_doing: "c" },
  }));
  assert.deepEqual(state.sections.map((s) => [s.id, s.rank]), [["sec_done", "0"], ["sec_todo", "a"], ["sec_new", "b"], ["sec_doing", "c"]]);
  state = applyEvent(state, event(P, 13, "section_deleted", { sectionId: "sec_new" }));
  assert.deepEqual(state.sections.map((s) => s.id), ["sec_done", "sec_todo", "sec_doing"]);
});

test("subtasks stay off the board; their parent counts them, and deleting a task takes its subtasks", () => {
  let state = board();
  state = applyEvent(state, event(P, 11, "task_created", { taskId: "task_sub2", task: task("task_sub2", null, "b", { parentId: "task_2" }), reranked: null }));
  assert.deepEqual(ids(state), ["task_1", "task_2", "task_3"]);
  assert.equal(state.tasks[1].subtaskCount, 2);
  state = applyEvent(state, event(P, 12, "task_deleted", { taskId: "task_sub2", parentId: "task_2", deletedSubtaskIds: [] }));
  assert.equal(state.tasks[1].subtaskCount, 1);
  state = applyEvent(state, event(P, 13, "task_deleted", { taskId: "task_2", parentId: null, deletedSubtaskIds: ["task_sub"] }));
  assert.deepEqual(ids(state), ["task_1", "task_3"]);
});

test("comments are counted on their task", () => {
  let state = board();
  const comment = { id: "cmt_1", taskId: "task_3", projectId: P, authorId: "user_me", text: "hi", createdAt: "", editedAt: null };
  state = applyEvent(state, event(P, 11, "comment_created", { commentId: "cmt_1", taskId: "task_3", comment }));
  state = applyEvent(state, event(P, 12, "comment_updated", { commentId: "cmt_1", taskId: "task_3", comment }));
  assert.equal(state.tasks[2].commentCount, 1);
  state = applyEvent(state, event(P, 13, "comment_deleted", { commentId: "cmt_1", taskId: "task_3" }));
  assert.equal(state.tasks[2].commentCount, 0);
});

test("the project's changes keep the reader's role and the loaded seq", () => {
  const { role, seq, ...changed } = { ...project(P, 0), name: "Renamed" }; // as events carry a project
  const state = applyEvent(board(), event(P, 11, "project_updated", { project: changed, changes: ["name"] }));
  assert.equal(state.project.name, "Renamed");
  assert.equal(state.project.role, "owner");
  assert.equal(state.project.seq, 10);
});

test("an event at or below the board's seq, or of another project, changes nothing", () => {
  const state = board();
  const again = event(P, 10, "task_created", { taskId: "task_x", task: task("task_x", "sec_todo", "z"), reranked: null });
  assert.equal(applyEvent(state, again), state);
  const comment = event(P, 9, "comment_created", { commentId: "cmt_1", taskId: "task_1", comment: {} });
  assert.equal(applyEvent(state, comment), state);
  assert.equal(applyEvent(state, { ...again, projectId: "proj_b", seq: 11 }), state);
});
