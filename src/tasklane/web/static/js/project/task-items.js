// Rows (List) and cards (Board) in use: the checkbox completes a task, a click on the
// name opens the task pane, a double click, F2 or the pencil renames it in place (List),
// and the "…" button of a card or row opens the "Move to…" menu.

import { field, clearRowError } from "../ui.js";
import { editInline } from "../inline-edit.js";
import { onBoard } from "./context.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { render, pendingChecks, itemOf, isRendering, showItemError } from "./view.js";
import { openMoveMenu } from "./board-view.js";
import { openPane } from "./task-pane.js";
import { offerStatusUndo } from "./undoable.js";

const renaming = new Map(); // taskId -> the inline input

// The input a task is being renamed in, if it is.
export function renameInput(taskId) {
  return renaming.get(taskId) || null;
}

async function setStatus(taskId, status, node) {
  const before = store.tasks.get(taskId);
  if (!before) return;
  pendingChecks.set(taskId, status === "done");
  try {
    const saved = await calls.tasks.update(taskId, { status });
    store.acceptTask(saved, seqOf(saved));
    if (node) clearRowError(node);
    if (saved.status !== before.status) offerStatusUndo(saved, before.status);
  } catch (err) {
    showItemError(node, err);
  } finally {
    pendingChecks.delete(taskId);
  }
  render();
}

function startRename(node) {
  const id = node.dataset.taskId;
  const task = store.tasks.get(id);
  const link = field(node, "name");
  if (!task || !link || renaming.has(id) || !store.canEdit()) return;
  node._renameFrom = task.name;
  const { input } = editInline(link, {
    value: task.name,
    current: () => (store.tasks.get(id) || task).name,
    label: "Task name",
    testid: "task-name-input",
    hide: [node.querySelector('[data-action="rename"]')],
    within: node.querySelector(".task-main") || node,
    ignoreBlur: isRendering,
    save: async (name) => {
      const saved = await calls.tasks.update(id, { name });
      store.acceptTask(saved, seqOf(saved));
    },
    onClose: () => {
      renaming.delete(id);
      node._renameFrom = undefined;
      render();
    },
  });
  renaming.set(id, input);
}

let openTimer = null;

export function bindItems(root) {
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
    if (!onBoard && e.detail === 1 && store.canEdit()) {
      openTimer = setTimeout(() => openPane(id, { push: true }), 250);
    } else if (e.detail <= 1) {
      openPane(id, { push: true });
    }
  });

  root.addEventListener("dblclick", (e) => {
    const node = itemOf(e.target);
    if (!node || onBoard || !e.target.closest('[data-field="name"]')) return;
    e.preventDefault();
    clearTimeout(openTimer);
    startRename(node);
  });

  root.addEventListener("keydown", (e) => {
    const node = itemOf(e.target);
    if (!node || !e.target.matches('a[data-field="name"]')) return;
    if (e.key === "F2" && !onBoard) {
      e.preventDefault();
      startRename(node);
    }
  });
}
