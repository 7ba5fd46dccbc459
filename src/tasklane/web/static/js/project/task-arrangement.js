// Which of the project's tasks the List or the Board shows, in what order and in which
// list, under the filter bar's state: view-filters.js decides, this applies it to the
// store on every render (view.js asks `arrangeLists`), so a live change by anyone
// enters or leaves the view by the same rules as the page's own.
//
// The Board keeps one column per section; filters and sort apply within each. The List
// groups by section (its own sections, with their "Add task…"), or by assignee, status
// or due date in groups drawn here, in [data-testid=grouped-list], while the sections
// hide (`.list-view.is-grouped`).

import { parseViewQuery, shownTasks, groupTasks, positionAmong, isFiltered } from "../view-filters.js";
import { viewState, showCounts, setChoices } from "../filter-bar.js";
import { byTestId, todayISO } from "../ui.js";
import { syncGroups } from "../task-groups.js";
import { page, me, onBoard } from "./context.js";
import { store } from "./store.js";

const UNFILTERED = parseViewQuery("", onBoard ? "board" : "list");
const shownCounts = new Map(); // sectionId -> how many of its tasks show

const state = () => viewState() || UNFILTERED;

// Tasks come in rank order (sections in order, then ranks): the sort is stable, so the
// manual order is the order they come in.
function context() {
  return {
    me: me.id,
    today: todayISO(),
    personName: (id) => store.name(id),
    sections: store.sectionList(),
    dueGroups: page.dueGroups || [],
    upcomingDays: page.upcomingDays,
  };
}

/** The tasks of section `sectionId` that show, in the view's order. */
export function shownIn(sectionId) {
  return shownTasks(store.tasksIn(sectionId), state(), context());
}

/** How many of the tasks of section `sectionId` showed at the last render. */
export function shownCount(sectionId) {
  return shownCounts.get(sectionId) ?? store.tasksIn(sectionId).length;
}

/**
 * Where a task dropped at `index` among the shown tasks of section `sectionId` goes
 * among all of them (the position a move takes).
 */
export function dropPosition(taskId, sectionId, index) {
  const ids = (tasks) => tasks.filter((t) => t.id !== taskId).map((t) => t.id);
  return positionAmong(ids(store.tasksIn(sectionId)), ids(shownIn(sectionId)), index);
}

// The filter bar's choices that change while the page is open: members and sections.
function refreshChoices(sections) {
  const people = [...store.members.values()]
    .map((m) => ({ value: m.userId, label: m.user.name }))
    .sort((a, b) => a.label.localeCompare(b.label));
  setChoices("assignee", "data-person", people);
  setChoices("section", "data-section", sections.map((s) => ({ value: s.id, label: s.name })));
}

/**
 * The lists of the view and the tasks each shows, in order: the sections' own lists
 * (`sectionLists`, in the order of `sections`) or, in a List grouped otherwise, the
 * groups' lists. Says the counts in the filter bar as it goes.
 */
export function arrangeLists(sections, sectionLists) {
  const view = state();
  const ctx = context();
  const filtered = isFiltered(view);
  const box = byTestId("grouped-list");
  const grouped = Boolean(box) && !onBoard && view.group !== "section";
  if (box) {
    box.hidden = !grouped;
    box.parentElement.classList.toggle("is-grouped", grouped);
  }
  refreshChoices(sections);
  shownCounts.clear();
  const all = sections.flatMap((s) => store.tasksIn(s.id));
  const shown = shownTasks(all, view, ctx);
  let lists;
  if (grouped) {
    const groups = groupTasks(shown, view.group, ctx);
    const groupLists = syncGroups(box, groups, { filtered });
    lists = groups.map((g, i) => ({ list: groupLists[i], tasks: g.tasks }));
  } else {
    if (box) syncGroups(box, []);
    const bySection = new Map(sections.map((s) => [s.id, []]));
    for (const task of shown) bySection.get(task.sectionId).push(task);
    lists = sections.map((s, i) => ({ list: sectionLists[i], tasks: bySection.get(s.id) }));
  }
  for (const s of sections) shownCounts.set(s.id, shown.filter((t) => t.sectionId === s.id).length);
  showCounts(shown.length, all.length);
  return lists;
}
