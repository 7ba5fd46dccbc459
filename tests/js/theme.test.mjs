// The theme: kept in localStorage under one key, which the boot script (run before the
// first paint) and the switch (theme.js) both read.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

import { THEME_KEY, applyTheme, chooseTheme, storedTheme } from "../../src/tasklane/web/static/js/theme.js";

const BOOT = readFileSync(new URL("../../src/tasklane/web/static/js/theme-boot.js", import.meta.url), "utf8");

function fakeStorage(entries = {}) {
  const items = new Map(Object.entries(entries));
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    items,
  };
}

const refusing = {
  getItem() { throw new Error("SecurityError"); },
  setItem() { throw new Error("SecurityError"); },
  removeItem() { throw new Error("SecurityError"); },
};

// The boot script on a page whose storage holds `entries`: the <html> element after it.
function boot(storage) {
  const html = { dataset: {} };
  vm.runInNewContext(BOOT, { localStorage: storage, document: { documentElement: html } });
  return html;
}

test("no choice, or one unknown, is the system's", () => {
  assert.equal(storedTheme(fakeStorage()), "system");
  assert.equal(storedTheme(fakeStorage({ [THEME_KEY]: "sepia" })), "system");
  assert.equal(storedTheme(refusing), "system");
});

test("a choice is kept, shown, and forgotten for System", () => {
  const storage = fakeStorage();
  const html = { dataset: {} };
  chooseTheme("dark", storage, html);
  assert.equal(storage.getItem(THEME_KEY), "dark");
  assert.equal(html.dataset.theme, "dark");
  assert.equal(storedTheme(storage), "dark");
  chooseTheme("system", storage, html);
  assert.equal(storage.items.has(THEME_KEY), false);
  assert.equal("theme" in html.dataset, false);
});

test("a page whose storage is refused still shows the choice", () => {
  const html = { dataset: {} };
  chooseTheme("light", refusing, html);
  assert.equal(html.dataset.theme, "light");
  applyTheme("system", html);
  assert.equal("theme" in html.dataset, false);
});

test("the boot script reads the key the switch writes", () => {
  const storage = fakeStorage();
  chooseTheme("dark", storage, { dataset: {} });
  assert.equal(boot(storage).dataset.theme, "dark");
  chooseTheme("light", storage, { dataset: {} });
  assert.equal(boot(storage).dataset.theme, "light");
  chooseTheme("system", storage, { dataset: {} });
  assert.equal("theme" in boot(storage).dataset, false);
  assert.equal("theme" in boot(fakeStorage({ [THEME_KEY]: "sepia" })).dataset, false);
  assert.equal("theme" in boot(refusing).dataset, false);
});
