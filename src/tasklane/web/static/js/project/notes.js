// The task pane's notes: Markdown shown rendered (links open in a new tab), edited as
// text. "Edit notes", or a click into empty notes, swaps in the textarea; it saves as
// the other fields do (pane-fields.js: on leaving it, or Ctrl/⌘+Enter) and Esc puts back
// what was saved. The textarea stays while its text is not saved (a failed save shows its
// error there), and the rendered notes follow the saved text, live.

import { byTestId, el, clearFieldError, clearRemoteNote } from "../ui.js";
import { store } from "./store.js";
import { showMarkdown, adoptMarkdown } from "../markdown.js";

const parts = (node) => ({
  input: byTestId("pane-notes", node),
  view: byTestId("pane-notes-view", node),
  edit: byTestId("edit-notes", node),
});

// The same words as the template's notes_placeholder (macros.html).
function placeholder(canEdit) {
  const text = canEdit
    ? "No notes yet. Click here to add details, links or a checklist (Markdown works)."
    : "No notes.";
  return el("p", { class: "notes-placeholder", "data-field": "notes-placeholder", text });
}

// Typing, or typed and not saved (the server keeps notes trimmed, as pane-fields.js does).
function editing(pane, input) {
  const saved = pane.base.notes ?? input.value;
  return !input.hidden && (input === document.activeElement || input.value.trim() !== saved);
}

export function startEditingNotes(pane) {
  const { input, view } = parts(pane.node);
  if (!input || input.readOnly) return;
  view.hidden = true;
  input.hidden = false;
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

// Back to the rendered notes, unless the text is still being typed or not saved yet.
export function renderNotes(pane) {
  if (!pane.node) return; // closed since
  const { input, view, edit } = parts(pane.node);
  if (!input || !view) return;
  const canEdit = store.canEdit();
  if (edit) edit.hidden = !canEdit;
  if (editing(pane, input)) return;
  if (pane.base.notes !== undefined) input.value = pane.base.notes;
  input.hidden = true;
  view.hidden = false;
  view.classList.toggle("is-editable", canEdit);
  showMarkdown(view, input.value, { empty: () => placeholder(canEdit) });
}

function cancel(pane, input) {
  input.value = pane.base.notes ?? input.value;
  clearFieldError(input);
  clearRemoteNote(input);
  finish(pane);
}

// Leaves the textarea for the button that opened it (its blur saves what changed).
function finish(pane) {
  const { input, edit } = parts(pane.node);
  if (edit && !edit.hidden) edit.focus();
  else input.blur();
  renderNotes(pane);
}

// A pane the server rendered (`adopted`) shows the notes its textarea holds.
export function bindNotes(pane, node, adopted) {
  const { input, view, edit } = parts(node);
  if (!input || !view) return;
  if (adopted) adoptMarkdown(view, input.value);
  if (edit) edit.addEventListener("click", () => startEditingNotes(pane));
  view.addEventListener("click", (e) => {
    if (e.target.closest("a") || input.value.trim()) return;
    startEditingNotes(pane);
  });
  input.addEventListener("blur", () => queueMicrotask(() => renderNotes(pane)));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      cancel(pane, input);
    } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      // pane-fields.js saves it; the textarea goes once the save is answered.
      queueMicrotask(() => finish(pane));
    }
  });
}
