// The project page knows its own changes by the seq their answers name
// (`Tasklane-Seq`), not by who made them or when.

import { test, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";

import { calls, isOwnEcho, checkOwnEcho, seqOf, forgetOwnChanges } from "../../src/tasklane/web/static/js/project/own-changes.js";
import { store } from "../../src/tasklane/web/static/js/project/store.js";

const P = "proj_a";
const realFetch = globalThis.fetch;
let answers; // what the fake API answers, in order: {status, body, seq, project, wait}

beforeEach(() => {
  answers = [];
  forgetOwnChanges(P);
  globalThis.fetch = async () => {
    const { status = 200, body = {}, seq, project = P, wait } = answers.shift();
    if (wait) await wait;
    const headers = new Headers({ "Content-Type": "application/json" });
    if (seq) {
      headers.set("Tasklane-Seq", String(seq));
      headers.set("Tasklane-Project", project);
    }
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers });
  };
});

afterEach(() => {
  globalThis.fetch = realFetch;
});

const ev = (seq, projectId = P) => ({ type: "task_updated", projectId, userId: "user_me", seq, data: {} });

test("the event of a change this page made is its own; the same person's other changes are not", async () => {
  answers.push({ body: { id: "task_1" }, seq: 7 });
  const saved = await calls.tasks.update("task_1", { name: "Mine" });
  assert.equal(seqOf(saved), 7);
  assert.equal(isOwnEcho(ev(7)), true);
  assert.equal(isOwnEcho(ev(8)), false, "made by the same person in another tab, just after");
  assert.equal(isOwnEcho(ev(7, "proj_b")), false, "seqs are per project");
});

test("a deletion (204) is known by its seq too", async () => {
  answers.push({ status: 204, seq: 9 });
  assert.equal(await calls.comments.remove("comment_1"), null);
  assert.equal(isOwnEcho(ev(9)), true);
});

test("an event that arrives before its answer is known as own once the answer is in", async () => {
  let answer;
  answers.push({ body: { id: "task_1" }, seq: 11, wait: new Promise((resolve) => (answer = resolve)) });
  const saving = calls.tasks.update("task_1", { status: "done" });
  const verdict = checkOwnEcho(ev(11));
  assert.equal(isOwnEcho(ev(11)), false, "not known yet");
  answer();
  assert.equal(await verdict, true);
  await saving;
});

test("with nothing in flight, someone else's event is known at once", async () => {
  assert.equal(await checkOwnEcho(ev(12)), false);
});

test("a read, or a change with no event, is as new as the last event applied when it was asked", async () => {
  store.seq = 20;
  answers.push({ body: [{ id: "task_2" }, { id: "task_3" }] });
  const subtasks = await calls.tasks.subtasks("task_1");
  assert.deepEqual(subtasks.map(seqOf), [20, 20]);
  answers.push({ body: { id: "task_1" } });
  assert.equal(seqOf(await calls.tasks.update("task_1", {})), 20);
  assert.equal(seqOf({ id: "task_1" }), -1, "not an answer of `calls`");
});

test("after a resync the old seqs are forgotten", async () => {
  answers.push({ body: { id: "task_1" }, seq: 30 });
  await calls.tasks.update("task_1", { name: "x" });
  forgetOwnChanges(P);
  assert.equal(isOwnEcho(ev(30)), false);
});
