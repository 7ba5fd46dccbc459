// My Tasks and Search: the rows list tasks from several projects. The checkbox completes
// a task (and on My Tasks the row moves to its group), the pencil renames it inline;
// the name is a link to the task in its project. Problems show in the row.

import { api, humanMessage } from "./api.js";
import {
  $, $$, field, el, setText, readPageData, formatDue, isOverdue,
  showFieldError, clearFieldError, flash, STATUS_LABELS,
} from "./ui.js";

const page = readPageData();
const tasks = new Map((page.tasks || []).map((t, i) => [t.id, { ...t, order: i }]));
const today = page.today || null;
const UPCOMING_DAYS = 7;

// Mirrors web/task_lists.py's `bucket`.
function bucket(task) {
  if (task.completed) return "done";
  if (!task.dueOn) return "no_date";
  const day = today || new Date().toISOString().slice(0, 10);
  if (task.dueOn < day) return "overdue";
  if (task.dueOn === day) return "today";
  const limit = new Date(`${day}T00:00:00Z`);
  limit.setUTCDate(limit.getUTCDate() + UPCOMING_DAYS);
  return task.dueOn <= limit.toISOString().slice(0, 10) ? "upcoming" : "later";
}

function rowError(row, message) {
  const anchor = field(row, "name") || row;
  showFieldError(anchor, message, { within: row.querySelector(".task-main") || row });
  clearTimeout(anchor._errTimer);
  anchor._errTimer = setTimeout(() => clearFieldError(anchor), 8000);
}

function fillRow(row, task) {
  row.dataset.status = task.status;
  row.classList.toggle("is-done", task.completed);
  const check = field(row, "complete");
  if (check) check.checked = task.completed;
  setText(field(row, "name"), task.name);
  const due = field(row, "due");
  if (due) {
    due.setAttribute("datetime", task.dueOn || "");
    setText(due, formatDue(task.dueOn));
    due.classList.toggle("overdue", isOverdue(task.dueOn, task.status));
  }
  const pill = field(row, "status");
  if (pill) {
    pill.dataset.status = task.status;
    setText(pill, STATUS_LABELS[task.status] || task.status);
  }
}

// My Tasks: put the row in its group, in the page's original order, and recount.
function regroup(row, task) {
  const group = $(`[data-testid="task-group"][data-group="${bucket(task)}"]`);
  if (!group) return;
  const list = field(group, "tasks");
  const focused = row.contains(document.activeElement) ? document.activeElement : null;
  if (row.parentElement !== list) {
    const after = $$('[data-testid="task-row"]', list).find((r) => {
      const other = tasks.get(r.dataset.taskId);
      return other && other.order > task.order;
    });
    list.insertBefore(row, after || null);
    if (focused) focused.focus({ preventScroll: true });
  }
  for (const g of $$('[data-testid="task-group"]')) {
    setText($('[data-testid="section-count"]', g), $$('[data-testid="task-row"]', field(g, "tasks")).length);
  }
}

async function complete(row, check) {
  const task = tasks.get(row.dataset.taskId);
  if (!task) return;
  check.disabled = true;
  try {
    const saved = await api.patch(`/api/tasks/${task.id}`, { status: check.checked ? "done" : "todo" });
    const next = { ...saved, order: task.order };
    tasks.set(task.id, next);
    clearFieldError(field(row, "name") || row);
    fillRow(row, next);
    if ($('[data-testid="my-tasks"]')) regroup(row, next);
    flash(row);
  } catch (err) {
    check.checked = task.completed;
    rowError(row, humanMessage(err));
  } finally {
    check.disabled = false;
  }
}

function rename(row) {
  const task = tasks.get(row.dataset.taskId);
  const link = field(row, "name");
  if (!task || !link || row._renaming) return;
  const input = el("input", {
    type: "text", class: "rename-input", "data-testid": "task-name-input",
    "aria-label": "Task name", maxlength: "500", autocomplete: "off",
  });
  input.value = task.name;
  row._renaming = input;
  link.hidden = true;
  link.insertAdjacentElement("afterend", input);
  input.focus();
  input.select();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    row._renaming = null;
    clearFieldError(input);
    input.remove();
    link.hidden = false;
  };
  const save = async (keepFocus) => {
    const name = input.value.trim();
    const now = tasks.get(task.id);
    if (!name) return showFieldError(input, "Enter a name.", { within: row.querySelector(".task-main") });
    if (name === now.name) {
      finish();
      if (keepFocus) link.focus();
      return;
    }
    input.disabled = true;
    try {
      const saved = await api.patch(`/api/tasks/${task.id}`, { name });
      tasks.set(task.id, { ...saved, order: now.order });
      fillRow(row, tasks.get(task.id));
      finish();
      flash(row);
      if (keepFocus) link.focus();
    } catch (err) {
      input.disabled = false;
      showFieldError(input, humanMessage(err), { within: row.querySelector(".task-main") });
      if (keepFocus) input.focus();
    }
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      save(true);
    } else if (e.key === "Escape") {
      e.preventDefault();
      finish();
      link.focus();
    }
  });
  input.addEventListener("blur", () => {
    if (!done && !input.disabled) save(false);
  });
}

document.addEventListener("change", (e) => {
  const check = e.target.closest('[data-testid="task-row"] [data-field="complete"]');
  if (check) complete(check.closest('[data-testid="task-row"]'), check);
});

document.addEventListener("click", (e) => {
  const button = e.target.closest('[data-testid="task-row"] [data-action="rename"]');
  if (button) {
    e.preventDefault();
    rename(button.closest('[data-testid="task-row"]'));
  }
});

document.addEventListener("keydown", (e) => {
  if (e.key !== "F2") return;
  const link = e.target.closest && e.target.closest('[data-testid="task-row"] a[data-field="name"]');
  if (link) {
    e.preventDefault();
    rename(link.closest('[data-testid="task-row"]'));
  }
});
