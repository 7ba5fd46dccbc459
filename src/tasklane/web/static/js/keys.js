// Which key presses are the reader's shortcuts, without the DOM: a press while typing
// or with Ctrl, Alt or Meta held is never one, and a shortcut may take two presses in a
// row ("g" then "h"). shortcuts.js feeds it the page's keydowns.

// Inputs whose keys are not text: a shortcut pressed on one of them still counts.
const NOT_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

/** Whether a key pressed with `target` focused goes into text: a text input, a
 * textarea, a select (its letters choose an option) or editable content. */
export function isTyping(target) {
  if (!target || target.nodeType !== 1) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return !NOT_TEXT.has(String(target.type || "text").toLowerCase());
  return false;
}

/** Ctrl, Alt and Meta make a press the browser's or the system's. Shift does not: it
 * only changes the key ("?" is Shift and "/" on many keyboards). */
export function hasModifier(event) {
  return Boolean(event.ctrlKey || event.altKey || event.metaKey);
}

const startsWith = (keys, begun) => begun.every((key, i) => keys[i] === key);

/**
 * Reads presses into shortcuts. Each binding has `keys`, the presses in order
 * (["?"], ["g", "h"]); the presses of one shortcut come within `within` ms of each
 * other. `press` answers `{ binding, consumed }`: the binding the press completed (or
 * null), and whether the press belongs to a shortcut (completed or begun), so that
 * the page should not act on it too.
 */
export class KeySequence {
  constructor(bindings, { within = 1500 } = {}) {
    this.bindings = bindings;
    this.within = within;
    this.begun = [];
    this.at = 0;
  }

  press(key, now) {
    const fresh = this.begun.length === 0 || now - this.at > this.within;
    const begun = fresh ? [key] : [...this.begun, key];
    this.begun = [];
    const done = this.bindings.find((b) => b.keys.length === begun.length && startsWith(b.keys, begun));
    if (done) return { binding: done, consumed: true };
    if (this.bindings.some((b) => b.keys.length > begun.length && startsWith(b.keys, begun))) {
      this.begun = begun;
      this.at = now;
      return { binding: null, consumed: true };
    }
    // "g" then "/": the sequence is dropped, and "/" counts on its own.
    return fresh ? { binding: null, consumed: false } : this.press(key, now);
  }

  /** Forgets a sequence begun: the reader went on typing or clicked elsewhere. */
  reset() {
    this.begun = [];
  }
}
