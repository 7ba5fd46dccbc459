// Renaming in place: a task's name in a row, the project's name in its header, a
// section's name. The shown text is swapped for an input; Enter or leaving the field
// saves, Esc puts the text back. A refusal shows beside the input, which keeps what was
// typed.

import { humanMessage } from "./api.js";
import { el, showFieldError, clearFieldError, clearRemoteNote } from "./ui.js";

/**
 * Starts editing `shown` (the element whose text is the name) in place.
 *
 *   value      the text to start from
 *   current    () => the name as it is now (typing it again saves nothing); default: value
 *   save       async (text) => …; throws to keep the input open with the error beside it
 *   label, testid, className, maxlength   the input's
 *   hide       more elements to hide while editing (a pencil button)
 *   within     where errors go (default: right after the input)
 *   focusAfter what gets focus when Enter or Esc ends the edit (default: shown)
 *   ignoreBlur () => true while a blur is not the reader leaving (rows being moved)
 *   onClose    () => … once the input is gone
 *
 * Returns {input, close}.
 */
export function editInline(shown, options) {
  const {
    value,
    current = () => value,
    save,
    label,
    testid,
    className = "rename-input",
    maxlength = 500,
    hide = [],
    within = null,
    focusAfter = shown,
    ignoreBlur = () => false,
    onClose = null,
  } = options;
  const input = el("input", {
    type: "text", class: className, "data-testid": testid, "aria-label": label,
    maxlength: String(maxlength), autocomplete: "off",
  });
  input.value = value;
  const hidden = [shown, ...hide].filter(Boolean).map((node) => [node, node.hidden]);
  for (const [node] of hidden) node.hidden = true;
  shown.insertAdjacentElement("afterend", input);
  input.focus();
  input.select();

  let done = false;
  const close = ({ refocus = false } = {}) => {
    if (done) return;
    done = true;
    clearFieldError(input);
    clearRemoteNote(input);
    input.remove();
    for (const [node, was] of hidden) node.hidden = was;
    if (onClose) onClose();
    if (refocus && focusAfter && focusAfter.isConnected) focusAfter.focus();
  };

  const submit = async ({ refocus }) => {
    const text = input.value.trim();
    if (!text) {
      showFieldError(input, "Enter a name.", { within });
      return;
    }
    if (text === current()) {
      close({ refocus });
      return;
    }
    input.disabled = true;
    try {
      await save(text);
      close({ refocus });
    } catch (err) {
      input.disabled = false;
      showFieldError(input, humanMessage(err), { within });
      if (refocus) input.focus();
    }
  };

  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      submit({ refocus: true });
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation(); // Esc ends the edit, not the pane or menu around it
      close({ refocus: true });
    }
  });
  // Inside a <summary> (a List section's header) a space's keyup would also fold the
  // section; the space is typed on keydown, so cancelling the keyup costs nothing.
  input.addEventListener("keyup", (e) => {
    if (e.key === " ") e.preventDefault();
  });
  input.addEventListener("input", () => clearFieldError(input));
  input.addEventListener("blur", () => {
    if (!done && !input.disabled && !ignoreBlur()) submit({ refocus: false });
  });
  return { input, close };
}
