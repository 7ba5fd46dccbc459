// Modal dialogs: a <dialog> shown with showModal(), so the browser keeps focus inside it
// and the rest of the page inert; Esc or Cancel closes it, and focus goes back to the
// control that opened it. `confirmAction` asks before something that cannot be undone.

import { el } from "./ui.js";

/**
 * Shows `node` (a <dialog>) until it closes; resolves with its returnValue ("" when
 * cancelled). Esc is the dialog's own: it closes this dialog and nothing behind it
 * (the task pane's Esc, say).
 */
export function showDialog(node, { opener = document.activeElement } = {}) {
  return new Promise((resolve) => {
    node.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      e.stopPropagation();
      node.close("");
    });
    node.addEventListener("click", (e) => {
      if (e.target.closest('[data-action="close-dialog"]')) node.close("");
    });
    node.addEventListener("close", () => {
      node.remove();
      if (opener && opener.isConnected) opener.focus({ preventScroll: true });
      resolve(node.returnValue);
    }, { once: true });
    document.body.append(node);
    node.showModal();
    const first = node.querySelector("[autofocus]");
    if (first) first.focus();
  });
}

/**
 * Asks "`title`" with `message` beneath, and two buttons: Cancel (focused, so a stray
 * Enter does nothing irreversible) and `confirm`. Resolves true when confirmed.
 */
let asked = 0;

export async function confirmAction({ title, message, confirm }) {
  asked += 1;
  const titleId = `confirm-title-${asked}`;
  const node = el("dialog", {
    class: "dialog confirm-dialog",
    "data-testid": "confirm-dialog",
    "aria-labelledby": titleId,
  },
  el("h2", { id: titleId, class: "dialog-title", text: title }),
  el("p", { class: "dialog-message", text: message }),
  el("form", { method: "dialog", class: "dialog-actions" },
    el("button", { type: "submit", value: "", class: "button", "data-testid": "confirm-cancel", autofocus: true, text: "Cancel" }),
    el("button", { type: "submit", value: "confirm", class: "button danger-button", "data-testid": "confirm-accept", text: confirm })));
  return (await showDialog(node)) === "confirm";
}
