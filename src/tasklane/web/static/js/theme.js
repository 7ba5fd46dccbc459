// The sidebar's theme switch (System / Light / Dark). The choice is kept in
// localStorage and shown as <html data-theme> ("light" or "dark"; none for System,
// when the stylesheet follows prefers-color-scheme). theme-boot.js reads the same key
// before each page's first paint; this module changes it, and follows a change made in
// another tab.

import { $$ } from "./ui.js";

export const THEME_KEY = "tasklane-theme";
const CHOSEN = new Set(["light", "dark"]);

/** The reader's choice: "light", "dark", or "system" when there is none. */
export function storedTheme(storage = globalThis.localStorage) {
  try {
    const value = storage.getItem(THEME_KEY);
    return CHOSEN.has(value) ? value : "system";
  } catch {
    return "system"; // storage refused: the system's theme
  }
}

/** Shows `choice` on `root` (the <html> element). */
export function applyTheme(choice, root = document.documentElement) {
  if (CHOSEN.has(choice)) root.dataset.theme = choice;
  else delete root.dataset.theme;
}

/** Keeps `choice` and shows it; "system" forgets the choice. */
export function chooseTheme(choice, storage = globalThis.localStorage, root = document.documentElement) {
  try {
    if (CHOSEN.has(choice)) storage.setItem(THEME_KEY, choice);
    else storage.removeItem(THEME_KEY);
  } catch {
    // Not kept (storage refused): this page still shows it.
  }
  applyTheme(choice, root);
}

function bindSwitch() {
  const radios = $$('input[name="theme"]');
  const check = (choice) => {
    for (const radio of radios) radio.checked = radio.value === choice;
  };
  check(storedTheme());
  for (const radio of radios) {
    radio.addEventListener("change", () => {
      if (radio.checked) chooseTheme(radio.value);
    });
  }
  window.addEventListener("storage", (e) => {
    if (e.key !== THEME_KEY && e.key !== null) return;
    const choice = storedTheme();
    applyTheme(choice);
    check(choice);
  });
}

if (globalThis.document) bindSwitch();
