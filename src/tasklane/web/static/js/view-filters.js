// Which tasks a List, a Board or My Tasks shows under its filters, in what order and in
// which groups, decided from plain data: the view's state (kept in the page's URL query,
// e.g. `?assignee=me&status=todo&sort=due&group=assignee&q=launch`) and the tasks.
// No DOM here: whatever draws a page, at load or for a live change, asks this module,
// so a task someone else changes leaves or enters the view by the same rules.
//
// The parameters, each left out of the URL at its default:
//   assignee  me | none (unassigned) | a user's id               (List, Board)
//   due       overdue | today | week (Monday to Sunday) | none   (every view)
//   status    open (not done) | todo | in_progress | done         (every view)
//   section   a section's id                                      (List)
//   project   a project's id                                      (My Tasks)
//   q         words that the name or the notes contain, each      (every view)
//   sort      due | name | assignee | status; default: the manual order
//   group     List: section (default) | assignee | status | due;
//             My Tasks: due (default) | project | status. The Board has one column per
//             section: its filters and sort apply within the columns.

/** The views, what each filters by and how it may group. */
export const VIEWS = {
  list: { filters: ["assignee", "due", "status", "section", "q"], groups: ["section", "assignee", "status", "due"] },
  board: { filters: ["assignee", "due", "status", "q"], groups: [] },
  "my-tasks": { filters: ["due", "status", "project", "q"], groups: ["due", "project", "status"] },
};

/** Every parameter of a view's state, in the order a URL lists them. */
export const VIEW_PARAMS = ["assignee", "due", "status", "section", "project", "q", "sort", "group"];
const FILTERS = ["assignee", "due", "status", "section", "project", "q"];

const CHOICES = {
  due: ["overdue", "today", "week", "none"],
  status: ["open", "todo", "in_progress", "done"],
  sort: ["due", "name", "assignee", "status"],
};
const STATUS_ORDER = ["todo", "in_progress", "done"];
const STATUS_TITLES = { todo: "To do", in_progress: "In progress", done: "Done" };
const MAX_TEXT = 200; // as long as the search box takes

/**
 * The state of view `kind` from a URL query (a string, with or without "?", or
 * URLSearchParams). A value this view does not offer is its default ("").
 * `group` is always named: the view's default when the URL says none.
 */
export function parseViewQuery(query, kind) {
  const params = query instanceof URLSearchParams ? query : new URLSearchParams(query || "");
  const view = VIEWS[kind];
  const state = { assignee: "", due: "", status: "", section: "", project: "", q: "", sort: "", group: view.groups[0] || "" };
  for (const key of view.filters) {
    const value = (params.get(key) || "").trim();
    if (!value) continue;
    if (CHOICES[key] && !CHOICES[key].includes(value)) continue;
    state[key] = key === "q" ? value.slice(0, MAX_TEXT) : value;
  }
  const sort = params.get("sort") || "";
  if (CHOICES.sort.includes(sort)) state.sort = sort;
  const group = params.get("group") || "";
  if (view.groups.includes(group)) state.group = group;
  return state;
}

/**
 * The URL query (without "?") for `state` in view `kind`: its non-default values, in
 * VIEW_PARAMS's order. Parameters the view does not use are carried over from `carried`
 * (the query the page was opened with), so a link from the Board back to the List keeps
 * the List's grouping; anything else in `carried` (such as `view=board`) is not.
 */
export function viewQuery(state, kind, carried = "") {
  const view = VIEWS[kind];
  const from = carried instanceof URLSearchParams ? carried : new URLSearchParams(carried || "");
  const out = new URLSearchParams();
  for (const key of VIEW_PARAMS) {
    const own = view.filters.includes(key) || key === "sort" || (key === "group" && view.groups.length > 0);
    if (!own) {
      if (from.get(key)) out.set(key, from.get(key));
      continue;
    }
    const value = key === "q" ? (state.q || "").trim() : state[key] || "";
    if (!value || (key === "group" && value === view.groups[0])) continue;
    out.set(key, value);
  }
  return out.toString();
}

/** Whether any filter (not the sort or the grouping) narrows the view. */
export function isFiltered(state) {
  return FILTERS.some((key) => Boolean(state[key]));
}

/** The same state with every filter cleared; sort and grouping stay. */
export function withoutFilters(state) {
  const out = { ...state };
  for (const key of FILTERS) out[key] = "";
  return out;
}

// ---------------------------------------------------------------------------- dates

function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The Monday and the Sunday of the week of `day` ("YYYY-MM-DD"). */
export function weekOf(day) {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  const monday = addDays(day, -weekday);
  return [monday, addDays(monday, 6)];
}

const isDone = (task) => Boolean(task.completed) || task.status === "done";

/**
 * My Tasks' date group of `task` on `today`: completed ones apart, then overdue, today,
 * upcoming (within `upcomingDays`), later, no date. Mirrors web/task_lists.py's `bucket`.
 */
export function dueBucket(task, today, upcomingDays = 7) {
  if (isDone(task)) return "done";
  if (!task.dueOn) return "no_date";
  if (task.dueOn < today) return "overdue";
  if (task.dueOn === today) return "today";
  return task.dueOn <= addDays(today, upcomingDays) ? "upcoming" : "later";
}

// ---------------------------------------------------------------------------- membership

function dueMatches(task, due, today) {
  if (due === "none") return !task.dueOn;
  if (!task.dueOn) return false;
  if (due === "overdue") return task.dueOn < today && !isDone(task);
  if (due === "today") return task.dueOn === today;
  const [monday, sunday] = weekOf(today);
  return task.dueOn >= monday && task.dueOn <= sunday;
}

function textMatches(task, q) {
  const haystack = `${task.name || ""}\n${task.notes || ""}`.toLocaleLowerCase();
  return q.toLocaleLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

/**
 * Whether `task` shows under `state`. `context`: `me` (the reader's id) and `today`
 * ("YYYY-MM-DD", the app's).
 */
export function matches(task, state, { me = "", today = "" } = {}) {
  if (state.assignee === "me" && task.assigneeId !== me) return false;
  if (state.assignee === "none" && task.assigneeId) return false;
  if (state.assignee && state.assignee !== "me" && state.assignee !== "none" && task.assigneeId !== state.assignee) return false;
  if (state.due && !dueMatches(task, state.due, today)) return false;
  if (state.status === "open" && isDone(task)) return false;
  if (state.status && state.status !== "open" && task.status !== state.status) return false;
  if (state.section && task.sectionId !== state.section) return false;
  if (state.project && task.projectId !== state.project) return false;
  if (state.q && !textMatches(task, state.q)) return false;
  return true;
}

// ---------------------------------------------------------------------------- order

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

// Empty values go last whatever the order.
function compareOrEmpty(a, b, compare) {
  if (!a && !b) return 0;
  if (!a) return 1;
  if (!b) return -1;
  return compare(a, b);
}

/**
 * A comparator of tasks for `sort`; ties (and the default, "") fall back to
 * `context.manual`, the view's own order (ranks in a project, the server's order in
 * My Tasks). `context.personName(id)` names an assignee.
 */
export function taskComparator(sort, { manual = () => 0, personName = (id) => id } = {}) {
  const first = {
    due: (a, b) => compareOrEmpty(a.dueOn, b.dueOn, (x, y) => (x < y ? -1 : x > y ? 1 : 0)),
    name: (a, b) => collator.compare(a.name || "", b.name || ""),
    assignee: (a, b) => compareOrEmpty(a.assigneeId && personName(a.assigneeId), b.assigneeId && personName(b.assigneeId), collator.compare),
    status: (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status),
  }[sort];
  return first ? (a, b) => first(a, b) || manual(a, b) : manual;
}

/** The tasks `state` shows, in its order. */
export function shownTasks(tasks, state, context = {}) {
  return tasks.filter((task) => matches(task, state, context)).sort(taskComparator(state.sort, context));
}

// ---------------------------------------------------------------------------- groups

/**
 * The groups of `tasks` (already filtered and sorted) for `group`, each
 * `{key, title, empty, fixed, tasks}` keeping the tasks' order. Groups with a fixed
 * place (`fixed`: every status, every date group, every section) come even when
 * empty; the others (an assignee, a project) only with tasks. `context`:
 *   sections     [{id, name}] in order (group "section")
 *   projects     [{id, name}] in order (group "project")
 *   dueGroups    [{key, title, empty}] in order, and `upcomingDays` (group "due")
 *   me, personName(id), today
 */
export function groupTasks(tasks, group, context = {}) {
  const { sections = [], projects = [], dueGroups = [], me = "", personName = (id) => id } = context;
  const by = (keyOf) => {
    const found = new Map();
    for (const task of tasks) {
      const key = keyOf(task);
      if (!found.has(key)) found.set(key, []);
      found.get(key).push(task);
    }
    return found;
  };
  if (group === "section") {
    const found = by((t) => t.sectionId);
    return sections.map((s) => ({ key: s.id, title: s.name, empty: "", fixed: true, tasks: found.get(s.id) || [] }));
  }
  if (group === "project") {
    const found = by((t) => t.projectId);
    return projects.filter((p) => found.has(p.id)).map((p) => ({ key: p.id, title: p.name, empty: "", fixed: false, tasks: found.get(p.id) }));
  }
  if (group === "status") {
    const found = by((t) => t.status);
    return STATUS_ORDER.map((s) => ({ key: s, title: STATUS_TITLES[s], empty: "No tasks.", fixed: true, tasks: found.get(s) || [] }));
  }
  if (group === "due") {
    const found = by((t) => dueBucket(t, context.today || "", context.upcomingDays));
    return dueGroups.map((g) => ({ key: g.key, title: g.title, empty: g.empty, fixed: true, tasks: found.get(g.key) || [] }));
  }
  if (group === "assignee") {
    const found = by((t) => t.assigneeId || "");
    const people = [...found.keys()].filter(Boolean).sort((a, b) => {
      if (a === me || b === me) return a === me ? -1 : 1; // the reader's own first
      return collator.compare(personName(a), personName(b));
    });
    const groups = people.map((id) => ({ key: id, title: personName(id), empty: "", fixed: false, tasks: found.get(id) }));
    if (found.has("")) groups.push({ key: "none", title: "Unassigned", empty: "", fixed: false, tasks: found.get("") });
    return groups;
  }
  return [{ key: "all", title: "", empty: "", fixed: true, tasks }];
}

/**
 * Where a task dropped at `index` among the shown tasks of a list lands among all of
 * them (the dragged one left out of both): just before the shown task it was dropped
 * on, or just after the last shown one. `allIds` and `shownIds` in the list's order.
 */
export function positionAmong(allIds, shownIds, index) {
  if (shownIds.length === 0) return allIds.length;
  if (index < shownIds.length) return Math.max(0, allIds.indexOf(shownIds[index]));
  return allIds.indexOf(shownIds[shownIds.length - 1]) + 1;
}
