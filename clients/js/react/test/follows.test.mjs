// ProjectFollows: several holders of one project on one client. The first joins, the
// last leaves, and a later holder never moves the shared cursor forward.

import "./dom.mjs"; // first: the modules below read the page's globals as they load
import { test } from "node:test";
import assert from "node:assert/strict";

import { ProjectFollows, followsOf } from "../src/follows.js";
import { event, fakeRealtime } from "./harness.mjs";

const P = "proj_a";

function live(world) {
  const client = world.client();
  const follows = new ProjectFollows(client);
  return { client, follows };
}

const leaves = (socket) => socket.sent.filter((frame) => frame.type === "leave");

test("the first hold joins, the last release leaves; a release twice counts once", () => {
  const world = fakeRealtime();
  const { follows } = live(world);
  const first = follows.follow(P, 10);
  world.ws.last.accept();
  const second = follows.follow(P);
  assert.deepEqual(world.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 10 }]);
  first();
  first();
  assert.deepEqual(leaves(world.ws.last), []);
  second();
  assert.deepEqual(leaves(world.ws.last), [{ type: "leave", projectId: P }]);
});

test("a later hold with an earlier seq moves the cursor back; with a later one, never forward", () => {
  const world = fakeRealtime();
  const { client, follows } = live(world);
  follows.follow(P, 10);
  world.ws.last.accept();
  world.ws.last.deliver({ type: "joined", projectId: P, seq: 10, presence: [] });
  world.ws.last.deliver(event(P, 11), event(P, 12));

  follows.follow(P, 15);
  assert.equal(client.cursor(P), 12, "13 to 15 are still owed to the first holder");
  follows.follow(P, 11);
  assert.equal(client.cursor(P), 11);
  assert.deepEqual(world.ws.last.joins().at(-1), { type: "join", projectId: P, lastSeq: 11 });
});

test("a join still waiting for its head takes the later holder's seq, so nothing before the head is skipped", () => {
  const world = fakeRealtime();
  const { client, follows } = live(world);
  follows.follow(P);
  follows.follow(P, 7);
  assert.equal(client.cursor(P), 7);
  world.ws.last.accept();
  assert.deepEqual(world.ws.last.joins(), [{ type: "join", projectId: P, lastSeq: 7 }]);
});

test("after the server ended the follow, a holder that resumes joins again", () => {
  const world = fakeRealtime();
  const { follows } = live(world);
  const changes = [];
  follows.subscribe((id) => changes.push([id, follows.isFollowed(id)]));
  follows.follow(P, 10);
  world.ws.last.accept();
  world.ws.last.deliver({ type: "left", projectId: P, reason: "access_revoked" });
  assert.equal(follows.isFollowed(P), false);
  follows.resume(P, 12);
  assert.deepEqual(world.ws.last.joins().at(-1), { type: "join", projectId: P, lastSeq: 12 });
  assert.deepEqual(changes, [[P, true], [P, false], [P, true]]);
  follows.resume("proj_unheld", 1);
  assert.equal(world.ws.last.joins().length, 2, "resume() does not follow what nobody holds");
});

test("one ProjectFollows per client", () => {
  const world = fakeRealtime();
  const client = world.client();
  assert.equal(followsOf(client), followsOf(client));
  assert.notEqual(followsOf(client), followsOf(world.client()));
});
