// The filter bar of a List, a Board or My Tasks (templates/view_filters.html): its state
// lives in the page's URL query, read once as the page loads and written back with
// history.replaceState as a control changes, so a view can be linked and survives a
// reload; the List and Board tabs, and the page's own links (urls below), carry it.
// What each value means is view-filters.js's; the page draws itself when told
// (`bindFilterBar(draw)`) and reports what it showed (`showCounts`).

import { VIEW_PARAMS, parseViewQuery, viewQuery, isFiltered, withoutFilters } from "./view-filters.js";
import { $$, byTestId, setText } from "./ui.js";

const bar = globalThis.document ? byTestId("filter-bar") : null;
const kind = bar ? bar.dataset.view : null;
// The query the page was opened with: what the view does not use itself (the List's
// grouping, on the Board) goes on in its links.
const opened = globalThis.location ? location.search : "";
let state = kind ? parseViewQuery(opened, kind) : null;

/** The view's state (view-filters.js's shape), or null on a page without the bar. */
export function viewState() {
  return state;
}

/** The view's URL query, without "?" ("" at the defaults). */
export function currentQuery() {
  return kind ? viewQuery(state, kind, opened) : "";
}

/** `url` with the view's query added (after any query it has). */
export function withViewQuery(url) {
  const query = currentQuery();
  if (!query) return url;
  return `${url}${url.includes("?") ? "&" : "?"}${query}`;
}

// The address bar: the path and what else its query says (a task's `view=board`) stay.
function writeUrl() {
  const params = new URLSearchParams(location.search);
  for (const key of VIEW_PARAMS) params.delete(key);
  const query = [params.toString(), currentQuery()].filter(Boolean).join("&");
  history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  for (const tab of $$('[data-testid="view-list"], [data-testid="view-board"]')) {
    const path = new URL(tab.getAttribute("href"), location.href).pathname;
    const own = currentQuery();
    tab.setAttribute("href", own ? `${path}?${own}` : path);
  }
}

function controls() {
  return bar ? $$("input[name], select[name]", bar) : [];
}

function showState() {
  for (const control of controls()) {
    const value = state[control.name] ?? "";
    if (control.value !== value && document.activeElement !== control) control.value = value;
    // An id the page does not know (a section deleted since the link was made): named
    // for what it was, so the control says what the view filters by.
    if (control.tagName === "SELECT" && control.value !== value) {
      control.append(new Option(control.name === "assignee" ? "A former member" : "One no longer here", value, false, true));
    }
  }
}

function readControls() {
  const next = { ...state };
  for (const control of controls()) next[control.name] = control.value;
  state = parseViewQuery(viewQuery(next, kind), kind);
}

/**
 * Fills the options of select `name` marked with `marker` (`data-person`,
 * `data-section`) from `items` ({value, label}), in order: members and sections change
 * while the page is open.
 */
export function setChoices(name, marker, items) {
  const select = bar && bar.querySelector(`select[name="${name}"]`);
  if (!select) return;
  const current = [...select.options].filter((o) => o.hasAttribute(marker));
  const same = current.length === items.length && current.every((o, i) => o.value === items[i].value && o.text === items[i].label);
  if (same) return;
  for (const option of current) option.remove();
  for (const { value, label } of items) {
    const option = new Option(label, value);
    option.setAttribute(marker, "");
    select.append(option);
  }
  showState();
}

/**
 * Says how many of `total` tasks the view shows: the count and "Clear filters" while
 * filtered, and the empty state when the filters hide every task.
 */
export function showCounts(shown, total) {
  if (!bar) return;
  const filtered = isFiltered(state);
  setText(byTestId("filter-count", bar), filtered ? `Showing ${shown} of ${total} ${total === 1 ? "task" : "tasks"}` : "");
  byTestId("filter-clear", bar).hidden = !filtered;
  const empty = byTestId("filter-empty");
  if (empty) empty.hidden = !(filtered && shown === 0 && total > 0);
  document.body.classList.toggle("view-filtered", filtered);
}

/**
 * Binds the bar: the controls show the URL's state, and each change rewrites the URL
 * and calls `draw()`. Does nothing on a page without the bar.
 */
export function bindFilterBar(draw) {
  if (!bar) return;
  showState();
  writeUrl();
  const changed = () => {
    readControls();
    writeUrl();
    draw();
  };
  bar.addEventListener("input", (e) => {
    if (e.target.name === "q") changed();
  });
  bar.addEventListener("change", (e) => {
    if (e.target.name && e.target.name !== "q") changed();
  });
  bar.addEventListener("submit", (e) => e.preventDefault()); // Enter in the text box
  bar.addEventListener("click", (e) => {
    if (!e.target.closest('[data-action="clear-filters"]')) return;
    state = withoutFilters(state);
    showState();
    writeUrl();
    draw();
    // The button hides once nothing is filtered: the text box takes the focus.
    bar.querySelector('input[name="q"]').focus();
  });
}
