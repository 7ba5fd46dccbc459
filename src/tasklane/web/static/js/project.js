// The project page: List and Board views, the task pane, and live updates.
//
// The server renders the page with its data and carries the same data as JSON in
// #page-data. This script builds a store from that JSON, renders every row, card and
// pane field from the store through the server's <template>s (the markup exists once, in
// templates/macros.html), and keeps the store current from two sources:
//   - the REST responses to what this page did, and
//   - the project's events, from the realtime client, in seq order.
// Both are upserts by id, so a change this page made and then hears about again is
// applied with the same result; counts (subtasks, comments) move only by events.
// Text goes into the DOM through textContent only.

import { api, ApiError, getAllPages, getEvents, humanMessage } from "./api.js";
import {
  $, $$, byTestId, allByTestId, field, el, clear, setText, cloneTemplate, readPageData,
  relativeTime, formatDue, isOverdue, initials, setHue, notify, flash,
  showFieldError, clearFieldError, showRemoteNote, clearRemoteNote,
  startRelativeTimeTicker, STATUS_LABELS,
} from "./ui.js";

const page = readPageData();
const me = page.me || {};
const projectId = page.project && page.project.id;
const view = page.view === "board" ? "board" : "list";

// ============================================================================ own changes

// This page's own changes come back as events too; those should not flash as if someone
// else had made them. Other tabs of the same person still flash (no request in flight).
const mine = { inflight: 0, settledAt: 0 };

async function mutate(call) {
  mine.inflight += 1;
  try {
    return await call();
  } finally {
    mine.inflight -= 1;
    mine.settledAt = Date.now();
  }
}

const write = {
  post: (path, body) => mutate(() => api.post(path, body)),
  patch: (path, body) => mutate(() => api.patch(path, body)),
  del: (path) => mutate(() => api.del(path)),
};

function isOwnEcho(e) {
  return e.userId === me.id && (mine.inflight > 0 || Date.now() - mine.settledAt < 1500);
}

// ============================================================================ the store

function byRank(a, b) {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const store = {
  project: null,
  sections: new Map(), // id -> SectionPublic
  tasks: new Map(), // id -> TaskPublic (top-level tasks and the subtasks this page has seen)
  members: new Map(), // userId -> MemberPublic
  people: new Map(), // userId -> name, of everyone this page has seen (members, presence)
  gone: new Set(), // ids of deleted tasks: a late REST answer must not bring them back
  seq: 0, // the last event applied

  reset({ project, sections, tasks, members }) {
    this.project = project;
    this.seq = project.seq;
    this.sections = new Map(sections.map((s) => [s.id, s]));
    const subtasks = [...this.tasks.values()].filter((t) => t.parentId);
    this.tasks = new Map(tasks.map((t) => [t.id, t]));
    for (const sub of subtasks) if (this.tasks.has(sub.parentId)) this.tasks.set(sub.id, sub);
    if (members) this.setMembers(members);
  },

  setMembers(members) {
    this.members = new Map(members.map((m) => [m.userId, m]));
    for (const m of members) this.people.set(m.userId, m.user.name);
  },

  sectionList() {
    return [...this.sections.values()].sort(byRank);
  },

  tasksIn(sectionId) {
    return [...this.tasks.values()].filter((t) => !t.parentId && t.sectionId === sectionId).sort(byRank);
  },

  subtasksOf(parentId) {
    return [...this.tasks.values()].filter((t) => t.parentId === parentId).sort(byRank);
  },

  name(userId) {
    if (!userId) return "Tasklane";
    return this.people.get(userId) || "A former member";
  },

  firstName(userId) {
    return this.name(userId).split(/\s+/)[0];
  },

  person(userId) {
    if (!userId) return null;
    const name = this.people.get(userId);
    return name ? { id: userId, name } : { id: userId, name: "A former member" };
  },

  role() {
    return (this.project && this.project.role) || "viewer";
  },
  canEdit() {
    return ["owner", "editor"].includes(this.role());
  },
  canComment() {
    return ["owner", "editor", "commenter"].includes(this.role());
  },
  canManage() {
    return this.role() === "owner";
  },

  // From a REST answer: newer than what is here (or new), and never a deleted task.
  // Counts stay as they are: only events move them.
  acceptTask(task) {
    if (this.gone.has(task.id)) return null;
    const have = this.tasks.get(task.id);
    if (have && have.modifiedAt > task.modifiedAt) return have;
    const next = have
      ? { ...task, subtaskCount: have.subtaskCount, commentCount: have.commentCount }
      : task;
    this.tasks.set(task.id, next);
    return next;
  },

  // From an event: the task as of that event (events come in seq order). An older
  // snapshot than a REST answer already applied keeps the newer fields.
  eventTask(task) {
    if (this.gone.has(task.id)) return null;
    const have = this.tasks.get(task.id);
    if (have && !have.provisional && have.modifiedAt > task.modifiedAt) {
      const kept = { ...have, subtaskCount: task.subtaskCount, commentCount: task.commentCount };
      this.tasks.set(task.id, kept);
      return kept;
    }
    this.tasks.set(task.id, task);
    return task;
  },

  rerank(reranked, map) {
    if (!reranked) return;
    for (const [id, rank] of Object.entries(reranked)) {
      const item = map.get(id);
      if (item) map.set(id, { ...item, rank });
    }
  },

  removeTask(id, subtaskIds = []) {
    for (const gone of [id, ...subtaskIds]) {
      this.gone.add(gone);
      this.tasks.delete(gone);
    }
    for (const t of [...this.tasks.values()]) {
      if (t.parentId === id) {
        this.gone.add(t.id);
        this.tasks.delete(t.id);
      }
    }
  },

  bump(taskId, key, delta) {
    const t = this.tasks.get(taskId);
    if (t) this.tasks.set(taskId, { ...t, [key]: Math.max(0, (t[key] || 0) + delta) });
  },
};

// A key that sorts strictly between a and b (null: no bound), for a card moved before
// the server has answered; the server's own rank replaces it.
export function rankBetween(a, b) {
  a = a || "";
  let out = "";
  for (let i = 0; ; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : -1;
    const cb = b !== null && b !== undefined && i < b.length ? b.charCodeAt(i) : 0x10000;
    if (ca === cb) {
      out += String.fromCharCode(ca);
      continue;
    }
    if (ca === -1) return cb > 1 ? out + String.fromCharCode(Math.min(cb - 1, 0x56)) : out + "\u0000V";
    if (cb - ca > 1) return out + String.fromCharCode(ca + 1);
    out += String.fromCharCode(ca);
    b = null;
  }
}

// ============================================================================ words

const sectionName = (id) => (store.sections.get(id) || {}).name || "another section";

function quoteName(name) {
  return `\u201c${name}\u201d`;
}

function joinPhrases(phrases) {
  if (phrases.length <= 1) return phrases.join("");
  return phrases.slice(0, -1).join(", ") + " and " + phrases[phrases.length - 1];
}

function dueWords(day) {
  const label = formatDue(day);
  return ["Today", "Tomorrow", "Yesterday"].includes(label) ? label.toLowerCase() : label;
}

function changePhrases(changes, task, skip = []) {
  const fields = changes.filter((c) => !skip.includes(c));
  const phrases = [];
  for (const name of fields) {
    if (name === "name") phrases.push(`renamed this task to ${quoteName(task.name)}`);
    else if (name === "notes") phrases.push("edited the notes");
    else if (name === "assigneeId") {
      phrases.push(task.assigneeId ? `assigned this to ${store.name(task.assigneeId)}` : "unassigned this");
    } else if (name === "dueOn") {
      phrases.push(task.dueOn ? `set the due date to ${dueWords(task.dueOn)}` : "removed the due date");
    } else if (name === "sectionId") phrases.push(`moved this task to ${sectionName(task.sectionId)}`);
    else if (name === "rank" && !fields.includes("sectionId")) phrases.push("reordered this task");
  }
  return phrases;
}

// Mirrors web/activity.py: the predicate of one event about `taskId`, or null.
function describe(event, taskId) {
  const kind = event.type;
  const data = event.data || {};
  const task = data.task || null;
  if (data.taskId === taskId) {
    if (kind === "task_created") return "created this task";
    if (kind === "task_status_changed") {
      return joinPhrases([
        `changed the status to ${STATUS_LABELS[data.newStatus] || data.newStatus}`,
        ...changePhrases(data.changes || [], task, ["status"]),
      ]);
    }
    if (kind === "task_updated") return joinPhrases(changePhrases(data.changes || [], task)) || null;
    if (kind === "comment_created") return "commented";
    if (kind === "comment_updated") return "edited a comment";
    if (kind === "comment_deleted") return "deleted a comment";
    return null;
  }
  const parent = task ? task.parentId : data.parentId;
  if (parent !== taskId) return null;
  const name = task ? quoteName(task.name) : "";
  if (kind === "task_created") return `added the subtask ${name}`;
  if (kind === "task_status_changed") {
    return `${data.newStatus === "done" ? "completed" : "reopened"} the subtask ${name}`;
  }
  if (kind === "task_deleted") return "deleted a subtask";
  return null;
}

// ============================================================================ links and urls

const projectUrl = () => (view === "board" ? `/projects/${projectId}/board` : `/projects/${projectId}`);
const taskUrl = (id) => `/projects/${projectId}/tasks/${id}${view === "board" ? "?view=board" : ""}`;
const baseTitle = () => `${store.project.name}${view === "board" ? " (Board)" : ""} · Tasklane`;

function taskIdFromPath(pathname) {
  const m = pathname.match(/^\/projects\/([^/]+)\/tasks\/([^/]+)\/?$/);
  return m && m[1] === projectId ? decodeURIComponent(m[2]) : null;
}

// ============================================================================ rows and cards

const rowEls = new Map(); // taskId -> the row (List) or card (Board) element

const SECTION_TESTID = view === "board" ? "board-column" : "section";
const ITEM_TESTID = view === "board" ? "task-card" : "task-row";
const ITEM_TEMPLATE = view === "board" ? "card-template" : "task-row-template";
const SECTION_TEMPLATE = view === "board" ? "column-template" : "section-template";

function fillAssignee(root, userId) {
  const box = field(root, "assignee");
  if (!box) return;
  const person = store.person(userId);
  box.classList.toggle("unassigned", !person);
  box.dataset.userId = person ? person.id : "";
  box.title = person ? person.name : "Unassigned";
  const initialsEl = field(box, "assignee-initials");
  if (initialsEl) {
    setText(initialsEl, person ? initials(person.name) : "");
    setHue(initialsEl, person ? person.id : "");
  }
  setText(field(box, "assignee-name"), person ? person.name : "Unassigned");
}

function fillDue(root, task) {
  const due = field(root, "due");
  if (!due) return;
  due.setAttribute("datetime", task.dueOn || "");
  setText(due, formatDue(task.dueOn));
  due.classList.toggle("overdue", isOverdue(task.dueOn, task.status));
}

const COUNT_WORDS = { subtasks: ["subtask", "subtasks"], comments: ["comment", "comments"] };

function fillCount(root, name, n) {
  const node = field(root, name);
  if (!node) return;
  setText(node, n || 0);
  node.hidden = !n;
  const [one, many] = COUNT_WORDS[name];
  node.setAttribute("aria-label", `${n || 0} ${n === 1 ? one : many}`);
}

// A checkbox just clicked shows its new state until the server has answered.
const pendingChecks = new Map(); // taskId -> checked

function fillItem(node, task) {
  node.dataset.taskId = task.id;
  node.dataset.sectionId = task.sectionId || "";
  node.dataset.status = task.status;
  node.classList.toggle("is-done", task.completed);
  node.classList.toggle("is-pending", Boolean(task.provisional));
  const check = field(node, "complete");
  if (check) {
    check.checked = pendingChecks.has(task.id) ? pendingChecks.get(task.id) : task.completed;
    check.disabled = !store.canEdit();
  }
  const name = field(node, "name");
  if (name) {
    setText(name, task.name);
    name.setAttribute("href", taskUrl(task.id));
  }
  fillCount(node, "subtasks", task.subtaskCount);
  fillCount(node, "comments", task.commentCount);
  fillAssignee(node, task.assigneeId);
  fillDue(node, task);
  const pill = field(node, "status");
  if (pill) {
    pill.dataset.status = task.status;
    setText(pill, STATUS_LABELS[task.status] || task.status);
  }
  for (const button of node.querySelectorAll('[data-action="rename"], [data-action="move"]')) {
    button.hidden = !store.canEdit();
  }
  if (view === "board") {
    node.setAttribute("draggable", store.canEdit() ? "true" : "false");
    // A link is draggable on its own (its URL); the card is what moves.
    if (name) name.setAttribute("draggable", "false");
  }
}

// What a row shows, to tell whether an event changed anything visible (and so flash it).
function signature(task) {
  if (!task) return "";
  return [task.name, task.status, task.assigneeId, task.dueOn, task.sectionId, task.rank,
    task.subtaskCount, task.commentCount].join("\u0001");
}

function createItem(task) {
  const node = cloneTemplate(ITEM_TEMPLATE);
  fillItem(node, task);
  return node;
}

// ============================================================================ sections and columns

// The list or board; made for the first section of a project that had none (the server
// then rendered only "This project has no sections yet").
function viewRoot({ create = true } = {}) {
  let root = byTestId(view === "board" ? "board" : "list-view");
  if (!root && create) {
    // A project with no sections renders no list or board; make one for the first section.
    for (const empty of $$(".main > .empty-state")) empty.remove();
    root = view === "board"
      ? el("div", { class: "board", "data-testid": "board" })
      : el("div", { class: "list-view", "data-testid": "list-view" });
    $("#main").append(root);
  }
  return root;
}

function sectionEls() {
  const root = viewRoot({ create: false });
  return root ? allByTestId(SECTION_TESTID, root) : [];
}

function fillSection(node, section) {
  node.dataset.sectionId = section.id;
  setText(field(node, "section-name"), section.name);
  const count = byTestId("section-count", node);
  setText(count, store.tasksIn(section.id).length);
  const form = field(node, "add-task-form");
  if (form) {
    form.setAttribute("action", `/projects/${projectId}/sections/${section.id}/tasks`);
    const label = form.querySelector(".visually-hidden");
    setText(label, `Add a task to ${section.name}`);
    form.hidden = !store.canEdit();
  }
  // The empty state ("No tasks yet — add one") shows by CSS while the list is empty.
}

function createSection(section) {
  const node = cloneTemplate(SECTION_TEMPLATE);
  fillSection(node, section);
  bindSection(node);
  return node;
}

function listOf(sectionNode) {
  return field(sectionNode, "tasks");
}

// Whitespace between server-rendered <li>s would keep `:empty` from matching.
function dropWhitespace(list) {
  for (const n of [...list.childNodes]) if (n.nodeType === Node.TEXT_NODE && !n.textContent.trim()) n.remove();
}

// ============================================================================ render

let renderQueued = false;

function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    render();
  });
}

// Brings the view in line with the store, touching only what differs; focus (and the
// caret of a field being typed in) survives a row being moved.
let rendering = false; // a blur while rows move is not the reader leaving a field

function render() {
  rendering = true;
  try {
    renderView();
  } finally {
    rendering = false;
  }
}

function renderView() {
  const active = document.activeElement;
  const caret = active && "selectionStart" in active ? safeSelection(active) : null;

  const sections = store.sectionList();
  const root = viewRoot({ create: sections.length > 0 });
  if (!root) {
    if (pane.taskId) renderPane();
    return;
  }
  const existing = new Map(sectionEls().map((n) => [n.dataset.sectionId, n]));
  for (const [id, node] of existing) if (!store.sections.has(id)) node.remove();
  const wanted = sections.map((s) => {
    const node = existing.get(s.id) || createSection(s);
    fillSection(node, s);
    return node;
  });
  const current = sectionEls();
  if (current.length !== wanted.length || current.some((n, i) => n !== wanted[i])) {
    for (const node of wanted) root.append(node);
  }

  if (!drag) for (const indicator of $$(".drop-indicator", root)) indicator.remove();
  const placed = new Set();
  for (const [i, section] of sections.entries()) {
    const list = listOf(wanted[i]);
    dropWhitespace(list);
    let prev = null;
    for (const task of store.tasksIn(section.id)) {
      let node = rowEls.get(task.id);
      if (!node) {
        node = createItem(task);
        rowEls.set(task.id, node);
      } else if (!renaming.has(task.id)) {
        fillItem(node, task);
      } else {
        fillItem(node, { ...task, name: node._renameFrom ?? task.name });
      }
      const expected = prev ? prev.nextElementSibling : list.firstElementChild;
      if (node !== expected) list.insertBefore(node, expected);
      prev = node;
      placed.add(task.id);
    }
  }
  for (const [id, node] of rowEls) {
    if (!placed.has(id)) {
      node.remove();
      rowEls.delete(id);
    }
  }
  for (const node of wanted) fillSection(node, store.sections.get(node.dataset.sectionId));

  if (active && active !== document.activeElement && active.isConnected) {
    active.focus({ preventScroll: true });
    if (caret) restoreSelection(active, caret);
  }
  if (pane.taskId) renderPane();
}

function safeSelection(node) {
  try {
    return [node.selectionStart, node.selectionEnd];
  } catch {
    return null;
  }
}

function restoreSelection(node, [start, end]) {
  try {
    node.setSelectionRange(start, end);
  } catch {
    /* not a text field */
  }
}

// Adopts the server-rendered rows, so the first render changes nothing visible.
function adopt() {
  const root = viewRoot({ create: false });
  if (!root) return;
  for (const node of allByTestId(ITEM_TESTID, root)) {
    const id = node.dataset.taskId;
    if (id && store.tasks.has(id)) rowEls.set(id, node);
    else node.remove();
  }
  for (const node of sectionEls()) bindSection(node);
}

// ============================================================================ errors beside what failed

function rowErrorSpot(node) {
  return node.querySelector(".task-main") || node.querySelector(".card-meta") || node;
}

function showRowError(node, err) {
  if (!node) return notify(humanMessage(err), { kind: "error" });
  const anchor = field(node, "name") || node;
  showFieldError(anchor, humanMessage(err), { within: rowErrorSpot(node) });
  clearTimeout(anchor._errTimer);
  anchor._errTimer = setTimeout(() => clearFieldError(anchor), 8000);
}

function clearServerErrors(form) {
  for (const p of form.querySelectorAll("p.field-error")) p.remove();
  for (const i of form.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
}

// ============================================================================ editing from rows and cards

async function setStatus(taskId, status, node) {
  const task = store.tasks.get(taskId);
  if (!task) return;
  pendingChecks.set(taskId, status === "done");
  try {
    const saved = await write.patch(`/api/tasks/${taskId}`, { status });
    store.acceptTask(saved);
    if (node) clearFieldError(field(node, "name") || node);
  } catch (err) {
    showRowError(node, err);
  } finally {
    pendingChecks.delete(taskId);
  }
  render();
}

const renaming = new Map(); // taskId -> the inline input

function startRename(node) {
  const id = node.dataset.taskId;
  const task = store.tasks.get(id);
  const link = field(node, "name");
  if (!task || !link || renaming.has(id) || !store.canEdit()) return;
  const input = el("input", {
    type: "text",
    class: "rename-input",
    "data-testid": "task-name-input",
    "aria-label": "Task name",
    maxlength: "500",
    autocomplete: "off",
  });
  input.value = task.name;
  node._renameFrom = task.name;
  link.hidden = true;
  const pencil = node.querySelector('[data-action="rename"]');
  if (pencil) pencil.hidden = true;
  link.insertAdjacentElement("afterend", input);
  renaming.set(id, input);
  input.focus();
  input.select();

  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    renaming.delete(id);
    node._renameFrom = undefined;
    clearFieldError(input);
    clearRemoteNote(input);
    input.remove();
    link.hidden = false;
    if (pencil) pencil.hidden = !store.canEdit();
    render();
  };
  const save = async ({ keepFocus }) => {
    const name = input.value.trim();
    const now = store.tasks.get(id);
    if (!now) return finish();
    if (!name) {
      showFieldError(input, "Enter a name.", { within: rowErrorSpot(node) });
      return;
    }
    if (name === now.name) {
      finish();
      if (keepFocus) link.focus();
      return;
    }
    input.disabled = true;
    try {
      const saved = await write.patch(`/api/tasks/${id}`, { name });
      store.acceptTask(saved);
      finish();
      if (keepFocus) link.focus();
    } catch (err) {
      input.disabled = false;
      showFieldError(input, humanMessage(err), { within: rowErrorSpot(node) });
      if (keepFocus) input.focus();
    }
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      save({ keepFocus: true });
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      finish();
      link.focus();
    }
  });
  input.addEventListener("blur", () => {
    if (!done && !input.disabled && !rendering) save({ keepFocus: false });
  });
}

// Optimistic in the store (a provisional rank), then the server's answer replaces it.
async function moveTask(taskId, sectionId, position) {
  const task = store.tasks.get(taskId);
  if (!task) return;
  const siblings = store.tasksIn(sectionId).filter((t) => t.id !== taskId);
  const index = Math.max(0, Math.min(position, siblings.length));
  const currentIndex = store.tasksIn(task.sectionId).findIndex((t) => t.id === taskId);
  if (task.sectionId === sectionId && currentIndex === index) return;
  const before = siblings[index - 1] ? siblings[index - 1].rank : null;
  const after = siblings[index] ? siblings[index].rank : null;
  const provisional = { ...task, sectionId, rank: rankBetween(before, after), provisional: true };
  store.tasks.set(taskId, provisional);
  render();
  try {
    // Replaces the provisional copy (older modifiedAt), unless an event already did.
    store.acceptTask(await write.post(`/api/tasks/${taskId}/move`, { sectionId, position: index }));
  } catch (err) {
    if (store.tasks.get(taskId) === provisional) store.tasks.set(taskId, task);
    render();
    showRowError(rowEls.get(taskId), err);
    return;
  }
  render();
}

// ============================================================================ adding tasks

const addQueues = new Map(); // sectionId -> the promise of the last add, to keep their order

function bindSection(node) {
  if (node._bound) return;
  node._bound = true;
  const form = field(node, "add-task-form");
  if (!form) return;
  const input = form.querySelector('input[name="name"]');
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const sectionId = node.dataset.sectionId;
    const name = input.value.trim();
    clearServerErrors(form);
    clearFieldError(input);
    if (!name) {
      input.value = "";
      return;
    }
    input.value = "";
    input.focus();
    const previous = addQueues.get(sectionId) || Promise.resolve();
    const next = previous.then(async () => {
      try {
        const task = await write.post(`/api/projects/${projectId}/tasks`, { name, sectionId });
        store.acceptTask(task);
        render();
      } catch (err) {
        if (!input.value) input.value = name;
        showFieldError(input, humanMessage(err));
      }
    });
    addQueues.set(sectionId, next);
  });
  input.addEventListener("input", () => clearFieldError(input));
}

// ============================================================================ list and board interactions

function itemOf(target) {
  return target.closest(`[data-testid="${ITEM_TESTID}"]`);
}

let openTimer = null;

function bindView() {
  const root = document.querySelector("#main");

  root.addEventListener("change", (e) => {
    const check = e.target.closest('[data-field="complete"]');
    const node = check && itemOf(check);
    if (!node) return;
    setStatus(node.dataset.taskId, check.checked ? "done" : "todo", node);
  });

  root.addEventListener("click", (e) => {
    const node = itemOf(e.target);
    if (!node) return;
    const action = e.target.closest("[data-action]");
    if (action && action.dataset.action === "rename") {
      e.preventDefault();
      startRename(node);
      return;
    }
    if (action && action.dataset.action === "move") {
      e.preventDefault();
      openMoveMenu(node, action);
      return;
    }
    const link = e.target.closest('a[data-field="name"]');
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    const id = node.dataset.taskId;
    clearTimeout(openTimer);
    // A double click renames in the List: wait a moment before opening on a single one.
    if (view === "list" && e.detail === 1 && store.canEdit()) {
      openTimer = setTimeout(() => openPane(id, { push: true }), 250);
    } else if (e.detail <= 1) {
      openPane(id, { push: true });
    }
  });

  root.addEventListener("dblclick", (e) => {
    const node = itemOf(e.target);
    if (!node || view !== "list" || !e.target.closest('[data-field="name"]')) return;
    e.preventDefault();
    clearTimeout(openTimer);
    startRename(node);
  });

  root.addEventListener("keydown", (e) => {
    const node = itemOf(e.target);
    if (!node || !e.target.matches('a[data-field="name"]')) return;
    if (e.key === "F2" && view === "list") {
      e.preventDefault();
      startRename(node);
    }
  });

  if (view === "board") bindDragAndDrop(root);
}

// ---------------------------------------------------------------------------- drag and drop

let drag = null; // {id, node}

function dropIndex(list, clientY) {
  const cards = allByTestId("task-card", list).filter((c) => !drag || c.dataset.taskId !== drag.id);
  let index = 0;
  for (const card of cards) {
    const r = card.getBoundingClientRect();
    if (clientY > r.top + r.height / 2) index += 1;
  }
  return { index, cards };
}

function showIndicator(list, index, cards) {
  let indicator = $(".drop-indicator");
  if (!indicator) {
    // No stylesheet rule for it: a 3 px bar in the accent colour where the card would land.
    indicator = el("li", { class: "drop-indicator", "aria-hidden": "true" });
    Object.assign(indicator.style, {
      listStyle: "none", height: "3px", margin: "2px 4px", borderRadius: "2px",
      background: "var(--accent, #3b5bdb)", pointerEvents: "none",
    });
  }
  const before = cards[index] || null;
  if (indicator.parentElement !== list || indicator.nextElementSibling !== before) list.insertBefore(indicator, before);
  for (const other of $$(".drop-target")) if (other !== list) other.classList.remove("drop-target");
  list.classList.add("drop-target");
}

function clearDragMarks() {
  for (const i of $$(".drop-indicator")) i.remove();
  for (const l of $$(".drop-target")) l.classList.remove("drop-target");
  for (const c of $$(".is-dragging")) c.classList.remove("is-dragging");
}

function bindDragAndDrop(root) {
  root.addEventListener("dragstart", (e) => {
    const card = e.target.closest && e.target.closest('[data-testid="task-card"]');
    if (!card) return;
    if (!store.canEdit()) {
      e.preventDefault();
      return;
    }
    drag = { id: card.dataset.taskId, node: card };
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.taskId);
    requestAnimationFrame(() => card.classList.add("is-dragging"));
  });
  // Both dragenter and dragover must be cancelled for the column to accept the drop.
  root.addEventListener("dragenter", (e) => {
    const column = e.target.closest && e.target.closest('[data-testid="board-column"]');
    if (drag && column) e.preventDefault();
  });
  root.addEventListener("dragover", (e) => {
    const column = e.target.closest && e.target.closest('[data-testid="board-column"]');
    if (!drag || !column) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    const list = listOf(column);
    const { index, cards } = dropIndex(list, e.clientY);
    showIndicator(list, index, cards);
  });
  root.addEventListener("dragleave", (e) => {
    const column = e.target.closest && e.target.closest('[data-testid="board-column"]');
    if (column && !column.contains(e.relatedTarget)) {
      listOf(column).classList.remove("drop-target");
      const indicator = $(".drop-indicator", column);
      if (indicator) indicator.remove();
    }
  });
  root.addEventListener("drop", (e) => {
    const column = e.target.closest && e.target.closest('[data-testid="board-column"]');
    if (!drag || !column) return;
    e.preventDefault();
    const { index } = dropIndex(listOf(column), e.clientY);
    const { id } = drag;
    drag = null;
    clearDragMarks();
    moveTask(id, column.dataset.sectionId, index);
  });
  root.addEventListener("dragend", () => {
    drag = null;
    clearDragMarks();
  });
}

// ---------------------------------------------------------------------------- "Move to…" menu

let menu = null; // {node, button, close}

function closeMoveMenu({ focusButton = false } = {}) {
  if (!menu) return;
  const { node, button } = menu;
  menu = null;
  node.remove();
  button.setAttribute("aria-expanded", "false");
  document.removeEventListener("pointerdown", outsideMenu, true);
  if (focusButton && button.isConnected) button.focus();
}

function outsideMenu(e) {
  if (menu && !menu.node.contains(e.target) && e.target !== menu.button) closeMoveMenu();
}

function menuItems() {
  return menu ? $$('[role="menuitem"]:not([aria-disabled="true"])', menu.node) : [];
}

function openMoveMenu(card, button) {
  const id = card.dataset.taskId;
  const task = store.tasks.get(id);
  if (!task) return;
  if (menu) {
    const same = menu.button === button;
    closeMoveMenu();
    if (same) return;
  }
  const node = el("div", {
    class: "menu move-menu",
    role: "menu",
    "data-testid": "move-menu",
    "aria-label": `Move \u201c${task.name}\u201d to\u2026`,
  });
  const title = el("p", { class: "menu-title", role: "presentation", text: "Move to\u2026" });
  Object.assign(title.style, { margin: "0", padding: "4px 12px", fontSize: "12px", color: "var(--text-2, #57606a)" });
  node.append(title);
  const item = (label, sectionId, position, { current = false, className = "" } = {}) => {
    const button = el("button", {
      type: "button",
      role: "menuitem",
      class: `menu-item ${className}`.trim(),
      tabindex: "-1",
      "data-testid": "move-menu-item",
      "data-section-id": sectionId,
      "data-position": String(position),
      "aria-disabled": current ? "true" : null,
      "aria-current": current ? "true" : null,
      text: current ? `${label} (here now)` : label,
    });
    if (className === "menu-section") button.style.fontWeight = "600";
    else button.style.paddingLeft = "24px";
    if (current) Object.assign(button.style, { color: "var(--text-2, #57606a)", cursor: "default" });
    return button;
  };
  for (const section of store.sectionList()) {
    const others = store.tasksIn(section.id).filter((t) => t.id !== id);
    const here = store.tasksIn(section.id).findIndex((t) => t.id === id);
    const group = el("div", { role: "group", "aria-label": section.name, class: "menu-group" });
    // app.css styles `.menu` and its buttons; the grouping inside is laid out here.
    Object.assign(group.style, { display: "grid", paddingTop: "4px", borderTop: "1px solid var(--border, #d0d7de)", marginTop: "4px" });
    // The section itself: to its end. Then each place in it.
    group.append(item(section.name, section.id, others.length, {
      current: here !== -1 && here === others.length, className: "menu-section",
    }));
    if (others.length > 0) {
      group.append(item("Top", section.id, 0, { current: here === 0, className: "menu-position" }));
      for (let i = 1; i < others.length; i++) {
        group.append(item(`After \u201c${others[i - 1].name}\u201d`, section.id, i, {
          current: here === i, className: "menu-position",
        }));
      }
    }
    node.append(group);
  }
  node.addEventListener("click", (e) => {
    const choice = e.target.closest('[role="menuitem"]');
    if (!choice || choice.getAttribute("aria-disabled") === "true") return;
    const { sectionId, position } = choice.dataset;
    closeMoveMenu();
    // The card keeps its element when it moves; focus goes back to its Move button.
    const refocus = () => {
      const moved = rowEls.get(id);
      const again = moved && moved.querySelector('[data-action="move"]');
      if (again && document.activeElement !== again) again.focus();
    };
    moveTask(id, sectionId, Number(position)).then(refocus);
    refocus();
  });
  node.addEventListener("keydown", (e) => {
    const items = menuItems();
    const at = items.indexOf(document.activeElement);
    if (e.key === "ArrowDown") items[(at + 1) % items.length].focus();
    else if (e.key === "ArrowUp") items[(at - 1 + items.length) % items.length].focus();
    else if (e.key === "Home") items[0].focus();
    else if (e.key === "End") items[items.length - 1].focus();
    else if (e.key === "Escape") closeMoveMenu({ focusButton: true });
    else if (e.key === "Tab") {
      closeMoveMenu({ focusButton: true });
    } else return;
    e.preventDefault();
    e.stopPropagation();
  });
  document.body.append(node);
  placeMenu(node, button);
  button.setAttribute("aria-expanded", "true");
  menu = { node, button };
  document.addEventListener("pointerdown", outsideMenu, true);
  const items = menuItems();
  if (items.length) items[0].focus();
}

function placeMenu(node, button) {
  const r = button.getBoundingClientRect();
  node.style.position = "fixed";
  node.style.zIndex = "60";
  node.style.maxHeight = `${Math.max(160, window.innerHeight - 24 - r.bottom)}px`;
  node.style.overflowY = "auto";
  const width = Math.min(300, window.innerWidth - 16);
  node.style.width = `${width}px`;
  node.style.left = `${Math.max(8, Math.min(r.right - width, window.innerWidth - width - 8))}px`;
  node.style.top = `${r.bottom + 4}px`;
  if (window.innerHeight - r.bottom < 200 && r.top > 240) {
    node.style.top = "";
    node.style.bottom = `${window.innerHeight - r.top + 4}px`;
    node.style.maxHeight = `${r.top - 24}px`;
  }
}

// ============================================================================ the task pane

const pane = {
  node: null,
  taskId: null,
  pushed: false, // whether opening it added a history entry (then closing goes back)
  comments: new Map(),
  goneComments: new Set(),
  loaded: false, // subtasks and comments fetched (until then the server's markup stays)
  base: {}, // field -> the value last shown from the server
  opener: null,
  loading: null,
};

const PANE_FIELDS = {
  name: { testid: "pane-name", key: "name", from: (t) => t.name, to: (v) => v.trim() },
  status: { testid: "pane-status", key: "status", from: (t) => t.status, to: (v) => v },
  assignee: { testid: "pane-assignee", key: "assigneeId", from: (t) => t.assigneeId || "", to: (v) => v || null },
  due: { testid: "pane-due", key: "dueOn", from: (t) => t.dueOn || "", to: (v) => v || null },
  notes: { testid: "pane-notes", key: "notes", from: (t) => t.notes || "", to: (v) => v },
};

function paneInput(name) {
  return pane.node && byTestId(PANE_FIELDS[name].testid, pane.node);
}

function ensureBackdrop() {
  let backdrop = $(".pane-backdrop");
  if (!backdrop) {
    backdrop = el("a", { class: "pane-backdrop", href: projectUrl(), tabindex: "-1", "aria-hidden": "true" });
    document.body.insertBefore(backdrop, byTestId("notices"));
  }
  return backdrop;
}

async function openPane(taskId, { push = false, replace = false, focus = true } = {}) {
  if (!taskId) return closePane({ fromHistory: true });
  if (store.gone.has(taskId)) {
    notify("That task no longer exists — someone may have deleted it.", { kind: "error" });
    if (pane.node) closePane({ replace: true });
    else history.replaceState({ tasklanePane: null }, "", projectUrl());
    return;
  }
  closeMoveMenu();
  if (pane.taskId === taskId && pane.node) {
    if (focus) focusPane();
    return;
  }
  if (pane.node) flushPane();
  const opener = pane.taskId ? pane.opener : document.activeElement;
  const known = store.tasks.get(taskId);
  let node = byTestId("task-pane");
  if (node && node.dataset.taskId !== taskId) {
    node.remove();
    node = null;
  }
  const adopted = Boolean(node);
  if (!node) {
    node = cloneTemplate("task-pane-template");
    node.dataset.taskId = taskId;
    clear(field(node, "subtasks"));
    clear(field(node, "comments"));
    clear(field(node, "activity"));
    document.body.insertBefore(node, byTestId("notices"));
  }
  ensureBackdrop();
  document.body.classList.add("pane-open");
  pane.node = node;
  pane.taskId = taskId;
  pane.opener = opener;
  pane.comments = new Map();
  pane.goneComments = new Set(); // deleted while the list was loading
  pane.loaded = false;
  pane.base = {};
  if (push) {
    history.pushState({ tasklanePane: taskId, pushed: true }, "", taskUrl(taskId));
    pane.pushed = true;
  } else if (replace) {
    history.replaceState({ tasklanePane: taskId, pushed: false }, "", taskUrl(taskId));
  }
  if (!push) pane.pushed = Boolean(history.state && history.state.pushed);
  bindPane(node, adopted);
  if (known) renderPane();
  if (focus) focusPane();
  await loadPane(taskId);
}

function focusPane() {
  const name = paneInput("name");
  const target = name && !name.readOnly ? name : byTestId("close-pane", pane.node);
  if (target) target.focus({ preventScroll: true });
}

async function loadPane(taskId) {
  const load = Promise.all([
    store.tasks.has(taskId) ? null : api.get(`/api/tasks/${taskId}`),
    api.get(`/api/tasks/${taskId}/subtasks`),
    api.get(`/api/tasks/${taskId}/comments`),
    loadLog().catch(() => null), // without the log the pane still works; Activity stays as it is
  ]);
  pane.loading = load;
  try {
    const [task, subtasks, comments] = await load;
    if (pane.taskId !== taskId) return;
    if (task) store.acceptTask(task);
    for (const sub of subtasks) store.acceptTask(sub);
    // Subtasks deleted elsewhere since: drop the ones the server no longer lists.
    const listed = new Set(subtasks.map((s) => s.id));
    for (const sub of store.subtasksOf(taskId)) if (!listed.has(sub.id) && !sub.provisional) store.tasks.delete(sub.id);
    for (const c of comments) if (!pane.goneComments.has(c.id)) pane.comments.set(c.id, c);
    pane.loaded = true;
    renderPane();
  } catch (err) {
    if (pane.taskId !== taskId) return;
    if (err instanceof ApiError && err.code === "not_found") {
      notify("That task no longer exists — someone may have deleted it.", { kind: "error" });
      closePane({ replace: true });
    } else if (err instanceof ApiError && err.code === "network") {
      // Subtasks, comments and activity load when the connection is back.
      window.addEventListener("online", () => {
        if (pane.taskId === taskId) loadPane(taskId);
      }, { once: true });
    } else {
      notify(humanMessage(err), { kind: "error" });
    }
  }
}

// `fromHistory`: the URL already changed (Back). `replace`: the task is gone, so its URL
// is replaced rather than gone back to (Back would land on a deleted task again).
function closePane({ fromHistory = false, replace = false, restoreFocus = true } = {}) {
  closeMoveMenu();
  if (!pane.node) return;
  flushPane();
  const taskId = pane.taskId;
  const opener = pane.opener;
  pane.node.remove();
  const backdrop = $(".pane-backdrop");
  if (backdrop) backdrop.remove();
  document.body.classList.remove("pane-open");
  pane.node = null;
  pane.taskId = null;
  pane.comments = new Map();
  document.title = baseTitle();
  if (replace) history.replaceState({ tasklanePane: null }, "", projectUrl());
  else if (!fromHistory) {
    if (pane.pushed && history.state && history.state.tasklanePane === taskId) history.back();
    else history.pushState({ tasklanePane: null }, "", projectUrl());
  }
  pane.pushed = false;
  if (restoreFocus) {
    const row = rowEls.get(taskId);
    const target = (opener && opener.isConnected && opener) || (row && field(row, "name")) || $("#main");
    if (target) target.focus({ preventScroll: true });
  }
}

// Saves what is typed but not yet saved (a name or notes field left by closing the pane).
function flushPane() {
  if (!pane.node || !pane.taskId) return;
  for (const name of ["name", "notes"]) {
    const input = paneInput(name);
    if (input && !input.readOnly && input.value !== pane.base[name]) savePaneField(name);
  }
}

function bindPane(node, adopted) {
  if (node._bound) return;
  node._bound = true;
  const form = field(node, "task-form");
  if (form) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      for (const name of Object.keys(PANE_FIELDS)) {
        const input = paneInput(name);
        if (input && input.value !== pane.base[name]) savePaneField(name);
      }
    });
  }
  for (const name of Object.keys(PANE_FIELDS)) {
    const input = byTestId(PANE_FIELDS[name].testid, node);
    if (!input) continue;
    input.addEventListener("change", () => savePaneField(name));
    input.addEventListener("input", () => clearFieldError(input));
    if (name === "name") {
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          savePaneField("name");
        }
      });
    }
    if (name === "notes") {
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          savePaneField("notes");
        }
      });
    }
  }
  const close = byTestId("close-pane", node);
  if (close) {
    close.addEventListener("click", (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey) return;
      e.preventDefault();
      closePane();
    });
  }
  node.addEventListener("click", (e) => {
    const link = e.target.closest('a[data-field="name"], a[data-field="parent"]');
    if (link && e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey) {
      const id = taskIdFromPath(new URL(link.href, location.href).pathname);
      if (id) {
        e.preventDefault();
        openPane(id, { push: true });
      }
      return;
    }
    const action = e.target.closest("[data-action]");
    if (!action) return;
    const comment = action.closest('[data-testid="comment"]');
    if (action.dataset.action === "edit-comment" && comment) editComment(comment);
    if (action.dataset.action === "delete-comment" && comment) deleteComment(comment, action);
  });
  node.addEventListener("change", (e) => {
    const check = e.target.closest('[data-testid="subtask-complete"]');
    const row = check && check.closest('[data-testid="subtask"]');
    if (!row) return;
    completeSubtask(row, check);
  });
  const addSub = byTestId("add-subtask-input", node);
  if (addSub && addSub.form) {
    addSub.form.addEventListener("submit", (e) => {
      e.preventDefault();
      addSubtask(addSub);
    });
    addSub.addEventListener("input", () => clearFieldError(addSub));
  }
  const commentInput = byTestId("comment-input", node);
  if (commentInput && commentInput.form) {
    commentInput.form.addEventListener("submit", (e) => {
      e.preventDefault();
      addComment(commentInput);
    });
    commentInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        addComment(commentInput);
      }
    });
    commentInput.addEventListener("input", () => clearFieldError(commentInput));
  }
  if (adopted) {
    // The server rendered the pane; its values are the base until the store says more.
    for (const name of Object.keys(PANE_FIELDS)) {
      const input = byTestId(PANE_FIELDS[name].testid, node);
      if (input) pane.base[name] = input.value;
    }
  }
}

function setPaneForm(node, taskId) {
  const base = `/projects/${projectId}/tasks/${taskId}`;
  const form = field(node, "task-form");
  if (form) form.setAttribute("action", base);
  const sub = byTestId("add-subtask-input", node);
  if (sub && sub.form) sub.form.setAttribute("action", `${base}/subtasks`);
  const ci = byTestId("comment-input", node);
  if (ci && ci.form) ci.form.setAttribute("action", `${base}/comments`);
  const close = byTestId("close-pane", node);
  if (close) close.setAttribute("href", projectUrl());
}

function renderCrumbs(task) {
  const crumbs = pane.node.querySelector(".pane-crumbs");
  if (!crumbs) return;
  const parent = task.parentId ? store.tasks.get(task.parentId) : null;
  const wanted = task.parentId ? `parent:${task.parentId}:${parent ? parent.name : ""}` : `project:${store.project.name}`;
  if (crumbs._shown === wanted) return;
  crumbs._shown = wanted;
  clear(crumbs);
  if (task.parentId) {
    crumbs.append(el("a", {
      class: "pane-parent", "data-field": "parent", href: taskUrl(task.parentId),
      text: `\u2191 ${parent ? parent.name : "Parent task"}`,
    }));
    if (!parent) {
      api.get(`/api/tasks/${task.parentId}`).then((p) => {
        store.acceptTask(p);
        crumbs._shown = null;
        if (pane.taskId === task.id) renderCrumbs(task);
      }).catch(() => {});
    }
  } else {
    crumbs.append(el("span", { class: "subtle", text: store.project.name }));
  }
}

function renderAssigneeOptions(select, value) {
  const want = ["", ...[...store.members.values()].map((m) => m.userId)];
  if (value && !want.includes(value)) want.push(value);
  const have = [...select.options].map((o) => o.value);
  if (have.length === want.length && have.every((v, i) => v === want[i])) {
    for (const o of select.options) if (o.value) setText(o, store.name(o.value));
    return;
  }
  const keep = select.value;
  clear(select);
  select.append(el("option", { value: "", text: "Unassigned" }));
  for (const id of want.slice(1)) select.append(el("option", { value: id, text: store.name(id) }));
  select.value = keep;
}

// Shows the store's task in the pane, never overwriting what the reader is typing.
function renderPane({ actorId = null, changed = [] } = {}) {
  const task = store.tasks.get(pane.taskId);
  if (!pane.node || !task) return;
  const node = pane.node;
  node.dataset.taskId = task.id;
  setPaneForm(node, task.id);
  renderCrumbs(task);
  document.title = `${task.name} \u00b7 ${baseTitle()}`;
  const canEdit = store.canEdit();

  const assignee = paneInput("assignee");
  if (assignee) renderAssigneeOptions(assignee, task.assigneeId || "");

  for (const [name, spec] of Object.entries(PANE_FIELDS)) {
    const input = paneInput(name);
    if (!input) continue;
    if (input.tagName === "SELECT") input.disabled = !canEdit;
    else input.readOnly = !canEdit;
    const value = spec.from(task);
    const base = pane.base[name];
    const editing = input === document.activeElement && input.tagName !== "SELECT";
    const dirty = base !== undefined && input.value !== base;
    if ((editing || dirty) && input.value !== value) {
      if (actorId && actorId !== me.id && changed.includes(spec.key) && value !== base) {
        showRemoteNote(input, store.firstName(actorId));
      }
      pane.base[name] = value;
      continue;
    }
    if (input.value !== value) input.value = value;
    pane.base[name] = value;
    if (!editing) clearRemoteNote(input);
  }

  renderSubtasks(task);
  renderComments();
  renderActivity();
}

async function savePaneField(name) {
  const spec = PANE_FIELDS[name];
  const input = paneInput(name);
  const taskId = pane.taskId;
  if (!input || !taskId || input.readOnly || input.disabled) return;
  const task = store.tasks.get(taskId);
  if (!task) return;
  const value = spec.to(input.value);
  if (name === "name" && !value) {
    showFieldError(input, "Enter a name.");
    return;
  }
  if ((value ?? "") === (spec.from(task) ?? "")) {
    clearFieldError(input);
    clearRemoteNote(input);
    pane.base[name] = spec.from(task);
    return;
  }
  clearFieldError(input);
  input.setAttribute("aria-busy", "true");
  try {
    const saved = await write.patch(`/api/tasks/${taskId}`, { [spec.key]: value });
    store.acceptTask(saved);
    if (pane.taskId === taskId) {
      pane.base[name] = spec.from(store.tasks.get(taskId) || saved);
      clearRemoteNote(input);
    }
    render();
  } catch (err) {
    if (pane.taskId !== taskId) {
      notify(humanMessage(err), { kind: "error" });
      return;
    }
    showFieldError(input, humanMessage(err));
    if (input.tagName === "SELECT") {
      input.value = spec.from(task);
      pane.base[name] = input.value;
    }
  } finally {
    input.removeAttribute("aria-busy");
  }
}

// ---------------------------------------------------------------------------- subtasks

const subtaskEls = new Map();

function renderSubtasks(task) {
  const list = field(pane.node, "subtasks");
  if (!list || !pane.loaded) return;
  dropWhitespace(list);
  const subs = store.subtasksOf(task.id);
  const existing = new Map($$('[data-testid="subtask"]', list).map((n) => [n.dataset.taskId, n]));
  let prev = null;
  for (const sub of subs) {
    let node = existing.get(sub.id);
    existing.delete(sub.id);
    if (!node) node = cloneTemplate("subtask-template");
    node.dataset.taskId = sub.id;
    node.dataset.status = sub.status;
    node.classList.toggle("is-done", sub.completed);
    const check = field(node, "complete");
    if (check) {
      check.checked = sub.completed;
      check.disabled = !store.canEdit();
      check.setAttribute("aria-label", `Mark \u201c${sub.name}\u201d complete`);
    }
    const name = field(node, "name");
    if (name) {
      setText(name, sub.name);
      name.setAttribute("href", taskUrl(sub.id));
    }
    const expected = prev ? prev.nextElementSibling : list.firstElementChild;
    if (node !== expected) list.insertBefore(node, expected);
    prev = node;
    subtaskEls.set(sub.id, node);
  }
  for (const [, node] of existing) node.remove();
  setText(field(pane.node, "subtask-count"), subs.length);
  const addSub = byTestId("add-subtask-input", pane.node);
  if (addSub && addSub.form) addSub.form.hidden = !store.canEdit();
}

async function completeSubtask(row, check) {
  const id = row.dataset.taskId;
  try {
    const saved = await write.patch(`/api/tasks/${id}`, { status: check.checked ? "done" : "todo" });
    store.acceptTask(saved);
    clearFieldError(check);
  } catch (err) {
    check.checked = !check.checked;
    showFieldError(check, humanMessage(err), { within: row });
  }
  renderPane();
}

async function addSubtask(input) {
  const name = input.value.trim();
  const parentId = pane.taskId;
  clearServerErrors(input.form);
  clearFieldError(input);
  if (!name) return;
  input.value = "";
  input.focus();
  try {
    const sub = await write.post(`/api/tasks/${parentId}/subtasks`, { name });
    store.acceptTask(sub);
    if (pane.taskId === parentId) renderPane();
  } catch (err) {
    if (!input.value) input.value = name;
    showFieldError(input, humanMessage(err));
  }
}

// ---------------------------------------------------------------------------- comments

function renderComments() {
  const list = field(pane.node, "comments");
  if (!list || !pane.loaded) return; // the server's comments stay until ours arrive
  dropWhitespace(list);
  const comments = [...pane.comments.values()].sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1);
  const existing = new Map($$('[data-testid="comment"]', list).map((n) => [n.dataset.commentId, n]));
  let prev = null;
  for (const c of comments) {
    let node = existing.get(c.id);
    existing.delete(c.id);
    if (!node) node = cloneTemplate("comment-template");
    fillComment(node, c);
    const expected = prev ? prev.nextElementSibling : list.firstElementChild;
    if (node !== expected) list.insertBefore(node, expected);
    prev = node;
  }
  for (const [, node] of existing) node.remove();
  const ci = byTestId("comment-input", pane.node);
  if (ci && ci.form) ci.form.hidden = !store.canComment();
}

function fillComment(node, c) {
  node.dataset.commentId = c.id;
  node.dataset.authorId = c.authorId;
  const person = store.person(c.authorId);
  const avatarEl = field(node, "author-initials");
  if (avatarEl) {
    setText(avatarEl, initials(person.name));
    setHue(avatarEl, c.authorId);
  }
  setText(field(node, "author"), person.name);
  const time = field(node, "time");
  if (time) {
    time.setAttribute("datetime", c.createdAt);
    time.setAttribute("data-relative-time", c.createdAt);
    time.title = new Date(c.createdAt).toLocaleString();
    setText(time, relativeTime(c.createdAt));
  }
  const edited = field(node, "edited");
  if (edited) edited.hidden = !c.editedAt;
  const text = field(node, "text");
  if (node._editing) {
    if (c.text !== node._editing.from && c.text !== node._editing.input.value) {
      showRemoteNote(node._editing.input, store.firstName(c.authorId));
    }
  } else {
    setText(text, c.text);
  }
  const actions = field(node, "actions");
  if (actions) actions.hidden = c.authorId !== me.id || Boolean(node._editing);
}

async function addComment(input) {
  const text = input.value.trim();
  const taskId = pane.taskId;
  clearServerErrors(input.form);
  clearFieldError(input);
  if (!text) {
    showFieldError(input, "Write something first.");
    return;
  }
  const submit = byTestId("comment-submit", pane.node);
  if (submit) submit.disabled = true;
  try {
    const c = await write.post(`/api/tasks/${taskId}/comments`, { text });
    if (pane.taskId === taskId) {
      pane.comments.set(c.id, c);
      if (input.value.trim() === text) input.value = "";
      renderComments();
    }
  } catch (err) {
    showFieldError(input, humanMessage(err));
  } finally {
    if (submit) submit.disabled = false;
  }
}

function editComment(node) {
  const id = node.dataset.commentId;
  const c = pane.comments.get(id);
  if (!c || node._editing) return;
  const text = field(node, "text");
  const input = el("textarea", {
    class: "comment-edit", "data-testid": "comment-edit-input", rows: "3", maxlength: "10000",
    "aria-label": "Edit comment",
  });
  input.value = c.text;
  const save = el("button", { type: "button", class: "button primary small", "data-testid": "comment-edit-save", text: "Save" });
  const cancel = el("button", { type: "button", class: "button small", "data-testid": "comment-edit-cancel", text: "Cancel" });
  const box = el("div", { class: "comment-editor" }, input, el("div", { class: "form-actions" }, save, cancel));
  text.hidden = true;
  text.insertAdjacentElement("afterend", box);
  node._editing = { input, from: c.text };
  const actions = field(node, "actions");
  if (actions) actions.hidden = true;
  input.focus();
  const stop = () => {
    node._editing = null;
    box.remove();
    text.hidden = false;
    const now = pane.comments.get(id);
    if (now) fillComment(node, now);
    const edit = node.querySelector('[data-action="edit-comment"]');
    if (edit) edit.focus();
  };
  const commit = async () => {
    const value = input.value.trim();
    if (!value) {
      showFieldError(input, "Write something, or delete the comment instead.");
      return;
    }
    if (value === pane.comments.get(id)?.text) return stop();
    save.disabled = true;
    try {
      const saved = await write.patch(`/api/comments/${id}`, { text: value });
      pane.comments.set(id, saved);
      stop();
    } catch (err) {
      save.disabled = false;
      showFieldError(input, humanMessage(err));
    }
  };
  save.addEventListener("click", commit);
  cancel.addEventListener("click", stop);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      commit();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      stop();
    }
  });
}

async function deleteComment(node, button) {
  const id = node.dataset.commentId;
  button.disabled = true;
  try {
    await write.del(`/api/comments/${id}`);
    pane.comments.delete(id);
    const next = node.nextElementSibling || node.previousElementSibling;
    node.remove();
    renderComments();
    const focusTo = (next && next.querySelector('[data-action="edit-comment"]')) || byTestId("comment-input", pane.node);
    if (focusTo) focusTo.focus();
  } catch (err) {
    button.disabled = false;
    showFieldError(button, humanMessage(err));
  }
}

// ---------------------------------------------------------------------------- activity

const eventLog = { loaded: false, loading: null, events: new Map() }; // seq -> event

function loadLog() {
  if (eventLog.loaded) return Promise.resolve();
  if (!eventLog.loading) {
    eventLog.loading = getEvents(projectId, { after: 0 })
      .then(({ events }) => {
        for (const e of events) eventLog.events.set(e.seq, e);
        eventLog.loaded = true;
      })
      .catch((err) => {
        eventLog.loading = null;
        throw err;
      });
  }
  return eventLog.loading;
}

function renderActivity() {
  const list = field(pane.node, "activity");
  if (!list || !eventLog.loaded) return;
  dropWhitespace(list);
  const items = [];
  for (const e of [...eventLog.events.values()].sort((a, b) => a.seq - b.seq)) {
    const phrase = describe(e, pane.taskId);
    if (phrase) items.push({ seq: String(e.seq), text: `${store.name(e.userId)} ${phrase}`, at: e.timestamp });
  }
  const existing = new Map($$('[data-testid="activity-item"]', list).map((n) => [n.dataset.seq, n]));
  let prev = null;
  for (const item of items) {
    let node = existing.get(item.seq);
    existing.delete(item.seq);
    if (!node) node = cloneTemplate("activity-template");
    node.dataset.seq = item.seq;
    setText(field(node, "text"), item.text);
    const time = field(node, "time");
    if (time) {
      time.setAttribute("datetime", item.at);
      time.setAttribute("data-relative-time", item.at);
      time.title = new Date(item.at).toLocaleString();
      setText(time, relativeTime(item.at));
    }
    const expected = prev ? prev.nextElementSibling : list.firstElementChild;
    if (node !== expected) list.insertBefore(node, expected);
    prev = node;
  }
  for (const [, node] of existing) node.remove();
}

// ============================================================================ live events

let resyncing = false;

function flashTask(id) {
  const node = rowEls.get(id);
  if (node) flash(node);
  const sub = pane.node && $(`[data-testid="subtask"][data-task-id="${CSS.escape(id)}"]`, pane.node);
  if (sub) flash(sub);
}

function onEvent(e) {
  if (e.projectId !== projectId || resyncing) return;
  if (e.seq <= store.seq) return;
  store.seq = e.seq;
  if (eventLog.loaded || eventLog.loading) eventLog.events.set(e.seq, e);
  try {
    apply(e);
  } finally {
    scheduleRender();
  }
}

function apply(e) {
  const d = e.data || {};
  const byOther = e.userId && e.userId !== me.id;
  switch (e.type) {
    case "task_created":
    case "task_updated":
    case "task_status_changed": {
      const wasShown = signature(store.tasks.get(d.taskId));
      const after = store.eventTask(d.task);
      store.rerank(d.reranked, store.tasks);
      if (e.type === "task_created" && d.task.parentId) store.bump(d.task.parentId, "subtaskCount", +1);
      if (!after) return;
      if (signature(after) !== wasShown && !isOwnEcho(e)) queueMicrotask(() => flashTask(after.id));
      if (e.type === "task_status_changed" && byOther) {
        notify(`${store.firstName(e.userId)} moved '${after.name}' to ${STATUS_LABELS[d.newStatus] || d.newStatus}`);
      }
      if (renaming.has(after.id) && byOther && (d.changes || []).includes("name")) {
        const input = renaming.get(after.id);
        if (input.value.trim() !== after.name) {
          showRemoteNote(input, store.firstName(e.userId), { within: rowErrorSpot(rowEls.get(after.id)) });
        }
      }
      if (pane.taskId === after.id) {
        queueMicrotask(() => renderPane({ actorId: e.userId, changed: d.changes || [] }));
      }
      return;
    }
    case "task_deleted": {
      const task = store.tasks.get(d.taskId);
      store.removeTask(d.taskId, d.deletedSubtaskIds || []);
      if (d.parentId) store.bump(d.parentId, "subtaskCount", -1);
      if (pane.taskId && (pane.taskId === d.taskId || (d.deletedSubtaskIds || []).includes(pane.taskId))) {
        const who = byOther ? ` by ${store.firstName(e.userId)}` : "";
        notify(`'${task ? task.name : "This task"}' was deleted${who}.`);
        closePane({ replace: true });
      }
      return;
    }
    case "section_created":
    case "section_updated":
      store.sections.set(d.section.id, d.section);
      store.rerank(d.reranked, store.sections);
      return;
    case "section_deleted":
      store.sections.delete(d.sectionId);
      return;
    case "comment_created":
    case "comment_updated":
      if (e.type === "comment_created") store.bump(d.taskId, "commentCount", +1);
      if (pane.taskId === d.taskId) {
        const had = pane.comments.get(d.commentId);
        pane.comments.set(d.commentId, d.comment);
        if (byOther && (!had || had.text !== d.comment.text)) {
          queueMicrotask(() => {
            const node = pane.node && $(`[data-comment-id="${CSS.escape(d.commentId)}"]`, pane.node);
            if (node) flash(node);
          });
        }
      }
      if (e.type === "comment_created" && byOther) queueMicrotask(() => flashTask(d.taskId));
      return;
    case "comment_deleted":
      store.bump(d.taskId, "commentCount", -1);
      if (pane.taskId === d.taskId) {
        pane.comments.delete(d.commentId);
        pane.goneComments.add(d.commentId);
      }
      return;
    case "project_updated":
      applyProject(d.project, e.userId, d.changes || []);
      return;
    case "project_deleted":
      notify("This project was deleted.", { kind: "error", timeout: 0 });
      return;
    case "member_added":
    case "member_updated":
      store.members.set(d.userId, d.member);
      store.people.set(d.userId, d.member.user.name);
      if (d.userId === me.id && d.member.role !== store.project.role) {
        store.project = { ...store.project, role: d.member.role };
        roleChanged(e.userId);
      }
      return;
    case "member_removed":
      store.members.delete(d.userId);
      return;
    default:
  }
}

function roleChanged(byUserId) {
  const role = store.project.role;
  const words = { owner: "an owner", editor: "an editor", commenter: "a commenter", viewer: "a viewer" }[role] || role;
  const editable = store.canEdit();
  const hasForms = Boolean($('[data-field="add-task-form"]'));
  if (editable && !hasForms) {
    notify(`${store.firstName(byUserId)} made you ${words}. Reload the page to start editing.`, { timeout: 10000 });
  } else {
    notify(`${store.firstName(byUserId)} made you ${words}.`);
  }
}

function applyProject(project, actorId, changes) {
  store.project = { ...store.project, ...project };
  const h1 = byTestId("project-name");
  if (h1 && !projectRename) setText(h1, project.name);
  if (projectRename && actorId !== me.id && changes.includes("name") && projectRename.value.trim() !== project.name) {
    showRemoteNote(projectRename, store.firstName(actorId));
  }
  const link = $(`nav [data-project-id="${CSS.escape(projectId)}"]`);
  if (link) {
    setText(field(link, "name"), project.name);
    const dot = $(".dot", link);
    if (dot) dot.style.setProperty("--dot", project.color);
  }
  const dot = $(".project-header .dot");
  if (dot) dot.style.setProperty("--dot", project.color);
  document.title = pane.taskId && store.tasks.get(pane.taskId)
    ? `${store.tasks.get(pane.taskId).name} \u00b7 ${baseTitle()}` : baseTitle();
  if (h1 && changes.includes("name")) flash(h1);
}

// Reloads sections and tasks from the API when the log cannot serve our cursor.
async function resync() {
  if (resyncing) return;
  resyncing = true;
  try {
    const project = await api.get(`/api/projects/${projectId}`);
    const [sections, tasks, members] = await Promise.all([
      api.get(`/api/projects/${projectId}/sections`),
      getAllPages(`/api/projects/${projectId}/tasks`),
      api.get(`/api/projects/${projectId}/members`),
    ]);
    store.reset({ project, sections, tasks, members });
    store.gone.clear();
    eventLog.loaded = false;
    eventLog.loading = null;
    eventLog.events.clear();
    applyProject(project, null, []);
    resyncing = false;
    render();
    if (pane.taskId) loadPane(pane.taskId);
    if (rt) rt.setCursor(projectId, project.seq);
  } catch (err) {
    resyncing = false;
    notify(`Couldn't reload the project: ${humanMessage(err)}`, { kind: "error" });
    setTimeout(resync, 5000);
  }
}

// ============================================================================ status and presence

const STATUS_TEXT = {
  ws: "Live",
  sse: "Live (fallback: SSE)",
  poll: "Live (polling)",
};

function renderStatus(s) {
  const indicator = byTestId("status-indicator");
  const retry = byTestId("retry-now");
  if (!indicator) return;
  let text;
  let hint = "";
  if (s.state === "live") {
    text = STATUS_TEXT[s.transport] || "Live";
    hint = s.transport === "ws" ? "Changes by others appear as they happen." : "Connected through a slower fallback; changes still arrive.";
  } else if (s.state === "reconnecting") {
    const seconds = Math.max(1, Math.ceil((s.retryInMs || 0) / 1000));
    text = `Reconnecting in ${seconds} s\u2026`;
    hint = "The connection dropped; nothing is lost, changes arrive when it is back.";
  } else if (s.state === "offline") {
    text = "Offline";
    hint = "Others' changes arrive when the connection returns.";
  } else {
    text = "Connecting\u2026";
  }
  setText(indicator, text);
  indicator.dataset.state = s.state;
  indicator.dataset.transport = s.transport || "";
  indicator.title = hint;
  if (retry) retry.hidden = !(s.state === "reconnecting" || (s.state === "offline" && s.reason !== "closed"));
}

function renderPresence({ projectId: pid, users }) {
  if (pid !== projectId) return;
  const box = byTestId("presence");
  if (!box) return;
  for (const u of users) store.people.set(u.userId, store.people.get(u.userId) || u.name);
  const existing = new Map(allByTestId("presence-avatar", box).map((n) => [n.dataset.userId, n]));
  let prev = null;
  for (const u of users) {
    let node = existing.get(u.userId);
    existing.delete(u.userId);
    if (!node) node = cloneTemplate("presence-avatar-template") || el("span", { class: "avatar present", "data-testid": "presence-avatar" });
    node.dataset.userId = u.userId;
    node.title = u.name;
    node.setAttribute("aria-label", u.name);
    node.setAttribute("role", "img");
    setText(node, initials(u.name));
    setHue(node, u.userId);
    const expected = prev ? prev.nextElementSibling : box.firstElementChild;
    if (node !== expected) box.insertBefore(node, expected);
    prev = node;
  }
  for (const [, node] of existing) node.remove();
  box.setAttribute("aria-label", users.length ? `Viewing now: ${users.map((u) => u.name).join(", ")}` : "Viewing now");
}

function onLeft({ projectId: pid, reason }) {
  if (pid !== projectId) return;
  if (reason === "project_deleted") {
    notify("This project was deleted. Taking you home…", { kind: "error", timeout: 0 });
    setTimeout(() => location.assign("/"), 2500);
  } else if (reason === "access_revoked" || reason === "forbidden" || reason === "not_found") {
    notify("You no longer have access to this project.", { kind: "error", timeout: 0 });
    store.project = { ...store.project, role: "viewer" };
    render();
  }
}

// ============================================================================ project rename (owners)

let projectRename = null;

function bindProjectRename() {
  const button = $('[data-action="rename-project"]');
  const h1 = byTestId("project-name");
  if (!button || !h1) return;
  const start = () => {
    if (projectRename || !store.canManage()) return;
    const input = el("input", {
      type: "text", class: "project-rename", "data-testid": "project-name-input",
      "aria-label": "Project name", maxlength: "200", autocomplete: "off",
    });
    input.value = store.project.name;
    h1.hidden = true;
    button.hidden = true;
    h1.insertAdjacentElement("afterend", input);
    projectRename = input;
    input.focus();
    input.select();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      projectRename = null;
      clearFieldError(input);
      clearRemoteNote(input);
      input.remove();
      h1.hidden = false;
      button.hidden = false;
      setText(h1, store.project.name);
      button.focus();
    };
    const save = async () => {
      const name = input.value.trim();
      if (!name) return showFieldError(input, "Enter a name.");
      if (name === store.project.name) return finish();
      input.disabled = true;
      try {
        const saved = await write.patch(`/api/projects/${projectId}`, { name });
        applyProject(saved, me.id, []);
        finish();
      } catch (err) {
        input.disabled = false;
        input.focus();
        showFieldError(input, humanMessage(err));
      }
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        save();
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        finish();
      }
    });
    input.addEventListener("blur", () => {
      if (!done && !input.disabled) save();
    });
  };
  button.addEventListener("click", start);
  h1.addEventListener("dblclick", start);
}

// ============================================================================ keyboard and history

function bindGlobal() {
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    if (menu) {
      closeMoveMenu({ focusButton: true });
      e.preventDefault();
      return;
    }
    if (pane.node) {
      e.preventDefault();
      closePane();
    }
  });
  document.addEventListener("click", (e) => {
    const backdrop = e.target.closest && e.target.closest(".pane-backdrop");
    if (backdrop && pane.node) {
      e.preventDefault();
      closePane();
    }
  });
  window.addEventListener("popstate", () => {
    const id = taskIdFromPath(location.pathname);
    if (id) openPane(id, { focus: true });
    else if (pane.node) closePane({ fromHistory: true });
  });
}

// ============================================================================ start

let rt = null;

async function connect() {
  let RealtimeClient;
  try {
    ({ RealtimeClient } = await import("/static/js/realtime.js"));
  } catch (err) {
    renderStatus({ state: "offline", transport: "ws", reason: "the realtime client could not load" });
    console.warn("Tasklane: realtime client unavailable", err);
    return;
  }
  rt = new RealtimeClient({ gateway: page.gateway, api: "" });
  window.tasklaneRealtime = rt;
  rt.on("status", renderStatus);
  rt.on("event", onEvent);
  rt.on("presence", renderPresence);
  rt.on("resync", ({ projectId: pid }) => {
    if (pid === projectId) resync();
  });
  rt.on("left", onLeft);
  renderStatus(rt.status && rt.status.state !== "offline" ? rt.status : { state: "connecting", transport: "ws" });
  rt.join(projectId, store.seq);
}

function start() {
  store.reset({
    project: page.project,
    sections: page.sections || [],
    tasks: page.tasks || [],
    members: page.members || [],
  });
  adopt();
  bindView();
  bindProjectRename();
  bindGlobal();
  render();
  startRelativeTimeTicker();
  if (page.openTaskId) {
    history.replaceState({ tasklanePane: page.openTaskId, pushed: false }, "", location.href);
    openPane(page.openTaskId, { focus: true });
  }
  connect();
}

if (projectId) start();
