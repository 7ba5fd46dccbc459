// A task's row (List, My Tasks, search) or card (Board), filled from a task as the API
// sends it. The markup is the server's (templates/macros.html, `task_row` and
// `task_card`); this only sets the `data-field`s, so a row looks the same whether the
// server or a script last drew it.

import { field, setText, fillAvatar, formatDue, isOverdue, STATUS_LABELS } from "./ui.js";

const COUNT_WORDS = { subtasks: ["subtask", "subtasks"], comments: ["comment", "comments"] };

function fillCount(root, name, n) {
  const node = field(root, name);
  if (!node) return;
  setText(node, n || 0);
  node.hidden = !n;
  const [one, many] = COUNT_WORDS[name];
  node.setAttribute("aria-label", `${n || 0} ${n === 1 ? one : many}`);
}

function fillAssignee(root, person) {
  const box = field(root, "assignee");
  if (!box) return;
  box.classList.toggle("unassigned", !person);
  box.dataset.userId = person ? person.id : "";
  box.title = person ? person.name : "Unassigned";
  fillAvatar(field(box, "assignee-initials"), person);
  setText(field(box, "assignee-name"), person ? person.name : "Unassigned");
}

function fillDue(root, task) {
  const due = field(root, "due");
  if (!due) return;
  due.setAttribute("datetime", task.dueOn || "");
  setText(due, formatDue(task.dueOn));
  due.classList.toggle("overdue", isOverdue(task.dueOn, task.status));
}

function fillStatus(root, status, columnStatus) {
  const pill = field(root, "status");
  if (!pill) return;
  pill.dataset.status = status;
  setText(pill, STATUS_LABELS[status] || status);
  // In a section that stands for this status, the column already says it.
  if (columnStatus !== undefined) pill.hidden = columnStatus === status;
}

/**
 * Fills a row or card from `task`. Options left out leave that part as it is:
 *   href     the name's link
 *   person   the assignee ({id, name}, or null for nobody)
 *   canEdit  whether the reader may change it (checkbox, rename and move buttons,
 *            and the selection checkbox)
 *   columnStatus  the status its section stands for (null: a free section); the pill
 *            hides where it would only repeat the column
 *   checked  the checkbox's state while a click waits for the server
 */
export function fillTask(node, task, { href, person, canEdit, checked, columnStatus } = {}) {
  node.dataset.taskId = task.id;
  node.dataset.sectionId = task.sectionId || "";
  node.dataset.status = task.status;
  node.classList.toggle("is-done", task.completed);
  node.classList.toggle("is-pending", Boolean(task.provisional));
  const check = field(node, "complete");
  if (check) {
    check.checked = checked ?? task.completed;
    if (canEdit !== undefined) check.disabled = !canEdit;
  }
  const name = field(node, "name");
  if (name) {
    setText(name, task.name);
    if (href) name.setAttribute("href", href);
  }
  // Its state is the selection's (bulk-bar.js); its name is the task's.
  const select = field(node, "select");
  if (select) {
    select.setAttribute("aria-label", `Select \u201c${task.name}\u201d`);
    if (canEdit !== undefined) select.hidden = !canEdit;
  }
  fillCount(node, "subtasks", task.subtaskCount);
  fillCount(node, "comments", task.commentCount);
  if (person !== undefined) fillAssignee(node, person);
  fillDue(node, task);
  fillStatus(node, task.status, columnStatus);
  if (canEdit !== undefined) {
    for (const button of node.querySelectorAll('[data-action="rename"], [data-action="move"]')) {
      button.hidden = !canEdit;
    }
  }
}
