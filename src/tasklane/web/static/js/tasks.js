// My Tasks and Search: the rows list tasks from several projects. The checkbox completes
// a task (and on My Tasks the row moves to its group), the pencil renames it inline;
// the name is a link to the task in its project. Problems show in the row. My Tasks
// draws its groups under its filter bar (my-tasks-view.js), and changes several tasks
// at once (my-tasks-bulk.js).

import { endpoints, humanMessage } from "./api.js";
import {
  $, byTestId, cloneTemplate, field, setText, readPageData, showRowError, clearRowError, flash,
} from "./ui.js";
import { at } from "./urls.js";
import { editInline } from "./inline-edit.js";
import { fillTask } from "./task-markup.js";
import { bindFilterBar } from "./filter-bar.js";
import { drawMyTasks } from "./my-tasks-view.js";
import { applyToMyTasks } from "./my-tasks-live.js";
import { bindMyTasksBulk } from "./my-tasks-bulk.js";
import { onPersonEvent } from "./person-live.js";
import { followSearch } from "./search-live.js";
import { offerUndo } from "./undo.js";

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
    if (saved.status !== task.status) {
      offerUndo(saved.completed ? `Completed \u201c${saved.name}\u201d.` : `Reopened \u201c${saved.name}\u201d.`, async () => {
        const back = keep(await endpoints.tasks.update(task.id, { status: task.status }));
        const now = $(`${ROW}[data-task-id="${CSS.escape(task.id)}"]`);
        if (now) fillTask(now, back);
        if ($('[data-testid="my-tasks"]')) drawMyTasks(tasks, { makeRow });
      });
    }
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

// A row for a task that arrives live: the server's markup (the page's template), filled.
function makeRow(task) {
  const row = cloneTemplate("task-row-template");
  if (!row) return null;
  fillTask(row, task, { href: at(`/projects/${task.projectId}/tasks/${task.id}`), person: page.me, canEdit: true });
  const project = (page.projects || []).find((p) => p.id === task.projectId);
  const chip = field(row, "project");
  if (chip && project) {
    chip.setAttribute("href", at(`/projects/${project.id}`));
    chip.querySelector(".dot")?.style.setProperty("--dot", project.color);
    setText(field(chip, "project-name"), project.name);
  }
  return row;
}

function drawAll() {
  drawMyTasks(tasks, { makeRow });
  const empty = byTestId("my-tasks-empty");
  if (empty) empty.hidden = tasks.size > 0;
}

// My Tasks follows the reader's own log: tasks given to them arrive, others leave.
async function reloadMyTasks() {
  const fresh = await endpoints.me.tasks();
  tasks.clear();
  fresh.forEach((task, i) => tasks.set(task.id, { ...task, order: i }));
  drawAll();
}

if ($('[data-testid="my-tasks"]')) {
  bindMyTasksBulk(byTestId("my-tasks"), tasks, (page.me || {}).id, drawAll);
  onPersonEvent({
    event(e) {
      if (!applyToMyTasks(tasks, page.projects || [], e, (page.me || {}).id)) return;
      drawAll();
      const row = e.data && e.data.task && $(`${ROW}[data-task-id="${e.data.task.id}"]`);
      if (row) {
        fillTask(row, tasks.get(e.data.task.id));
        flash(row);
      }
    },
    reload: () => reloadMyTasks().catch((err) => console.warn("Tasklane: could not reload My Tasks", err)),
  });
}

// Search follows the reader's projects, and is run again when a task in one changes.
if ($('[data-testid="search-results"]') || $('[data-testid="search-empty"]')) {
  followSearch({
    projects: page.projects || [],
    busy: () => Boolean(document.querySelector(`${ROW} [data-testid="task-name-input"]`)),
    onDrawn: (shown) => {
      tasks.clear();
      shown.forEach((task, i) => tasks.set(task.id, { ...task, order: i }));
    },
  });
}

bindFilterBar(() => drawMyTasks(tasks, { makeRow }));
if ($('[data-testid="my-tasks"]')) drawAll();
