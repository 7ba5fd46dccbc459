// The keyboard shortcuts of every signed-in page, and the "?" dialog that lists them.
// SHORTCUTS is the one list: the dialog shows it, and the presses with a `run` are read
// here (keys.js), on any page, never while typing or with Ctrl, Alt or Meta held. The
// others are handled where they apply (the task pane's Esc, a row's F2, …) and are
// listed so that the dialog names every shortcut the app has.

import { showDialog } from "./dialogs.js";
import { KeySequence, hasModifier, isTyping } from "./keys.js";
import { openQuickAdd } from "./quick-add.js";
import { byTestId, el } from "./ui.js";
import { at } from "./urls.js";

function focusSearch() {
  const input = byTestId("search-input");
  if (!input) return;
  input.focus();
  input.select();
}

/**
 * Every shortcut, in the dialog's order. `press` is what the reader presses: presses
 * in turn are separated by a space ("g h"), keys held together by "+" ("Ctrl+Enter").
 */
export const SHORTCUTS = [
  { group: "Anywhere", press: "?", does: "Show keyboard shortcuts", run: () => showShortcuts() },
  { group: "Anywhere", press: "/", does: "Search tasks", run: focusSearch },
  { group: "Anywhere", press: "q", does: "Quick add a task", run: () => openQuickAdd() },
  { group: "Anywhere", press: "g h", does: "Go to Home", run: () => location.assign(at("/")) },
  { group: "Anywhere", press: "g m", does: "Go to My Tasks", run: () => location.assign(at("/my-tasks")) },
  { group: "Tasks", press: "F2", does: "Rename the focused task (List, My Tasks, search)" },
  { group: "Tasks", press: "Enter", does: "Save a rename; in “Add task…”, add the task and start the next" },
  { group: "Tasks", press: "Ctrl+Enter", does: "Save the notes, or post the comment (⌘+Enter on a Mac)" },
  { group: "Tasks", press: "Esc", does: "Close a dialog, a menu or the task pane; cancel a rename; else clear the selected tasks" },
  { group: "Tasks", press: "Ctrl+z", does: "Undo your last deletion, completion or move (of one task or of the selected tasks) while its notice shows (⌘+Z on a Mac)" },
  { group: "Tasks", press: "Shift+click", does: "On a task's selection checkbox: select, or unselect, every task of its list from the last one set (List, Board, My Tasks)" },
];

const sequence = new KeySequence(
  SHORTCUTS.filter((s) => s.run).map((s) => ({ keys: s.press.split(" "), run: s.run })),
);

// A press as <kbd> elements, read as "g then h" and "Ctrl + Enter".
function keysOf(press) {
  const parts = [];
  press.split(" ").forEach((step, i) => {
    if (i > 0) parts.push(" ", el("span", { class: "key-then", text: "then" }), " ");
    step.split("+").forEach((key, j) => {
      if (j > 0) parts.push(" ", el("span", { class: "key-plus", text: "+" }), " ");
      parts.push(el("kbd", { text: key }));
    });
  });
  return parts;
}

function shortcutsDialog() {
  const groups = [...new Set(SHORTCUTS.map((s) => s.group))];
  return el("dialog", {
    class: "dialog shortcuts-dialog",
    "data-testid": "shortcuts-dialog",
    "aria-labelledby": "shortcuts-title",
  },
  el("div", { class: "dialog-head" },
    el("h2", { id: "shortcuts-title", class: "dialog-title", text: "Keyboard shortcuts" }),
    el("button", { type: "button", class: "button small", "data-action": "close-dialog", autofocus: true, text: "Close" })),
  groups.map((group) => el("section", { class: "shortcut-group", "aria-label": group },
    el("h3", { class: "shortcut-group-title", text: group }),
    el("dl", { class: "shortcut-list" },
      SHORTCUTS.filter((s) => s.group === group).map((s) =>
        el("div", { class: "shortcut", "data-testid": "shortcut" },
          el("dt", { class: "shortcut-keys" }, keysOf(s.press)),
          el("dd", { text: s.does })))))));
}

/** Opens the "?" dialog; resolves when it closes. */
export function showShortcuts() {
  return showDialog(shortcutsDialog());
}

function onKeydown(e) {
  const open = document.querySelector("dialog[open]");
  if (e.defaultPrevented || e.isComposing || hasModifier(e) || isTyping(e.target) || open) {
    sequence.reset();
    return;
  }
  const { binding, consumed } = sequence.press(e.key, e.timeStamp);
  if (consumed) e.preventDefault();
  if (binding) binding.run();
}

if (globalThis.document) {
  document.addEventListener("keydown", onKeydown);
  // Announced to assistive technology, once the key works.
  byTestId("search-input")?.setAttribute("aria-keyshortcuts", "/");
  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest('[data-action="show-shortcuts"]')) showShortcuts();
  });
}
