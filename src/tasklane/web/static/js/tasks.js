// My Tasks and Search: the rows list tasks from several projects. The checkbox completes
// a task (and on My Tasks the row moves to its group), the pencil renames it inline;
// the name is a link to the task in its project. Problems show in the row.

import { endpoints, humanMessage } from "./api.js";
import { $, $$, field, setText, readPageData, showRowError, clearRowError, flash, todayISO } from "./ui.js";
import { editInline } from "./inline-edit.js";
import { fillTask } from "./task-markup.js";

const page = readPageData();
const tasks = new Map((page.tasks || []).map((t, i) => [t.id, { ...t, order: i }]));
const today = page.today || null;
const UPCOMING_DAYS = 7;
const ROW = '[data-testid="task-row"]';

// Mirrors web/task_lists.py's `bucket`.
function bucket(task) {
  if (task.completed) return "done";
  if (!task.dueOn) return "no_date";
  const day = today || todayISO();
  if (task.dueOn < day) return "overdue";
  if (task.dueOn === day) return "today";
  const limit = new Date(`${day}T00:00:00Z`);
  limit.setUTCDate(limit.getUTCDate() + UPCOMING_DAYS);
  return task.dueOn <= limit.toISOString().slice(0, 10) ? "upcoming" : "later";
}

// A saved task, in the page's original order.
function keep(saved) {
  const next = { ...saved, order: tasks.get(saved.id).order };
  tasks.set(saved.id, next);
  return next;
}

// My Tasks: put the row in its group, in the page's original order, and recount.
function regroup(row, task) {
  const group = $(`[data-testid="task-group"][data-group="${bucket(task)}"]`);
  if (!group) return;
  const list = field(group, "tasks");
  const focused = row.contains(document.activeElement) ? document.activeElement : null;
  if (row.parentElement !== list) {
    const after = $$(ROW, list).find((r) => {
      const other = tasks.get(r.dataset.taskId);
      return other && other.order > task.order;
    });
    list.insertBefore(row, after || null);
    if (focused) focused.focus({ preventScroll: true });
  }
  for (const g of $$('[data-testid="task-group"]')) {
    setText($('[data-testid="section-count"]', g), $$(ROW, field(g, "tasks")).length);
  }
}

async function complete(row, check) {
  const task = tasks.get(row.dataset.taskId);
  if (!task) return;
  check.disabled = true;
  try {
    const saved = keep(await endpoints.tasks.update(task.id, { status: check.checked ? "done" : "todo" }));
    clearRowError(row);
    fillTask(row, saved);
    if ($('[data-testid="my-tasks"]')) regroup(row, saved);
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
