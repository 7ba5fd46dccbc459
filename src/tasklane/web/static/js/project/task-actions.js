// The task pane's actions on the task as a whole: delete it (after asking), mark it
// complete or incomplete (the button beside the status), and move it to another section
// of the project (the section picker, which follows the sections as they are added,
// renamed and deleted). Each failure shows beside the control that failed.

import { humanMessage } from "../api.js";
import { byTestId, field, el, clear, setText, showFieldError, clearFieldError } from "../ui.js";
import { confirmAction } from "../dialogs.js";
import { store } from "./store.js";
import { calls } from "./own-changes.js";
import { render } from "./view.js";
import { moveTask } from "./board-view.js";
import { setField } from "./pane-fields.js";
import { offerDeleteUndo, offerStatusUndo } from "./undoable.js";

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// What goes with a task when it is deleted, in words: "It goes for everyone, with its 2
// subtasks and 1 comment."
function deletionWords(task) {
  const parts = [];
  if (task.subtaskCount) parts.push(plural(task.subtaskCount, "subtask", "subtasks"));
  if (task.commentCount) parts.push(plural(task.commentCount, "comment", "comments"));
  const along = parts.length ? `, with its ${parts.join(" and ")}` : "";
  return `It goes for everyone in the project${along}. You can undo it for a few seconds.`;
}

async function deleteTask(pane, button, deleted) {
  const taskId = pane.taskId;
  const task = store.tasks.get(taskId);
  if (!task || !store.canEdit()) return;
  clearFieldError(button);
  const sure = await confirmAction({
    title: `Delete \u201c${task.name}\u201d?`,
    message: deletionWords(task),
    confirm: "Delete task",
  });
  if (!sure || pane.taskId !== taskId) return;
  button.disabled = true;
  try {
    await calls.tasks.remove(taskId);
  } catch (err) {
    button.disabled = false;
    showFieldError(button, humanMessage(err), { within: button.closest(".pane-head") });
    button.focus();
    return;
  }
  // The subtask count of a parent moves with the event, like every count.
  store.removeTask(taskId);
  deleted();
  render();
  offerDeleteUndo(task);
}

async function toggleComplete(pane) {
  const task = store.tasks.get(pane.taskId);
  if (!task || !store.canEdit()) return;
  const target = task.completed ? "todo" : "done";
  await setField(pane, "status", target);
  const now = store.tasks.get(task.id);
  if (now && now.status === target) offerStatusUndo(now, task.status);
}

async function chooseSection(pane, select) {
  const taskId = pane.taskId;
  const task = store.tasks.get(taskId);
  const sectionId = select.value;
  clearFieldError(select);
  if (!task || !sectionId || sectionId === task.sectionId) return;
  // To the end of the section chosen, as a card dropped on a column's foot.
  const position = store.tasksIn(sectionId).filter((t) => t.id !== taskId).length;
  await moveTask(taskId, sectionId, position, {
    showError: (err) => {
      const now = store.tasks.get(taskId);
      if (now) select.value = now.sectionId || "";
      showFieldError(select, humanMessage(err));
    },
  });
}

/** Binds the pane's actions; `deleted()` runs once its task is deleted (it closes it). */
export function bindTaskActions(pane, node, { deleted }) {
  const remove = byTestId("pane-delete", node);
  if (remove) remove.addEventListener("click", () => deleteTask(pane, remove, deleted));
  const complete = byTestId("pane-complete", node);
  if (complete) complete.addEventListener("click", () => toggleComplete(pane));
  const section = byTestId("pane-section", node);
  if (section) section.addEventListener("change", () => chooseSection(pane, section));
}

// The project's sections as the picker's options, rebuilt only when they differ.
function renderSectionOptions(select, value) {
  const sections = store.sectionList();
  const have = [...select.options];
  const same = have.length === sections.length && have.every((o, i) => o.value === sections[i].id);
  if (same) {
    for (const [i, s] of sections.entries()) setText(have[i], s.name);
  } else {
    clear(select);
    for (const s of sections) select.append(el("option", { value: s.id, text: s.name }));
  }
  if (select.value !== value) select.value = value;
}

/** Shows `task`'s state in the pane's actions (and who may use them). */
export function renderTaskActions(pane, task) {
  const node = pane.node;
  const canEdit = store.canEdit();
  const remove = byTestId("pane-delete", node);
  if (remove) remove.hidden = !canEdit;
  const complete = byTestId("pane-complete", node);
  if (complete) {
    complete.hidden = !canEdit;
    complete.classList.toggle("is-done", task.completed);
    setText(complete, task.completed ? "Mark incomplete" : "Mark complete");
  }
  const row = field(node, "section-row");
  const section = byTestId("pane-section", node);
  if (row && section) {
    row.hidden = Boolean(task.parentId);
    section.disabled = !canEdit;
    renderSectionOptions(section, task.sectionId || "");
  }
}
