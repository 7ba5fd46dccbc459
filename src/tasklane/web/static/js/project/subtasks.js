// The open task's subtasks, in the task pane: the list (each completes with its
// checkbox and opens with its name) and "Add subtask".

import { humanMessage } from "../api.js";
import {
  $, byTestId, field, setText, cloneTemplate, syncList, flash,
  showFieldError, clearFieldError, clearServerErrors,
} from "../ui.js";
import { taskUrl } from "./context.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";

// Draws `task`'s subtasks in the pane `node` (once they are loaded: until then the
// server's markup stays).
export function renderSubtasks(node, task, { loaded }) {
  const list = field(node, "subtasks");
  if (!list || !loaded) return;
  const subs = store.subtasksOf(task.id);
  const canEdit = store.canEdit();
  syncList(list, subs, {
    selector: '[data-testid="subtask"]',
    key: (sub) => sub.id,
    keyOf: (item) => item.dataset.taskId,
    create: () => cloneTemplate("subtask-template"),
    fill: (item, sub) => {
      item.dataset.taskId = sub.id;
      item.dataset.status = sub.status;
      item.classList.toggle("is-done", sub.completed);
      const check = field(item, "complete");
      if (check) {
        check.checked = sub.completed;
        check.disabled = !canEdit;
        check.setAttribute("aria-label", `Mark \u201c${sub.name}\u201d complete`);
      }
      const name = field(item, "name");
      if (name) {
        setText(name, sub.name);
        name.setAttribute("href", taskUrl(sub.id));
      }
    },
  });
  setText(field(node, "subtask-count"), subs.length);
  const addSub = byTestId("add-subtask-input", node);
  if (addSub && addSub.form) addSub.form.hidden = !canEdit;
}

// The pane's subtask controls. `parentId()` is the task open now; `changed()` redraws
// the pane after a subtask changed here.
export function bindSubtasks(node, { parentId, changed }) {
  node.addEventListener("change", (e) => {
    const check = e.target.closest('[data-testid="subtask-complete"]');
    const row = check && check.closest('[data-testid="subtask"]');
    if (row) completeSubtask(row, check, changed);
  });
  const addSub = byTestId("add-subtask-input", node);
  if (addSub && addSub.form) {
    addSub.form.addEventListener("submit", (e) => {
      e.preventDefault();
      addSubtask(addSub, parentId, changed);
    });
    addSub.addEventListener("input", () => clearFieldError(addSub));
  }
}

async function completeSubtask(row, check, changed) {
  const id = row.dataset.taskId;
  try {
    const saved = await calls.tasks.update(id, { status: check.checked ? "done" : "todo" });
    store.acceptTask(saved, seqOf(saved));
    clearFieldError(check);
  } catch (err) {
    check.checked = !check.checked;
    showFieldError(check, humanMessage(err), { within: row });
  }
  changed();
}

async function addSubtask(input, parentId, changed) {
  const name = input.value.trim();
  const parent = parentId();
  clearServerErrors(input.form);
  clearFieldError(input);
  if (!name) return;
  input.value = "";
  input.focus();
  try {
    const sub = await calls.tasks.createSubtask(parent, { name });
    store.acceptTask(sub, seqOf(sub));
    if (parentId() === parent) changed();
  } catch (err) {
    if (!input.value) input.value = name;
    showFieldError(input, humanMessage(err));
  }
}

// Flashes a subtask's line in the pane `node`, if it is there.
export function flashSubtaskIn(node, id) {
  const sub = node && $(`[data-testid="subtask"][data-task-id="${CSS.escape(id)}"]`, node);
  if (sub) flash(sub);
}
