// Which presses are shortcuts: never while typing or with Ctrl, Alt or Meta; two-key
// sequences ("g h") within a second and a half.

import { test } from "node:test";
import assert from "node:assert/strict";

import { KeySequence, hasModifier, isTyping } from "../../src/tasklane/web/static/js/keys.js";

const element = (tagName, props = {}) => ({ nodeType: 1, tagName, isContentEditable: false, ...props });

test("text fields, selects and editable content are typing; checkboxes and links are not", () => {
  assert.equal(isTyping(element("INPUT", { type: "text" })), true);
  assert.equal(isTyping(element("INPUT", { type: "search" })), true);
  assert.equal(isTyping(element("INPUT", { type: "date" })), true);
  assert.equal(isTyping(element("TEXTAREA")), true);
  assert.equal(isTyping(element("SELECT")), true);
  assert.equal(isTyping(element("DIV", { isContentEditable: true })), true);
  assert.equal(isTyping(element("INPUT", { type: "checkbox" })), false);
  assert.equal(isTyping(element("INPUT", { type: "radio" })), false);
  assert.equal(isTyping(element("A")), false);
  assert.equal(isTyping(null), false);
});

test("Ctrl, Alt and Meta are modifiers; Shift is not", () => {
  assert.equal(hasModifier({ ctrlKey: true }), true);
  assert.equal(hasModifier({ altKey: true }), true);
  assert.equal(hasModifier({ metaKey: true }), true);
  assert.equal(hasModifier({ shiftKey: true }), false);
});

const bindings = [
  { keys: ["?"], name: "help" },
  { keys: ["/"], name: "search" },
  { keys: ["g", "h"], name: "home" },
  { keys: ["g", "m"], name: "my tasks" },
];

test("a one-key shortcut completes at once", () => {
  const keys = new KeySequence(bindings);
  assert.deepEqual(keys.press("?", 0), { binding: bindings[0], consumed: true });
});

test("a key of no shortcut is left to the page", () => {
  const keys = new KeySequence(bindings);
  assert.deepEqual(keys.press("x", 0), { binding: null, consumed: false });
  assert.deepEqual(keys.press("h", 10), { binding: null, consumed: false });
});

test("g then h completes within the time, and not after it", () => {
  const keys = new KeySequence(bindings, { within: 1500 });
  assert.deepEqual(keys.press("g", 0), { binding: null, consumed: true });
  assert.equal(keys.press("h", 1500).binding, bindings[2]);
  keys.press("g", 2000);
  assert.deepEqual(keys.press("m", 3501), { binding: null, consumed: false });
});

test("a sequence broken by another shortcut's key gives way to it", () => {
  const keys = new KeySequence(bindings);
  keys.press("g", 0);
  assert.equal(keys.press("/", 100).binding, bindings[1]);
  keys.press("g", 200);
  assert.deepEqual(keys.press("x", 300), { binding: null, consumed: false });
  assert.deepEqual(keys.press("h", 400), { binding: null, consumed: false }); // g was dropped
});

test("reset forgets a sequence begun", () => {
  const keys = new KeySequence(bindings);
  keys.press("g", 0);
  keys.reset();
  assert.deepEqual(keys.press("h", 10), { binding: null, consumed: false });
});
