// Quick add offers the projects the reader can add tasks to, starting on the one on
// screen.

import { test } from "node:test";
import assert from "node:assert/strict";

import { projectsToAddTo, startingProject } from "../../src/tasklane/web/static/js/quick-add.js";

const project = (id, role, archived = false) => ({ id, name: id, role, archived });

test("owners and editors add tasks; commenters, viewers and archived projects are left out", () => {
  const all = [
    project("a", "owner"),
    project("b", "viewer"),
    project("c", "editor"),
    project("d", "commenter"),
    project("e", "owner", true),
  ];
  assert.deepEqual(projectsToAddTo(all).map((p) => p.id), ["a", "c"]);
});

test("the project on screen first, else the first listed, else none", () => {
  const listed = [project("a", "owner"), project("c", "editor")];
  assert.equal(startingProject(listed, "c").id, "c");
  assert.equal(startingProject(listed, "b").id, "a");
  assert.equal(startingProject(listed, undefined).id, "a");
  assert.equal(startingProject([], "c"), null);
});
