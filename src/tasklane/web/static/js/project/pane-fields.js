// The task pane's own fields (name, status, assignee, due date, notes) and the crumb
// above them. Each field saves as it changes; what the reader is typing is never
// overwritten by someone else's change (a note says so instead). `pane` is the pane's
// state (task-pane.js): its node, the open task, and per field the value last shown
// from the server (`base`), which tells typing apart from what the store says.

import { humanMessage } from "../api.js";
import {
  byTestId, field, el, clear, setText, notify,
  showFieldError, clearFieldError, showRemoteNote, clearRemoteNote,
} from "../ui.js";
import { me, taskUrl } from "./context.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { render } from "./view.js";
import { bindNotes, renderNotes } from "./notes.js";

export const PANE_FIELDS = {
  name: { testid: "pane-name", key: "name", from: (t) => t.name, to: (v) => v.trim() },
  status: { testid: "pane-status", key: "status", from: (t) => t.status, to: (v) => v },
  assignee: { testid: "pane-assignee", key: "assigneeId", from: (t) => t.assigneeId || "", to: (v) => v || null },
  due: { testid: "pane-due", key: "dueOn", from: (t) => t.dueOn || "", to: (v) => v || null },
  notes: { testid: "pane-notes", key: "notes", from: (t) => t.notes || "", to: (v) => v.trim() },
};

export function fieldInput(pane, name) {
  return pane.node && byTestId(PANE_FIELDS[name].testid, pane.node);
}

// Each field saves on change; Enter saves the name, Ctrl/⌘+Enter the notes. A pane the
// server rendered (`adopted`) starts with its values as the base.
export function bindFields(pane, node, adopted) {
  const form = field(node, "task-form");
  if (form) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      for (const name of Object.keys(PANE_FIELDS)) {
        const input = fieldInput(pane, name);
        if (input && input.value !== pane.base[name]) saveField(pane, name);
      }
    });
  }
  for (const name of Object.keys(PANE_FIELDS)) {
    const input = byTestId(PANE_FIELDS[name].testid, node);
    if (!input) continue;
    input.addEventListener("change", () => saveField(pane, name));
    input.addEventListener("input", () => {
      clearFieldError(input);
      // The name is one line that wraps: a pasted line break becomes a space.
      if (name === "name" && input.value.includes("\n")) input.value = input.value.replace(/\s*\n\s*/g, " ");
    });
    if (name === "name" || name === "notes") {
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && (name === "name" || e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          saveField(pane, name);
        }
      });
    }
    if (adopted) pane.base[name] = input.value;
  }
  bindNotes(pane, node, adopted);
}

// Saves what is typed but not yet saved (a name or notes field left by closing the pane).
export function flushFields(pane) {
  if (!pane.node || !pane.taskId) return;
  for (const name of ["name", "notes"]) {
    const input = fieldInput(pane, name);
    if (input && !input.readOnly && input.value !== pane.base[name]) saveField(pane, name);
  }
}

// Shows the store's `task` in the fields, never overwriting what the reader is typing.
// `actorId` and `changed` (an event's) say who changed which fields, for the note.
export function renderFields(pane, task, { actorId = null, changed = [] } = {}) {
  const canEdit = store.canEdit();
  const assignee = fieldInput(pane, "assignee");
  if (assignee) renderAssigneeOptions(assignee, task.assigneeId || "");

  for (const [name, spec] of Object.entries(PANE_FIELDS)) {
    const input = fieldInput(pane, name);
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
  renderNotes(pane);
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

// Above the fields: the parent task of a subtask (fetched if the store lacks it), else
// the project's name.
export function renderCrumbs(pane, task) {
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
        store.acceptTask(p, seqOf(p));
        crumbs._shown = null;
        if (pane.taskId === task.id) renderCrumbs(pane, task);
      }).catch(() => {});
    }
  } else {
    crumbs.append(el("span", { class: "subtle", text: store.project.name }));
  }
}

// Sets field `name` as if the reader had chosen `value` there, and saves it (the pane's
// "Mark complete" button sets the status so); a failure shows beside the field.
export function setField(pane, name, value) {
  const input = fieldInput(pane, name);
  if (!input) return Promise.resolve();
  input.value = value;
  return saveField(pane, name);
}

async function saveField(pane, name) {
  const spec = PANE_FIELDS[name];
  const input = fieldInput(pane, name);
  const taskId = pane.taskId;
  if (!input || !taskId || input.readOnly || input.disabled) return;
  const task = store.tasks.get(taskId);
  if (!task) return;
  const value = spec.to(input.value);
  if (name === "name" && !value) {
    showFieldError(input, "Enter a name.");
    return;
  }
  if (input._saving === value) return; // on its way already (Ctrl+Enter, then leaving the field)
  if ((value ?? "") === (spec.from(task) ?? "")) {
    clearFieldError(input);
    clearRemoteNote(input);
    pane.base[name] = spec.from(task);
    return;
  }
  clearFieldError(input);
  input.setAttribute("aria-busy", "true");
  input._saving = value;
  try {
    const saved = await calls.tasks.update(taskId, { [spec.key]: value });
    store.acceptTask(saved, seqOf(saved));
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
    input._saving = undefined;
  }
}
