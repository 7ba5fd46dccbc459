// The task pane: opens from the right with the task's address in the URL (so it can be
// linked and reloaded), closes with Esc, the × or Back, and follows the task live. Its
// parts have their own modules: the fields (pane-fields.js), delete, complete and the
// section (task-actions.js), subtasks (subtasks.js), comments (comments.js) and
// activity (activity.js).

import { ApiError, humanMessage } from "../api.js";
import { $, byTestId, field, el, clear, cloneTemplate, notify } from "../ui.js";
import { at } from "../urls.js";
import { projectId, onBoard, projectUrl, taskUrl, taskIdFromPath } from "./context.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { rowEls, afterRender } from "./view.js";
import { closeMoveMenu } from "./board-view.js";
import { fieldInput, bindFields, flushFields, renderFields, renderCrumbs } from "./pane-fields.js";
import { renderSubtasks, bindSubtasks, flashSubtaskIn } from "./subtasks.js";
import { openThread, closeThread, loadThread, renderComments, bindComments } from "./comments.js";
import { loadLog, renderActivity } from "./activity.js";
import { bindTaskActions, renderTaskActions } from "./task-actions.js";

const pane = {
  node: null,
  taskId: null,
  pushed: false, // whether opening it added a history entry (then closing goes back)
  loaded: false, // subtasks and comments fetched (until then the server's markup stays)
  base: {}, // field -> the value last shown from the server
  opener: null,
};

export function openTaskId() {
  return pane.taskId;
}

export function isPaneOpen() {
  return pane.node !== null;
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
  if (pane.node) flushFields(pane);
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
  const name = fieldInput(pane, "name");
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
    if (task) store.acceptTask(task, seqOf(task));
    for (const sub of subtasks) store.acceptTask(sub, seqOf(sub));
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
  flushFields(pane);
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

function bindPane(node, adopted) {
  if (node._bound) return;
  node._bound = true;
  bindFields(pane, node, adopted);
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
  bindSubtasks(node, { parentId: () => pane.taskId, changed: () => renderPane() });
  bindTaskActions(pane, node, { deleted: () => closePane({ replace: true }) });
  bindComments(node);
}

// ---------------------------------------------------------------------------- drawing

function setPaneForm(node, taskId) {
  const base = at(`/projects/${projectId}/tasks/${taskId}`);
  const form = field(node, "task-form");
  if (form) form.setAttribute("action", base);
  const sub = byTestId("add-subtask-input", node);
  if (sub && sub.form) sub.form.setAttribute("action", `${base}/subtasks`);
  const ci = byTestId("comment-input", node);
  if (ci && ci.form) ci.form.setAttribute("action", `${base}/comments`);
  const close = byTestId("close-pane", node);
  if (close) close.setAttribute("href", projectUrl());
}

// Shows the store's task in the pane. `actorId` and `changed` (an event's) say who
// changed which fields, for the notes beside what the reader is typing.
export function renderPane({ actorId = null, changed = [] } = {}) {
  const task = store.tasks.get(pane.taskId);
  if (!pane.node || !task) return;
  const node = pane.node;
  node.dataset.taskId = task.id;
  setPaneForm(node, task.id);
  renderCrumbs(pane, task);
  refreshTitle();
  renderFields(pane, task, { actorId, changed });
  renderTaskActions(pane, task);
  renderSubtasks(node, task, { loaded: pane.loaded });
  renderComments();
  renderActivity(node, task.id);
}

afterRender(() => {
  if (pane.taskId) renderPane();
});

// Flashes the open task's line for a subtask that changed.
export function flashSubtask(id) {
  flashSubtaskIn(pane.node, id);
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
