// Sections (List) and columns (Board) for editors: "Add task…" at the end of each,
// "+ Add section" after the last, and renaming (in place) or deleting one. Deleting
// works only for an empty section: the API says why otherwise, and that shows beside
// the section's name. Every form here also works without scripts (see web/forms.py).

import { humanMessage } from "../api.js";
import { field, showFieldError, clearFieldError, clearServerErrors } from "../ui.js";
import { editInline } from "../inline-edit.js";
import { projectId } from "./context.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { render, sectionOf, isRendering, viewRoot, SECTION_TESTID } from "./view.js";

const addQueues = new Map(); // sectionId -> the promise of the last add, to keep their order

// The input a section is being renamed in, if it is.
export function sectionRenameInput(sectionId) {
  const node = sectionNode(sectionId);
  return node && node._renaming ? node._renaming.input : null;
}

export function sectionNode(sectionId) {
  const root = viewRoot();
  return root && root.querySelector(`[data-section-id="${CSS.escape(sectionId)}"][data-testid="${SECTION_TESTID}"]`);
}

// Enter adds the task and keeps the focus, so the next one can be typed at once.
function addTask(form) {
  const node = sectionOf(form);
  const input = form.querySelector('input[name="name"]');
  if (!node || !input) return;
  const sectionId = node.dataset.sectionId;
  const name = input.value.trim();
  clearServerErrors(form);
  clearFieldError(input);
  input.value = "";
  if (!name) return;
  input.focus();
  const previous = addQueues.get(sectionId) || Promise.resolve();
  const next = previous.then(async () => {
    try {
      const task = await calls.tasks.create(projectId, { name, sectionId });
      store.acceptTask(task, seqOf(task));
      render();
    } catch (err) {
      if (!input.value) input.value = name;
      showFieldError(input, humanMessage(err));
    }
  });
  addQueues.set(sectionId, next);
}

// "+ Add section": a new last section; the input stays, ready for another.
async function addSection(form) {
  const input = form.querySelector('input[name="name"]');
  const name = input.value.trim();
  clearServerErrors(form);
  clearFieldError(input);
  if (!name) {
    showFieldError(input, "Enter a name for the section.");
    return;
  }
  input.disabled = true;
  try {
    const section = await calls.sections.create(projectId, { name });
    store.acceptSection(section, seqOf(section), { create: true });
    input.value = "";
    render();
  } catch (err) {
    showFieldError(input, humanMessage(err));
  } finally {
    input.disabled = false;
    input.focus();
  }
}

function renameSection(node) {
  const section = store.sections.get(node.dataset.sectionId);
  const heading = field(node, "section-name");
  if (!section || !heading || node._renaming || !store.canEdit()) return;
  const header = heading.parentElement;
  node._renaming = editInline(heading, {
    value: section.name,
    current: () => (store.sections.get(section.id) || section).name,
    label: "Section name",
    testid: "section-name-input",
    className: "rename-input section-rename",
    maxlength: 200,
    hide: [field(node, "section-actions")],
    within: header,
    focusAfter: node.querySelector('[data-action="rename-section"]'),
    ignoreBlur: isRendering,
    save: async (name) => {
      const saved = await calls.sections.update(section.id, { name });
      store.acceptSection(saved, seqOf(saved));
    },
    onClose: () => {
      node._renaming = null;
      render();
    },
  });
}

// The status the section stands for (tasks moved in take it; "" frees the section).
async function setSectionStatus(node, select) {
  const section = store.sections.get(node.dataset.sectionId);
  if (!section) return;
  const status = select.value || null;
  clearFieldError(select);
  select._saving = true;
  try {
    const saved = await calls.sections.update(section.id, { status });
    store.acceptSection(saved, seqOf(saved));
  } catch (err) {
    showFieldError(select, humanMessage(err), { within: field(node, "section-name").parentElement });
  } finally {
    select._saving = false;
    render();
  }
}

async function deleteSection(node, button) {
  const sectionId = node.dataset.sectionId;
  const header = field(node, "section-name").parentElement;
  clearFieldError(button);
  button.disabled = true;
  try {
    await calls.sections.remove(sectionId);
    store.sections.delete(sectionId);
    render();
    const next = field(document, "add-section");
    const input = next && next.querySelector('input[name="name"]');
    if (input && !next.hidden) input.focus({ preventScroll: true });
  } catch (err) {
    button.disabled = false;
    showFieldError(button, humanMessage(err), { within: header });
    button.focus();
  }
}

export function bindSections(root) {
  root.addEventListener("submit", (e) => {
    const form = e.target;
    if (form.matches('[data-field="add-task-form"]')) {
      e.preventDefault();
      addTask(form);
    } else if (form.matches('[data-testid="add-section-form"]')) {
      e.preventDefault();
      addSection(form);
    }
  });
  root.addEventListener("change", (e) => {
    const select = e.target.closest('[data-field="section-status-select"]');
    const node = select && sectionOf(select);
    if (node) setSectionStatus(node, select);
  });
  root.addEventListener("input", (e) => {
    if (e.target.closest('[data-field="add-task-form"], [data-testid="add-section-form"]')) {
      clearFieldError(e.target);
    }
  });
  root.addEventListener("click", (e) => {
    const action = e.target.closest('[data-action="rename-section"], [data-action="delete-section"]');
    const node = action && sectionOf(action);
    if (!node) return;
    // Inside a List section's <summary>, a click would also fold the section.
    e.preventDefault();
    if (action.dataset.action === "rename-section") renameSection(node);
    else deleteSection(node, action);
  });
}
