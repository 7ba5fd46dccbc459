// Undo: after a change of the reader's own that can be taken back — a deletion, a
// completion, a move — the notice that says it was done offers "Undo" for UNDO_MS;
// Ctrl+Z (⌘Z) outside a text field does the same while it shows. Undoing is a change
// like any other, its inverse made through the API, so everyone following the project
// sees it live; only the last change offered can be undone.

import { humanMessage } from "./api.js";
import { el, notify } from "./ui.js";

export const UNDO_MS = 8000;

/** @type {{ node: HTMLElement, run: () => Promise<void> } | null} */
let offered = null;

/**
 * Says `message` ("Task deleted") with an Undo button that runs `inverse()`.
 * @param {string} message @param {() => Promise<unknown>} inverse
 * @param {{ undone?: string }} [options] what to say once undone
 */
export function offerUndo(message, inverse, { undone = "Undone." } = {}) {
  withdraw();
  const button = el("button", { type: "button", class: "link-button undo-button", "data-testid": "undo-button", text: "Undo" });
  const node = notify(message, { timeout: 0 });
  node.classList.add("undo-notice");
  node.dataset.testid = "undo-notice";
  node.append(" ", button, el("span", { class: "undo-hint subtle", text: "Ctrl+Z" }));
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    button.disabled = true;
    try {
      await inverse();
      withdraw();
      notify(undone);
    } catch (err) {
      withdraw();
      notify(`Could not undo: ${humanMessage(err)}`, { kind: "error" });
    }
  };
  button.addEventListener("click", run);
  const entry = { node, run };
  offered = entry;
  setTimeout(() => {
    if (offered === entry) withdraw();
  }, UNDO_MS);
}

function withdraw() {
  if (!offered) return;
  const { node } = offered;
  offered = null;
  node.classList.add("leaving");
  setTimeout(() => node.remove(), 200);
}

// Text being typed keeps its own Ctrl+Z; a checkbox or a button just used does not.
const NOT_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"]);

function typing(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  return target instanceof HTMLInputElement && !NOT_TEXT.has(target.type);
}

document.addEventListener("keydown", (e) => {
  if (!offered || e.key.toLowerCase() !== "z" || !(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey) return;
  if (typing(e.target)) return;
  e.preventDefault();
  offered.run();
});
