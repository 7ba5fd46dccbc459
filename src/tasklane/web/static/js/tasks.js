// My Tasks and Search: the rows list tasks from several projects. The checkbox completes
// a task (and on My Tasks the row moves to its group), the pencil renames it inline;
// the name is a link to the task in its project. Problems show in the row. My Tasks
// draws its groups under its filter bar (my-tasks-view.js).

import { endpoints, humanMessage } from "./api.js";
import { $, field, readPageData, showRowError, clearRowError, flash } from "./ui.js";
import { editInline } from "./inline-edit.js";
import { fillTask } from "./task-markup.js";
import { bindFilterBar } from "./filter-bar.js";
import { drawMyTasks } from "./my-tasks-view.js";

const page = readPageData();
const tasks = new Map((page.tasks || []).map((t, i) => [t.id, { ...t, order: i }]));
const ROW = '[data-testid="task-row"]';

// A saved task, in the page's original order.
function keep(saved) {
  const next = { ...saved, order: tasks.get(saved.id).order };
  tasks.set(saved.id, next);
  return next;
}

async function complete(row, check) {
  const task = tasks.get(row.dataset.taskId);
  if (!task) return;
  check.disabled = true;
  try {
    const saved = keep(await endpoints.tasks.update(task.id, { status: check.checked ? "done" : "todo" }));
    clearRowError(row);
    fillTask(row, saved);
    if ($('[data-testid="my-tasks"]')) drawMyTasks(tasks);
    flash(row);
  } catch (err) {
    check.checked = task.completed;
    showRowError(row, humanMessage(err));
  } finally {
    check.disabled = false;
  }
}

function rename(row) {
  const task = tasks.get(row.dataset.taskId);
  const link = field(row, "name");
  if (!task || !link || row._renaming) return;
  row._renaming = editInline(link, {
    value: task.name,
    current: () => tasks.get(task.id).name,
    label: "Task name",
    testid: "task-name-input",
    within: row.querySelector(".task-main"),
    save: async (name) => {
      fillTask(row, keep(await endpoints.tasks.update(task.id, { name })));
      if ($('[data-testid="my-tasks"]')) drawMyTasks(tasks); // a name may move it, or hide it
      flash(row);
    },
    onClose: () => {
      row._renaming = null;
    },
  });
}

document.addEventListener("change", (e) => {
  const check = e.target.closest(`${ROW} [data-field="complete"]`);
  if (check) complete(check.closest(ROW), check);
});

document.addEventListener("click", (e) => {
  const button = e.target.closest(`${ROW} [data-action="rename"]`);
  if (button) {
    e.preventDefault();
    rename(button.closest(ROW));
  }
});

document.addEventListener("keydown", (e) => {
  if (e.key !== "F2") return;
  const link = e.target.closest && e.target.closest(`${ROW} a[data-field="name"]`);
  if (link) {
    e.preventDefault();
    rename(link.closest(ROW));
  }
});

bindFilterBar(() => drawMyTasks(tasks));
if ($('[data-testid="my-tasks"]')) drawMyTasks(tasks);
