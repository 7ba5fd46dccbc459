// The filters, sort and grouping of the List, the Board and My Tasks, on plain tasks:
// what a view's URL query means, which tasks it shows, in what order and groups.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  parseViewQuery, viewQuery, isFiltered, withoutFilters, matches, shownTasks, taskComparator,
  groupTasks, dueBucket, weekOf, positionAmong,
} from "../../src/tasklane/web/static/js/view-filters.js";

const TODAY = "2026-03-11"; // a Wednesday
const ME = "user_me";
const NAMES = { user_me: "Ana Alvarez", user_ben: "Ben Brook", user_cy: "Cy Chen" };
const personName = (id) => NAMES[id] || "A former member";

let next = 0;
function task(fields = {}) {
  next += 1;
  return {
    id: `task_${next}`, projectId: "proj_a", sectionId: "sec_a", name: `Task ${next}`, notes: "",
    status: "todo", completed: false, assigneeId: null, dueOn: null, rank: `r${String(next).padStart(3, "0")}`,
    ...fields,
  };
}

const byRank = (a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0);
const context = { me: ME, today: TODAY, personName, manual: byRank };
const names = (tasks) => tasks.map((t) => t.name);

test("a query names only what differs from the view's defaults, and reads back the same", () => {
  const state = parseViewQuery("?assignee=me&status=todo&sort=due&group=assignee&q=launch+post", "list");
  assert.deepEqual(state, {
    assignee: "me", due: "", status: "todo", section: "", project: "", q: "launch post", sort: "due", group: "assignee",
  });
  assert.equal(viewQuery(state, "list"), "assignee=me&status=todo&q=launch+post&sort=due&group=assignee");
  assert.deepEqual(parseViewQuery(viewQuery(state, "list"), "list"), state);
  assert.equal(viewQuery(parseViewQuery("", "list"), "list"), "");
  assert.equal(viewQuery({ ...parseViewQuery("", "list"), group: "section" }, "list"), "");
});

test("values a view does not offer are its defaults", () => {
  const state = parseViewQuery("due=someday&status=maybe&sort=colour&group=project&section=sec_b", "list");
  assert.deepEqual(state, { ...parseViewQuery("", "list"), section: "sec_b" });
  assert.equal(parseViewQuery("group=section&project=proj_a&assignee=me", "my-tasks").group, "due");
  assert.equal(parseViewQuery("project=proj_a&assignee=me", "my-tasks").assignee, "");
  assert.equal(parseViewQuery("group=status&section=sec_a", "board").group, "");
  assert.equal(parseViewQuery("group=status&section=sec_a", "board").section, "");
  assert.equal(parseViewQuery(`q=${"x".repeat(300)}`, "list").q.length, 200);
});

test("the Board carries the List's grouping and section through its links, and nothing else", () => {
  const board = parseViewQuery("status=todo&group=assignee&section=sec_b", "board");
  assert.equal(
    viewQuery({ ...board, status: "done" }, "board", "view=board&status=todo&group=assignee&section=sec_b"),
    "status=done&section=sec_b&group=assignee",
  );
});

test("filters and clearing them", () => {
  const state = parseViewQuery("assignee=me&sort=name&group=status", "list");
  assert.equal(isFiltered(state), true);
  assert.equal(isFiltered(parseViewQuery("sort=name&group=status", "list")), false);
  assert.deepEqual(withoutFilters(state), { ...parseViewQuery("", "list"), sort: "name", group: "status" });
});

test("assignee: me, unassigned, or a person", () => {
  const mine = task({ assigneeId: ME });
  const bens = task({ assigneeId: "user_ben" });
  const nobodys = task();
  const all = [mine, bens, nobodys];
  const shown = (assignee) => all.filter((t) => matches(t, { ...parseViewQuery("", "list"), assignee }, context));
  assert.deepEqual(shown("me"), [mine]);
  assert.deepEqual(shown("none"), [nobodys]);
  assert.deepEqual(shown("user_ben"), [bens]);
  assert.deepEqual(shown(""), all);
});

test("due: overdue (not done), today, this week from Monday to Sunday, no date", () => {
  assert.deepEqual(weekOf(TODAY), ["2026-03-09", "2026-03-15"]);
  assert.deepEqual(weekOf("2026-03-15"), ["2026-03-09", "2026-03-15"]); // a Sunday
  const late = task({ dueOn: "2026-03-10" });
  const lateDone = task({ dueOn: "2026-03-10", status: "done", completed: true });
  const today = task({ dueOn: TODAY });
  const sunday = task({ dueOn: "2026-03-15" });
  const nextMonday = task({ dueOn: "2026-03-16" });
  const lastWeek = task({ dueOn: "2026-03-08" });
  const undated = task();
  const all = [late, lateDone, today, sunday, nextMonday, lastWeek, undated];
  const shown = (due) => all.filter((t) => matches(t, { ...parseViewQuery("", "list"), due }, context));
  assert.deepEqual(shown("overdue"), [late, lastWeek]);
  assert.deepEqual(shown("today"), [today]);
  assert.deepEqual(shown("week"), [late, lateDone, today, sunday]);
  assert.deepEqual(shown("none"), [undated]);
});

test("status, section, project and words of the name or the notes", () => {
  const doing = task({ status: "in_progress", name: "Write the launch post" });
  const done = task({ status: "done", completed: true, sectionId: "sec_b", notes: "Post it on Monday" });
  const other = task({ projectId: "proj_b", name: "Book a venue" });
  const all = [doing, done, other];
  const shown = (fields, kind = "list") => all.filter((t) => matches(t, { ...parseViewQuery("", kind), ...fields }, context));
  assert.deepEqual(shown({ status: "open" }), [doing, other]);
  assert.deepEqual(shown({ status: "done" }), [done]);
  assert.deepEqual(shown({ section: "sec_b" }), [done]);
  assert.deepEqual(shown({ project: "proj_b" }, "my-tasks"), [other]);
  assert.deepEqual(shown({ q: "POST" }), [doing, done]);
  assert.deepEqual(shown({ q: "launch  write" }), [doing]);
  assert.deepEqual(shown({ q: "post venue" }), []);
});

test("sorts: by due date (none last), name, assignee (nobody last), status; ties keep the manual order", () => {
  const a = task({ name: "item 10", dueOn: "2026-04-01", assigneeId: "user_cy", status: "done" });
  const b = task({ name: "Item 9", assigneeId: "user_ben", status: "in_progress" });
  const c = task({ name: "apple", dueOn: "2026-03-01" });
  const d = task({ name: "Banana", dueOn: "2026-03-01", assigneeId: "user_ben" });
  const all = [d, c, b, a];
  const sorted = (sort) => names([...all].sort(taskComparator(sort, context)));
  assert.deepEqual(sorted(""), names([a, b, c, d]));
  assert.deepEqual(sorted("due"), names([c, d, a, b]));
  assert.deepEqual(sorted("name"), ["apple", "Banana", "Item 9", "item 10"]);
  assert.deepEqual(sorted("assignee"), names([b, d, a, c]));
  assert.deepEqual(sorted("status"), names([c, d, b, a]));
  const shown = shownTasks(all, { ...parseViewQuery("", "list"), sort: "due", due: "none" }, context);
  assert.deepEqual(names(shown), names([b]));
});

test("groups by section, status and date keep their places even when empty", () => {
  const inA = task({ sectionId: "sec_a" });
  const doing = task({ sectionId: "sec_a", status: "in_progress", dueOn: "2026-03-10" });
  const sections = [{ id: "sec_b", name: "Later" }, { id: "sec_a", name: "Now" }];
  const bySection = groupTasks([inA, doing], "section", { ...context, sections });
  assert.deepEqual(bySection.map((g) => [g.key, g.title, g.tasks.length]), [["sec_b", "Later", 0], ["sec_a", "Now", 2]]);
  const byStatus = groupTasks([inA, doing], "status", context);
  assert.deepEqual(byStatus.map((g) => [g.title, g.tasks.length]), [["To do", 1], ["In progress", 1], ["Done", 0]]);
  const dueGroups = [
    { key: "overdue", title: "Overdue", empty: "Nothing overdue." },
    { key: "no_date", title: "No date", empty: "Every task has a date." },
    { key: "done", title: "Completed", empty: "" },
  ];
  const byDue = groupTasks([inA, doing], "due", { ...context, dueGroups });
  assert.deepEqual(byDue.map((g) => [g.key, g.empty, g.tasks]), [
    ["overdue", "Nothing overdue.", [doing]], ["no_date", "Every task has a date.", [inA]], ["done", "", []],
  ]);
  assert.ok(byDue.every((g) => g.fixed));
});

test("groups by assignee and project come only with tasks: the reader first, then by name, nobody last", () => {
  const cys = task({ assigneeId: "user_cy" });
  const nobodys = task();
  const bens = task({ assigneeId: "user_ben", projectId: "proj_b" });
  const mine = task({ assigneeId: ME });
  const byAssignee = groupTasks([cys, nobodys, bens, mine], "assignee", context);
  assert.deepEqual(byAssignee.map((g) => [g.key, g.title]), [
    [ME, "Ana Alvarez"], ["user_ben", "Ben Brook"], ["user_cy", "Cy Chen"], ["none", "Unassigned"],
  ]);
  const projects = [{ id: "proj_c", name: "C" }, { id: "proj_b", name: "B" }, { id: "proj_a", name: "A" }];
  const byProject = groupTasks([cys, bens], "project", { ...context, projects });
  assert.deepEqual(byProject.map((g) => [g.title, g.tasks]), [["B", [bens]], ["A", [cys]]]);
});

test("My Tasks' date groups", () => {
  assert.equal(dueBucket(task({ dueOn: "2026-03-01", status: "done", completed: true }), TODAY), "done");
  assert.equal(dueBucket(task(), TODAY), "no_date");
  assert.equal(dueBucket(task({ dueOn: "2026-03-10" }), TODAY), "overdue");
  assert.equal(dueBucket(task({ dueOn: TODAY }), TODAY), "today");
  assert.equal(dueBucket(task({ dueOn: "2026-03-18" }), TODAY), "upcoming");
  assert.equal(dueBucket(task({ dueOn: "2026-03-19" }), TODAY), "later");
});

test("a drop among the shown tasks lands beside the same neighbours among all of them", () => {
  const all = ["a", "b", "c", "d", "e"];
  assert.equal(positionAmong(all, ["b", "d"], 0), 1); // before b
  assert.equal(positionAmong(all, ["b", "d"], 1), 3); // before d
  assert.equal(positionAmong(all, ["b", "d"], 2), 4); // after d
  assert.equal(positionAmong(all, [], 0), 5);
});
