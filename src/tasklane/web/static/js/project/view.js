// The List or the Board, drawn from the store. Sections (List) or columns (Board) and
// their rows or cards are clones of the server's <template>s; `render` brings the page
// in line with the store, touching only what differs, so focus (and the caret of a
// field being typed in) survives a row being moved.

import { humanMessage } from "../api.js";
import {
  STATUS_LABELS, $$, byTestId, allByTestId, field, setText, cloneTemplate, dropWhitespace, notify, showRowError,
} from "../ui.js";
import { fillTask } from "../task-markup.js";
import { at } from "../urls.js";
import { onBoard, projectId, taskUrl } from "./context.js";
import { store } from "./store.js";
import { arrangeLists, shownCount } from "./task-arrangement.js";

export const SECTION_TESTID = onBoard ? "board-column" : "section";
export const ITEM_TESTID = onBoard ? "task-card" : "task-row";
const ITEM_TEMPLATE = onBoard ? "card-template" : "task-row-template";
const SECTION_TEMPLATE = onBoard ? "column-template" : "section-template";

export const rowEls = new Map(); // taskId -> the row (List) or card (Board) element

// A checkbox just clicked shows its new state until the server has answered.
export const pendingChecks = new Map(); // taskId -> checked

export function viewRoot() {
  return byTestId(onBoard ? "board" : "list-view");
}

export function itemOf(target) {
  return target.closest(`[data-testid="${ITEM_TESTID}"]`);
}

export function sectionOf(target) {
  return target.closest(`[data-testid="${SECTION_TESTID}"]`);
}

export function listOf(sectionNode) {
  return field(sectionNode, "tasks");
}

function sectionEls() {
  const root = viewRoot();
  return root ? allByTestId(SECTION_TESTID, root) : [];
}

// A failed change to a task, beside its row or card (or as a notice if it has none).
export function showItemError(node, err) {
  if (node) showRowError(node, humanMessage(err));
  else notify(humanMessage(err), { kind: "error" });
}

// ---------------------------------------------------------------------------- filling

function fillItem(node, task) {
  // While a row is renamed inline its link keeps the name the edit started from.
  const shown = node._renameFrom === undefined ? task : { ...task, name: node._renameFrom };
  fillTask(node, shown, {
    href: taskUrl(task.id),
    person: store.person(task.assigneeId),
    canEdit: store.canEdit(),
    checked: pendingChecks.get(task.id),
    columnStatus: store.sections.get(task.sectionId)?.status ?? null,
  });
  node.setAttribute("draggable", store.canEdit() ? "true" : "false");
  // A link is draggable on its own (its URL); the card or row is what moves.
  const name = field(node, "name");
  if (name) name.setAttribute("draggable", "false");
}

function fillSection(node, section) {
  const canEdit = store.canEdit();
  node.dataset.sectionId = section.id;
  if (!node._renaming) setText(field(node, "section-name"), section.name);
  setText(byTestId("section-count", node), shownCount(section.id));
  const actions = field(node, "section-actions");
  if (actions) {
    actions.hidden = !canEdit;
    for (const button of actions.querySelectorAll("[data-action]")) {
      const verb = button.dataset.action === "rename-section" ? "Rename" : "Delete";
      button.setAttribute("aria-label", `${verb} section ${section.name}`);
    }
  }
  fillSectionStatus(node, section);
  const hint = field(node, "empty-hint");
  if (hint) hint.hidden = !canEdit;
  const form = field(node, "add-task-form");
  if (form) {
    form.setAttribute("action", at(`/projects/${projectId}/sections/${section.id}/tasks`));
    setText(form.querySelector(".visually-hidden"), `Add a task to ${section.name}`);
    form.hidden = !canEdit;
  }
  // The empty state ("No tasks yet — add one") shows by CSS while the list is empty.
}

// The label of the status the section stands for, and its picker (editors).
function fillSectionStatus(node, section) {
  const label = field(node, "section-status");
  if (label) {
    label.dataset.status = section.status || "";
    label.hidden = !section.status;
    setText(field(label, "section-status-label"), STATUS_LABELS[section.status] || "");
  }
  const select = field(node, "section-status-select");
  if (select) {
    if (!select._saving) select.value = section.status || "";
    select.setAttribute("aria-label", `Status for section ${section.name}`);
  }
}

// What only editors see outside the sections: "+ Add section" and the empty project's hint.
function fillEditorOnly() {
  const canEdit = store.canEdit();
  for (const node of $$('[data-field="add-section"], [data-field="no-sections-hint"]')) node.hidden = !canEdit;
}

// ---------------------------------------------------------------------------- render

let renderQueued = false;
let rendering = false; // a blur while rows move is not the reader leaving a field
const afterRenderHooks = [];

// `fn` runs after every render (the task pane draws itself from the store too).
export function afterRender(fn) {
  afterRenderHooks.push(fn);
}

export function isRendering() {
  return rendering;
}

export function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    render();
  });
}

export function render() {
  rendering = true;
  try {
    renderView();
  } finally {
    rendering = false;
  }
  for (const hook of afterRenderHooks) hook();
}

function renderView() {
  const root = viewRoot();
  if (!root) return;
  const active = document.activeElement;
  const caret = active && "selectionStart" in active ? safeSelection(active) : null;

  const sections = store.sectionList();
  const existing = new Map(sectionEls().map((n) => [n.dataset.sectionId, n]));
  for (const [id, node] of existing) if (!store.sections.has(id)) node.remove();
  const wanted = sections.map((s) => existing.get(s.id) || cloneTemplate(SECTION_TEMPLATE));
  const current = sectionEls();
  if (current.length !== wanted.length || current.some((n, i) => n !== wanted[i])) {
    // Sections go before "+ Add section" (the List's form, the Board's last column).
    const addSection = field(root, "add-section");
    for (const node of wanted) root.insertBefore(node, addSection);
  }

  const placed = new Set();
  // The filter bar's state decides which tasks show, in what order and in which lists.
  for (const { list, tasks } of arrangeLists(sections, wanted.map(listOf))) {
    dropWhitespace(list);
    let prev = null;
    for (const task of tasks) {
      let node = rowEls.get(task.id);
      if (!node) {
        node = cloneTemplate(ITEM_TEMPLATE);
        rowEls.set(task.id, node);
      }
      fillItem(node, task);
      // A drop indicator (a card being dragged over the list) stays where it is.
      let expected = prev ? prev.nextElementSibling : list.firstElementChild;
      while (expected && expected.classList.contains("drop-indicator")) expected = expected.nextElementSibling;
      if (node !== expected) list.insertBefore(node, expected);
      prev = node;
      placed.add(task.id);
    }
  }
  for (const [id, node] of rowEls) {
    if (!placed.has(id)) {
      node.remove();
      rowEls.delete(id);
    }
  }
  for (const [i, section] of sections.entries()) fillSection(wanted[i], section);
  fillEditorOnly();

  if (active && active !== document.activeElement && active.isConnected) {
    active.focus({ preventScroll: true });
    if (caret) restoreSelection(active, caret);
  }
}

function safeSelection(node) {
  try {
    return [node.selectionStart, node.selectionEnd];
  } catch {
    return null;
  }
}

function restoreSelection(node, [start, end]) {
  try {
    node.setSelectionRange(start, end);
  } catch {
    /* not a text field */
  }
}

// Adopts the server-rendered rows, so the first render changes nothing visible.
export function adopt() {
  const root = viewRoot();
  if (!root) return;
  for (const node of allByTestId(ITEM_TESTID, root)) {
    const id = node.dataset.taskId;
    if (id && store.tasks.has(id)) rowEls.set(id, node);
    else node.remove();
  }
  for (const list of $$('[data-field="tasks"]', root)) dropWhitespace(list);
}
