// The task pane: opens from the right with the task's address in the URL (so it can be
// linked and reloaded), closes with Esc, the × or Back. Its fields save as they change;
// what the reader is typing is never overwritten by someone else's change (a note says
// so instead). Subtasks live here; comments and activity have their own modules.

import { ApiError, humanMessage } from "../api.js";
import {
  $, byTestId, field, el, clear, setText, cloneTemplate, syncList, notify, flash,
  showFieldError, clearFieldError, clearServerErrors, showRemoteNote, clearRemoteNote,
} from "../ui.js";
import { me, projectId, onBoard, projectUrl, taskUrl, taskIdFromPath } from "./context.js";
import { store } from "./store.js";
import { calls } from "./own-changes.js";
import { render, rowEls, afterRender } from "./view.js";
import { closeMoveMenu } from "./board-view.js";
import { openThread, closeThread, loadThread, renderComments, bindComments } from "./comments.js";
import { loadLog, renderActivity } from "./activity.js";

const pane = {
  node: null,
  taskId: null,
  pushed: false, // whether opening it added a history entry (then closing goes back)
  loaded: false, // subtasks and comments fetched (until then the server's markup stays)
  base: {}, // field -> the value last shown from the server
  opener: null,
};

const PANE_FIELDS = {
  name: { testid: "pane-name", key: "name", from: (t) => t.name, to: (v) => v.trim() },
  status: { testid: "pane-status", key: "status", from: (t) => t.status, to: (v) => v },
  assignee: { testid: "pane-assignee", key: "assigneeId", from: (t) => t.assigneeId || "", to: (v) => v || null },
  due: { testid: "pane-due", key: "dueOn", from: (t) => t.dueOn || "", to: (v) => v || null },
  notes: { testid: "pane-notes", key: "notes", from: (t) => t.notes || "", to: (v) => v },
};

export function openTaskId() {
  return pane.taskId;
}

export function isPaneOpen() {
  return pane.node !== null;
}

function paneInput(name) {
  return pane.node && byTestId(PANE_FIELDS[name].testid, pane.node);
}

const baseTitle = () => `${store.project.name}${onBoard ? " (Board)" : ""} · Tasklane`;

// The page title: the open task's name, then the project's.
export function refreshTitle() {
  const task = pane.taskId && store.tasks.get(pane.taskId);
  document.title = task ? `${task.name} \u00b7 ${baseTitle()}` : baseTitle();
}

function ensureBackdrop() {
  let backdrop = $(".pane-backdrop");
  if (!backdrop) {
    backdrop = el("a", { class: "pane-backdrop", href: projectUrl(), tabindex: "-1", "aria-hidden": "true" });
    document.body.insertBefore(backdrop, byTestId("notices"));
  }
  return backdrop;
}

// ---------------------------------------------------------------------------- open and close

export async function openPane(taskId, { push = false, replace = false, focus = true } = {}) {
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
  Object.assign(pane, { node, taskId, opener, loaded: false, base: {} });
  openThread(taskId, node);
  if (push) {
    history.pushState({ tasklanePane: taskId, pushed: true }, "", taskUrl(taskId));
    pane.pushed = true;
  } else if (replace) {
    history.replaceState({ tasklanePane: taskId, pushed: false }, "", taskUrl(taskId));
  }
  if (!push) pane.pushed = Boolean(history.state && history.state.pushed);
  bindPane(node, adopted);
  if (store.tasks.has(taskId)) renderPane();
  if (focus) focusPane();
  await loadPane(taskId);
}

function focusPane() {
  const name = paneInput("name");
  const target = name && !name.readOnly ? name : byTestId("close-pane", pane.node);
  if (target) target.focus({ preventScroll: true });
}

export async function loadPane(taskId) {
  try {
    const [task, subtasks, comments] = await Promise.all([
      store.tasks.has(taskId) ? null : calls.tasks.get(taskId),
      calls.tasks.subtasks(taskId),
      calls.comments.list(taskId),
      loadLog().catch(() => null), // without the log the pane still works; Activity stays as it is
    ]);
    if (pane.taskId !== taskId) return;
    if (task) store.acceptTask(task);
    for (const sub of subtasks) store.acceptTask(sub);
    // Subtasks deleted elsewhere since: drop the ones the server no longer lists.
    const listed = new Set(subtasks.map((s) => s.id));
    for (const sub of store.subtasksOf(taskId)) if (!listed.has(sub.id) && !sub.provisional) store.tasks.delete(sub.id);
    loadThread(comments);
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
export function closePane({ fromHistory = false, replace = false, restoreFocus = true } = {}) {
  closeMoveMenu();
  if (!pane.node) return;
  flushPane();
  const { taskId, opener } = pane;
  pane.node.remove();
  const backdrop = $(".pane-backdrop");
  if (backdrop) backdrop.remove();
  document.body.classList.remove("pane-open");
  pane.node = null;
  pane.taskId = null;
  closeThread();
  refreshTitle();
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
    // Enter saves the name; Ctrl/⌘+Enter the notes.
    if (name === "name" || name === "notes") {
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && (name === "name" || e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          savePaneField(name);
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
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const id = taskIdFromPath(new URL(link.href, location.href).pathname);
    if (id) {
      e.preventDefault();
      openPane(id, { push: true });
    }
  });
  node.addEventListener("change", (e) => {
    const check = e.target.closest('[data-testid="subtask-complete"]');
    const row = check && check.closest('[data-testid="subtask"]');
    if (row) completeSubtask(row, check);
  });
  const addSub = byTestId("add-subtask-input", node);
  if (addSub && addSub.form) {
    addSub.form.addEventListener("submit", (e) => {
      e.preventDefault();
      addSubtask(addSub);
    });
    addSub.addEventListener("input", () => clearFieldError(addSub));
  }
  bindComments(node);
  if (adopted) {
    // The server rendered the pane; its values are the base until the store says more.
    for (const name of Object.keys(PANE_FIELDS)) {
      const input = byTestId(PANE_FIELDS[name].testid, node);
      if (input) pane.base[name] = input.value;
    }
  }
}

// ---------------------------------------------------------------------------- drawing

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
      calls.tasks.get(task.parentId).then((p) => {
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
// `actorId` and `changed` (an event's) say who changed which fields, for the note.
export function renderPane({ actorId = null, changed = [] } = {}) {
  const task = store.tasks.get(pane.taskId);
  if (!pane.node || !task) return;
  const node = pane.node;
  node.dataset.taskId = task.id;
  setPaneForm(node, task.id);
  renderCrumbs(task);
  refreshTitle();
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
  const notes = paneInput("notes");
  if (notes) notes.placeholder = canEdit ? "Add details, links or a checklist…" : "No notes.";

  renderSubtasks(task);
  renderComments();
  renderActivity(node, task.id);
}

afterRender(() => {
  if (pane.taskId) renderPane();
});

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
    const saved = await calls.tasks.update(taskId, { [spec.key]: value });
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

function renderSubtasks(task) {
  const list = field(pane.node, "subtasks");
  if (!list || !pane.loaded) return;
  const subs = store.subtasksOf(task.id);
  const canEdit = store.canEdit();
  syncList(list, subs, {
    selector: '[data-testid="subtask"]',
    key: (sub) => sub.id,
    keyOf: (node) => node.dataset.taskId,
    create: () => cloneTemplate("subtask-template"),
    fill: (node, sub) => {
      node.dataset.taskId = sub.id;
      node.dataset.status = sub.status;
      node.classList.toggle("is-done", sub.completed);
      const check = field(node, "complete");
      if (check) {
        check.checked = sub.completed;
        check.disabled = !canEdit;
        check.setAttribute("aria-label", `Mark \u201c${sub.name}\u201d complete`);
      }
      const name = field(node, "name");
      if (name) {
        setText(name, sub.name);
        name.setAttribute("href", taskUrl(sub.id));
      }
    },
  });
  setText(field(pane.node, "subtask-count"), subs.length);
  const addSub = byTestId("add-subtask-input", pane.node);
  if (addSub && addSub.form) addSub.form.hidden = !canEdit;
}

async function completeSubtask(row, check) {
  const id = row.dataset.taskId;
  try {
    store.acceptTask(await calls.tasks.update(id, { status: check.checked ? "done" : "todo" }));
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
    store.acceptTask(await calls.tasks.createSubtask(parentId, { name }));
    if (pane.taskId === parentId) renderPane();
  } catch (err) {
    if (!input.value) input.value = name;
    showFieldError(input, humanMessage(err));
  }
}

// Flashes the open task's line for a subtask that changed.
export function flashSubtask(id) {
  const sub = pane.node && $(`[data-testid="subtask"][data-task-id="${CSS.escape(id)}"]`, pane.node);
  if (sub) flash(sub);
}

// ---------------------------------------------------------------------------- live

// What an event means for the open pane: a deleted task closes it (with a word of why);
// a change to it redraws it, noting fields someone else changed under the reader.
export function applyToPane(e, change, byOther) {
  const d = e.data || {};
  if (!pane.taskId) return;
  if (e.type === "task_deleted") {
    if (pane.taskId === d.taskId || (d.deletedSubtaskIds || []).includes(pane.taskId)) {
      const who = byOther ? ` by ${store.firstName(e.userId)}` : "";
      notify(`'${change.deleted ? change.deleted.name : "This task"}' was deleted${who}.`);
      closePane({ replace: true });
    }
    return;
  }
  if (change.task && pane.taskId === change.task.id) {
    queueMicrotask(() => renderPane({ actorId: e.userId, changed: d.changes || [] }));
  }
}
