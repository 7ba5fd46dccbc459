// The project page's changes that can be undone, each with its inverse (undo.js shows
// the offer): a completion (the status it had), a move (the section and place it had),
// a deletion (restored, with its subtasks and comments). The inverse is a change like
// any other: its event reaches everyone following the project.

import { offerUndo } from "../undo.js";
import { STATUS_LABELS } from "../ui.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { render } from "./view.js";

const quoted = (name) => `\u201c${name}\u201d`;

/** `task` went from status `previous` to `task.status`. @param {any} task @param {string} previous */
export function offerStatusUndo(task, previous) {
  const words = task.status === "done"
    ? `Completed ${quoted(task.name)}.`
    : `${quoted(task.name)} is ${(STATUS_LABELS[task.status] || task.status).toLowerCase()}.`;
  offerUndo(words, async () => {
    const saved = await calls.tasks.update(task.id, { status: previous });
    store.acceptTask(saved, seqOf(saved));
    render();
  });
}

/** `task` was moved; `back()` moves it where it was. @param {any} task @param {() => Promise<unknown>} back */
export function offerMoveUndo(task, back) {
  offerUndo(`Moved ${quoted(task.name)}.`, back);
}

/** `task` was deleted. @param {any} task */
export function offerDeleteUndo(task) {
  offerUndo(`Deleted ${quoted(task.name)}.`, async () => {
    const restored = await calls.tasks.restore(task.id);
    store.acceptTask(restored, seqOf(restored));
    render();
  });
}
