// Small DOM helpers shared by the page scripts. Nothing here parses HTML: elements are
// created with document.createElement and text goes in through textContent, so text typed
// by anyone (task names, comments) can never become markup.

export const STATUS_LABELS = { todo: "To do", in_progress: "In progress", done: "Done" };
// "You are now an editor."
export const ROLE_WORDS = { owner: "an owner", editor: "an editor", commenter: "a commenter", viewer: "a viewer" };

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

export const byTestId = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);
export const allByTestId = (id, root = document) =>
  Array.from(root.querySelectorAll(`[data-testid="${id}"]`));

// The element (or elements) named `data-field="name"` inside root, the root included.
export function field(root, name) {
  if (root.matches && root.matches(`[data-field="${name}"]`)) return root;
  return root.querySelector(`[data-field="${name}"]`);
}

// el("button", {type: "button", class: "x", dataset: {id}, onclick: fn}, "text", child…)
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class" || key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  while (node && node.firstChild) node.removeChild(node.firstChild);
}

export function setText(node, text) {
  if (!node) return;
  const value = text === null || text === undefined ? "" : String(text);
  if (node.textContent !== value) node.textContent = value;
}

// The first element of a <template id=…>, cloned.
export function cloneTemplate(id) {
  const tpl = document.getElementById(id);
  if (!tpl || !tpl.content) return null;
  const first = tpl.content.firstElementChild;
  return first ? first.cloneNode(true) : null;
}

// Makes `list`'s children the nodes for `items`, in order: a node is reused by its key
// (`keyOf(node)` on the page, `key(item)` in the data), made by `create()` when missing,
// and filled by `fill(node, item)`; nodes for no item go. Only what is out of place moves,
// so focus and scroll stay where they are.
export function syncList(list, items, { selector, key, keyOf, create, fill }) {
  dropWhitespace(list);
  const existing = new Map($$(selector, list).map((node) => [keyOf(node), node]));
  let prev = null;
  for (const item of items) {
    const k = key(item);
    let node = existing.get(k);
    existing.delete(k);
    if (!node) node = create(item);
    fill(node, item);
    const expected = prev ? prev.nextElementSibling : list.firstElementChild;
    if (node !== expected) list.insertBefore(node, expected);
    prev = node;
  }
  for (const node of existing.values()) node.remove();
}

// Whitespace between server-rendered <li>s would keep `:empty` from matching.
export function dropWhitespace(list) {
  for (const n of [...list.childNodes]) if (n.nodeType === Node.TEXT_NODE && !n.textContent.trim()) n.remove();
}

export function readPageData() {
  const node = document.getElementById("page-data");
  if (!node) return {};
  try {
    return JSON.parse(node.textContent || "{}");
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------- time and dates

// Mirrors web/formatting.py's `ago`: "just now", "4 min ago", "3 h ago", "2 days ago", a date.
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return "";
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return "";
  const seconds = (now - then) / 1000;
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 7 * 86400) {
    const days = Math.round(seconds / 86400);
    return days === 1 ? "yesterday" : `${days} days ago`;
  }
  return shortDate(new Date(then), appYear());
}

// "Mar 4", with the year when it is not the app's: a gym's clock can stand in another
// year than the reader's, and the server's words (formatting.py) count from the app's.
function shortDate(d, year) {
  const sameYear = d.getFullYear() === year;
  return d.toLocaleDateString("en-US", sameYear
    ? { month: "short", day: "numeric" }
    : { month: "short", day: "numeric", year: "numeric" });
}

// Today as "YYYY-MM-DD" in the reader's time zone; or, where a gym has set the app's
// clock, the app's today.
export function todayISO(now) {
  if (now === undefined && document.body?.dataset.today) return document.body.dataset.today;
  now ??= new Date();
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, "0");
  const d = String(now.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

function appYear() {
  return parseDay(todayISO()).getFullYear();
}

function parseDay(day) {
  const [y, m, d] = String(day).split("-").map(Number);
  return new Date(y, m - 1, d);
}

// "Today", "Tomorrow", "Yesterday", or "Mar 4" (with the year when it is not this one).
export function formatDue(day) {
  if (!day) return "";
  const target = parseDay(day);
  const today = parseDay(todayISO());
  const diff = Math.round((target - today) / 86400000);
  if (diff === 0) return "Today";
  if (diff === 1) return "Tomorrow";
  if (diff === -1) return "Yesterday";
  return shortDate(target, today.getFullYear());
}

export function isOverdue(day, status) {
  return Boolean(day) && status !== "done" && day < todayISO();
}

// A <time> showing "3 min ago" for `iso`, kept current by the ticker below.
export function setRelativeTime(node, iso) {
  if (!node) return;
  node.setAttribute("datetime", iso || "");
  node.setAttribute("data-relative-time", iso || "");
  node.title = iso ? new Date(iso).toLocaleString() : "";
  setText(node, relativeTime(iso));
}

// Keeps every `[data-relative-time]` element's text current.
export function tickRelativeTimes(root = document) {
  for (const node of root.querySelectorAll("[data-relative-time]")) {
    setText(node, relativeTime(node.getAttribute("data-relative-time")));
  }
}

let ticking = false;
export function startRelativeTimeTicker() {
  if (ticking) return;
  ticking = true;
  setInterval(() => tickRelativeTimes(), 30000);
}

// ---------------------------------------------------------------- people

// Mirrors web/formatting.py: up to two letters ("Ana Alvarez" → "AA", "chen" → "C").
// Mirrors web/formatting.py's `initials`: the first letter or digit of the first two
// words that have one ("Pilot · Launch" → "PL").
export function initials(name) {
  const firsts = String(name || "").split(/\s+/).map((w) => (w.match(/[\p{L}\p{N}]/u) || [""])[0]);
  return firsts.filter(Boolean).slice(0, 2).join("").toUpperCase() || "?";
}

export const AVATAR_HUES = 8;

// Mirrors web/formatting.py's avatar_hue: the sum of the id's character codes modulo 8.
export function avatarHue(id) {
  let sum = 0;
  for (const ch of String(id || "")) sum += ch.codePointAt(0);
  return sum % AVATAR_HUES;
}

// The colours a person may choose for their avatar, in the order of the `hue-N` classes
// (protocol/auth.py's AVATAR_COLORS, held equal by a test).
export const AVATAR_COLORS = ["blue", "pink", "purple", "teal", "green", "orange", "indigo", "navy"];

// Mirrors web/formatting.py's person_hue: the colour `person` chose, else their id's.
export function personHue(person) {
  const chosen = AVATAR_COLORS.indexOf(person && person.avatarColor);
  return chosen >= 0 ? chosen : avatarHue(person ? person.id : "");
}

// Puts `hue-N` (and nothing else of that kind) on an avatar element: the colour of
// `who`, a person ({id, avatarColor}) or a user id.
export function setHue(node, who) {
  if (!node) return;
  for (const cls of [...node.classList]) if (/^hue-\d+$/.test(cls)) node.classList.remove(cls);
  node.classList.add(`hue-${typeof who === "object" && who ? personHue(who) : avatarHue(who)}`);
}

// Fills an avatar element (a clone of the macros' `avatar`) for `person` ({id, name,
// avatarColor?}),
// or empties it; `named` ones are announced and show the name on hover.
export function fillAvatar(node, person, { named = false } = {}) {
  if (!node) return;
  setText(node, person ? initials(person.name) : "");
  setHue(node, person || "");
  if (named && person) {
    node.setAttribute("role", "img");
    node.title = person.name;
    node.setAttribute("aria-label", person.name);
  }
}

// ---------------------------------------------------------------- notices

function noticeRegion() {
  let region = byTestId("notices");
  if (!region) {
    region = el("div", { class: "notices", "data-testid": "notices", "aria-live": "polite" });
    document.body.append(region);
  }
  return region;
}

// A short message at the bottom-left that vanishes after `timeout` ms; they stack.
export function notify(message, { kind = "info", timeout = 5000 } = {}) {
  const region = noticeRegion();
  let node = cloneTemplate("notice-template");
  if (node) {
    setText(field(node, "text") || node, message);
  } else {
    node = el("div", { class: "notice", "data-testid": "notice" }, el("span", { "data-field": "text", text: message }));
  }
  if (kind === "error") node.classList.add("is-error");
  node.dataset.kind = kind;
  if (kind === "error") node.setAttribute("role", "alert");
  region.append(node);
  while (region.children.length > 4) region.firstElementChild.remove();
  if (timeout > 0) {
    setTimeout(() => {
      node.classList.add("leaving");
      setTimeout(() => node.remove(), 200);
    }, timeout);
  }
  return node;
}

// ---------------------------------------------------------------- inline messages

let noteCounter = 0;

// A note goes right after the field, or at the end of `within` (a row's cell) when given.
function attachNote(input, className, testid, message, role, within) {
  const key = className.replace(/-/g, "_");
  let note = input[`_${key}`];
  if (!note || !note.isConnected) {
    noteCounter += 1;
    note = el("span", { class: className, "data-testid": testid, id: `${className}-${noteCounter}`, role });
    if (within) within.append(note);
    else input.insertAdjacentElement("afterend", note);
    input[`_${key}`] = note;
  }
  setText(note, message);
  const ids = new Set((input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  ids.add(note.id);
  input.setAttribute("aria-describedby", [...ids].join(" "));
  return note;
}

function detachNote(input, className) {
  const key = className.replace(/-/g, "_");
  const note = input && input[`_${key}`];
  if (!note) return;
  const ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== note.id);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  else input.removeAttribute("aria-describedby");
  note.remove();
  input[`_${key}`] = null;
}

// The errors the server rendered into a form (a page shown again after a failed post);
// gone once the form is tried again.
export function clearServerErrors(form) {
  if (!form) return;
  for (const p of form.querySelectorAll("p.field-error")) p.remove();
  for (const i of form.querySelectorAll("[aria-invalid]")) {
    i.removeAttribute("aria-invalid");
    i.removeAttribute("aria-describedby");
  }
}

// An error about a task row or card, beside its name, for a few seconds.
export function showRowError(row, message) {
  const anchor = field(row, "name") || row;
  const spot = row.querySelector(".task-main") || row.querySelector(".card-meta") || row;
  showFieldError(anchor, message, { within: spot });
  clearTimeout(anchor._errTimer);
  anchor._errTimer = setTimeout(() => clearFieldError(anchor), 8000);
}

export function clearRowError(row) {
  clearFieldError(field(row, "name") || row);
}

// An error in words, right next to the field that failed. The field keeps its text.
export function showFieldError(input, message, { within = null } = {}) {
  if (!input) return null;
  input.setAttribute("aria-invalid", "true");
  return attachNote(input, "field-error", "field-error", message, "alert", within);
}

export function clearFieldError(input) {
  if (!input) return;
  input.removeAttribute("aria-invalid");
  detachNote(input, "field-error");
}

// "Changed by Ana — yours kept": someone else changed what this field is editing.
export function showRemoteNote(input, byName, { within = null } = {}) {
  if (!input) return null;
  return attachNote(input, "field-note", "field-note", `Changed by ${byName || "someone"} — yours kept`, "status", within);
}

export function clearRemoteNote(input) {
  detachNote(input, "field-note");
}

// ---------------------------------------------------------------- motion

// Flashes a changed row or card once (the CSS animates `.flash`).
export function flash(node) {
  if (!node) return;
  node.classList.remove("flash");
  void node.offsetWidth; // restart the animation
  node.classList.add("flash");
  clearTimeout(node._flashTimer);
  node._flashTimer = setTimeout(() => node.classList.remove("flash"), 1600);
}

// ---------------------------------------------------------------- keyboard

/**
 * Moves the focus among `items` (a menu's, a toolbar's) for the arrow key `key`: the
 * next or previous (round), Home and End the first and last. Whether the key was one.
 */
export function focusByKey(items, key, { next = "ArrowDown", previous = "ArrowUp" } = {}) {
  if (!items.length) return false;
  const at = items.indexOf(document.activeElement);
  const to = { [next]: at + 1, [previous]: at - 1 + items.length, Home: 0, End: items.length - 1 }[key];
  if (to === undefined) return false;
  items[to % items.length].focus();
  return true;
}
