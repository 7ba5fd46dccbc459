// My Tasks drawn from its tasks under the filter bar's state (view-filters.js decides
// which show, in what order and groups): the server's date groups, or groups by project
// or status. Whatever changes a task on this page (the checkbox, a rename, a change that
// arrives live) puts it in the page's map of tasks and calls `drawMyTasks` again: the
// row leaves or enters the view, in its group and place, by the same rules.

import { groupTasks, shownTasks, isFiltered, parseViewQuery } from "./view-filters.js";
import { viewState, showCounts } from "./filter-bar.js";
import { $$, byTestId, syncList, readPageData, todayISO } from "./ui.js";
import { syncGroups } from "./task-groups.js";

const page = readPageData();
const ROW = '[data-testid="task-row"]';
const UNFILTERED = parseViewQuery("", "my-tasks");
const rows = new Map(); // taskId -> its row, shown or not
const drawnHooks = [];

/** Runs `fn` after every drawing of the rows (the selection draws itself on them). */
export function onDrawn(fn) {
  drawnHooks.push(fn);
}

function adoptRows(root) {
  for (const row of $$(ROW, root)) if (!rows.has(row.dataset.taskId)) rows.set(row.dataset.taskId, row);
}

/**
 * Draws `tasks` (a Map of id -> task, each with `order`, its place in the server's
 * order) into the page's groups. A task without a row gets one from `makeRow(task)`
 * (leave it out, or return null, to skip such tasks). Focus stays where it was.
 */
export function drawMyTasks(tasks, { makeRow = () => null } = {}) {
  const root = byTestId("my-tasks");
  if (!root) return;
  adoptRows(root);
  const state = viewState() || UNFILTERED;
  const filtered = isFiltered(state);
  const focused = document.activeElement;
  for (const task of tasks.values()) {
    const row = rows.get(task.id) || makeRow(task);
    if (row) rows.set(task.id, row);
  }
  const all = [...tasks.values()].filter((t) => rows.has(t.id)).sort((a, b) => (a.order ?? 1e9) - (b.order ?? 1e9));
  const shown = shownTasks(all, state, { me: (page.me || {}).id, today: page.today || todayISO() });
  const groups = groupTasks(shown, state.group, {
    projects: page.projects || [],
    dueGroups: page.dueGroups || [],
    upcomingDays: page.upcomingDays,
    today: page.today || todayISO(),
  });
  const lists = syncGroups(root, groups, { filtered });
  const placed = new Set();
  for (const [i, list] of lists.entries()) {
    syncList(list, groups[i].tasks, {
      selector: ROW,
      key: (t) => t.id,
      keyOf: (row) => row.dataset.taskId,
      create: (t) => rows.get(t.id),
      fill: (row, t) => placed.add(t.id),
    });
  }
  // Rows of tasks the filters hide, or that left, are kept for when they show again.
  for (const [id, row] of rows) if (!placed.has(id)) row.remove();
  for (const [id] of rows) if (!tasks.has(id)) rows.delete(id);
  if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
  showCounts(shown.length, all.length);
  for (const fn of drawnHooks) fn();
}
