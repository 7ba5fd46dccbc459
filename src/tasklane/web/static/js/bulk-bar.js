// Selecting tasks and changing them together, on the List, the Board and My Tasks. Each
// row or card has a selection checkbox (`data-field="select"`, "Select “name”");
// Shift+click sets a range of one list, Esc clears. While anything is selected the
// "Bulk actions" toolbar shows how many, and marks them complete (or incomplete), moves
// them to a section, assigns them, deletes them after asking, or clears the selection.
// The change is bulk-change.js's, made through the page's own calls one task after
// another ("Changing 3 of 12…"), and offered back as one undo (undo.js).
//
// Selection is by task id: a task that changes live stays selected, one deleted (or no
// longer shown) leaves it, whoever made it go.

import { humanMessage } from "./api.js";
import { confirmAction } from "./dialogs.js";
import { isTyping } from "./keys.js";
import { offerUndo } from "./undo.js";
import { $$, el, focusByKey, notify, setText, showRowError } from "./ui.js";
import { TaskSelection } from "./task-selection.js";
import { applyBulkChange, bulkWords, inverseOf, plural, undoBulkChange } from "./bulk-change.js";

const SELECT = '[data-field="select"]';

/**
 * @typedef {{ id: string, name: string }} Choice
 * @typedef {{ allowed: (tasks: any[]) => boolean, choices: (tasks: any[]) => Promise<Choice[]> }} Choosing
 * @typedef {{
 *   root: Element,
 *   item: string,
 *   where: string,
 *   task: (id: string) => any,
 *   canEdit: () => boolean,
 *   indexes: (tasks: any[], kind: string) => Promise<Map<string, number>>,
 *   moveTo: Choosing | null,
 *   assignTo: Choosing,
 *   perform: import("./bulk-change.js").Perform,
 *   onDrawn: (fn: () => void) => void,
 * }} BulkPage
 *   root      where the rows or cards are; `item` their selector
 *   where     "in the project" or "in their projects": where a deletion is seen
 *   task      the task of an id as the page has it now (null when gone)
 *   indexes   each task's place among the top-level tasks of its section, for a change
 *             of `kind` (one that moves no task may leave them out)
 *   moveTo    whether the tasks may move, and the sections they may move to (null:
 *             tasks do not move here); `assignTo` likewise, whom they may be given to
 *             (an id of "" for nobody)
 *   perform   the page's calls, each updating what the page draws from
 *   onDrawn   runs `fn` after every drawing of the rows
 */

/** Binds selection and the toolbar to `page`. @param {BulkPage} page */
export function bindBulkChange(page) {
  const selection = new TaskSelection();
  /** @type {"idle" | "changing"} */
  let state = "idle";
  /** @type {{ node: HTMLElement, button: HTMLElement } | null} */
  let menu = null;
  let lastSet = null; // the task whose checkbox was used last: focus goes back to it

  const count = el("span", { class: "bulk-count", "data-testid": "bulk-count", "aria-live": "polite" });
  const button = (text, testid, extra = {}) =>
    el("button", { type: "button", class: "button small", "data-testid": testid, text, ...extra });
  const controls = {
    complete: button("Mark complete", "bulk-complete"),
    move: button("Move to\u2026", "bulk-move", { "aria-haspopup": "menu", "aria-expanded": "false" }),
    assign: button("Assign to\u2026", "bulk-assign", { "aria-haspopup": "menu", "aria-expanded": "false" }),
    remove: button("Delete", "bulk-delete", { class: "button small danger-button" }),
    clear: button("Clear selection", "bulk-clear"),
  };
  const bar = el("div", {
    class: "bulk-bar needs-script",
    role: "toolbar",
    "aria-label": "Bulk actions",
    "data-testid": "bulk-bar",
    hidden: true,
  }, count, Object.values(controls));
  page.root.before(bar);
  // The notices stand above it (app.css).
  new ResizeObserver(() => {
    if (!bar.hidden) document.body.style.setProperty("--bulk-bar-h", `${bar.offsetHeight}px`);
  }).observe(bar);

  const items = () => $$(page.item, page.root);
  const itemOf = (id) => items().find((node) => node.dataset.taskId === id) || null;
  const selectedTasks = () => selection.inOrder(items().map((n) => n.dataset.taskId)).map(page.task).filter(Boolean);

  // ------------------------------------------------------------------ drawing

  function sync() {
    const focusWasIn = bar.contains(document.activeElement);
    if (page.canEdit()) selection.retain(items().map((n) => n.dataset.taskId));
    else selection.clear();
    for (const node of items()) {
      const on = selection.has(node.dataset.taskId);
      node.classList.toggle("is-selected", on);
      const box = node.querySelector(SELECT);
      if (box) box.checked = on;
    }
    document.body.classList.toggle("is-selecting", selection.size > 0);
    drawBar();
    if (bar.hidden) {
      closeMenu();
      if (focusWasIn) focusBack();
    }
  }

  function drawBar() {
    const tasks = selectedTasks();
    bar.hidden = tasks.length === 0;
    if (state === "changing") return; // the count says how far it is
    setText(count, `${tasks.length} selected`);
    setText(controls.complete, tasks.every((t) => t.status === "done") ? "Mark incomplete" : "Mark complete");
    controls.move.hidden = !page.moveTo || !page.moveTo.allowed(tasks);
    controls.assign.hidden = !page.assignTo.allowed(tasks);
  }

  // The toolbar went with the focus in it: back to the checkbox used last, if it is
  // still there.
  function focusBack() {
    const node = lastSet && itemOf(lastSet);
    const box = node && node.querySelector(SELECT);
    (box || document.getElementById("main"))?.focus({ preventScroll: true });
  }

  function clearSelection() {
    selection.clear();
    sync();
  }

  // ------------------------------------------------------------------ selecting

  page.root.addEventListener("mousedown", (e) => {
    // Shift+click would select the page's text too.
    if (e.shiftKey && e.target.closest?.(SELECT)) e.preventDefault();
  });
  page.root.addEventListener("click", (e) => {
    const box = e.target.closest?.(SELECT);
    const node = box && box.closest(page.item);
    if (!node) return;
    const list = $$(page.item, node.parentElement).map((n) => n.dataset.taskId);
    selection.set(node.dataset.taskId, box.checked, { range: e.shiftKey, list });
    lastSet = node.dataset.taskId;
    sync();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented || !selection.size || menu) return;
    if (document.querySelector("dialog[open]") || isTyping(e.target)) return;
    e.preventDefault();
    clearSelection();
  });

  // ------------------------------------------------------------------ the toolbar

  bar.addEventListener("keydown", (e) => {
    if (menu && menu.node.contains(e.target)) return;
    const shown = $$(":scope > button:not([hidden])", bar);
    if (focusByKey(shown, e.key, { next: "ArrowRight", previous: "ArrowLeft" })) e.preventDefault();
  });
  controls.complete.addEventListener("click", () => {
    const tasks = selectedTasks();
    run("complete", tasks.every((t) => t.status === "done") ? "todo" : "done");
  });
  controls.move.addEventListener("click", () => toggleMenu(controls.move, {
    label: "Move to\u2026",
    load: () => page.moveTo?.choices(selectedTasks()),
    has: (task, section) => task.sectionId === section.id,
    already: "all here now",
    choose: (section) => run("move", section.id, section.name),
  }));
  controls.assign.addEventListener("click", () => toggleMenu(controls.assign, {
    label: "Assign to\u2026",
    load: () => page.assignTo.choices(selectedTasks()),
    has: (task, person) => (task.assigneeId || "") === person.id,
    already: "all theirs now",
    choose: (person) => run("assign", person.id || null, person.name),
  }));
  controls.remove.addEventListener("click", () => removeSelected());
  controls.clear.addEventListener("click", () => {
    if (state !== "changing") clearSelection();
  });

  // Asks first, naming what goes along: "They go for everyone in the project, with 2
  // subtasks and 1 comment."
  async function removeSelected() {
    const tasks = selectedTasks();
    if (!tasks.length || state === "changing") return;
    const total = (key) => tasks.reduce((n, t) => n + (t[key] || 0), 0);
    const along = [
      total("subtaskCount") && plural(total("subtaskCount"), "subtask", "subtasks"),
      total("commentCount") && plural(total("commentCount"), "comment", "comments"),
    ].filter(Boolean);
    const sure = await confirmAction({
      title: tasks.length === 1 ? `Delete \u201c${tasks[0].name}\u201d?` : `Delete ${tasks.length} tasks?`,
      message: `${tasks.length === 1 ? "It goes" : "They go"} for everyone ${page.where}`
        + `${along.length ? `, with ${along.join(" and ")}` : ""}. You can undo it for a few seconds.`,
      confirm: tasks.length === 1 ? "Delete task" : "Delete tasks",
    });
    if (sure) run("delete", null);
  }

  // ------------------------------------------------------------------ changing

  function setChanging(on) {
    state = on ? "changing" : "idle";
    // aria-disabled rather than disabled: the focus stays on the button just used.
    for (const control of Object.values(controls)) control.setAttribute("aria-disabled", on ? "true" : "false");
    bar.setAttribute("aria-busy", on ? "true" : "false");
  }

  async function run(kind, value, to = "") {
    const tasks = selectedTasks();
    if (!tasks.length || state === "changing") return;
    setChanging(true);
    setText(count, "Changing\u2026");
    let result;
    try {
      const indexes = await page.indexes(tasks, kind);
      const before = tasks.map((t) => ({ ...t, index: indexes.get(t.id) ?? 0 }));
      result = await applyBulkChange(kind, value, before, page.perform, {
        progress: (done, total) => setText(count, `Changing ${done + 1} of ${total}\u2026`),
      });
    } catch (error) {
      result = { changes: [], total: tasks.length, error, failed: null };
    } finally {
      setChanging(false);
    }
    sync();
    report(kind, value, to, result);
  }

  function report(kind, value, to, { changes, total, error, failed }) {
    const undo = () => undoBulkChange(inverseOf(kind, changes), page.perform);
    if (!error) {
      if (changes.length) offerUndo(bulkWords(kind, changes.length, { value, to }), undo);
      return;
    }
    const message = `Changed ${changes.length} of ${total}: ${humanMessage(error)}`;
    const node = failed && itemOf(failed.id);
    if (node) showRowError(node, humanMessage(error));
    if (changes.length) offerUndo(message, undo);
    else notify(message, { kind: "error" });
  }

  // ------------------------------------------------------------------ menus

  function closeMenu({ focusButton = false } = {}) {
    if (!menu) return;
    const { node, button: opener } = menu;
    menu = null;
    node.remove();
    opener.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", outsideMenu, true);
    if (focusButton) opener.focus();
  }

  function outsideMenu(e) {
    if (menu && !menu.node.contains(e.target) && !menu.button.contains(e.target)) closeMenu();
  }

  // The choices of "Move to…" or "Assign to…", above the toolbar; one every selected
  // task has already is shown, not offered.
  async function toggleMenu(opener, { label, load, has, already, choose }) {
    if (state === "changing") return;
    if (menu) {
      const same = menu.button === opener;
      closeMenu();
      if (same) return;
    }
    let choices;
    try {
      choices = await load();
    } catch (error) {
      notify(humanMessage(error), { kind: "error" });
      return;
    }
    const tasks = selectedTasks();
    if (!choices || !tasks.length) return;
    const node = el("div", { class: "menu bulk-menu", role: "menu", "aria-label": label, "data-testid": "bulk-menu" },
      choices.map((choice) => {
        const current = tasks.every((task) => has(task, choice));
        return el("button", {
          type: "button",
          role: "menuitem",
          class: "menu-item",
          tabindex: "-1",
          "data-testid": "bulk-menu-item",
          "aria-disabled": current ? "true" : null,
          text: current ? `${choice.name} (${already})` : choice.name,
          onclick: () => {
            if (current) return;
            closeMenu({ focusButton: true });
            choose(choice);
          },
        });
      }));
    node.addEventListener("keydown", (e) => {
      const enabled = $$('[role="menuitem"]:not([aria-disabled="true"])', node);
      if (e.key === "Escape" || e.key === "Tab") closeMenu({ focusButton: true });
      else if (!focusByKey(enabled, e.key)) return;
      e.preventDefault();
      e.stopPropagation();
    });
    bar.append(node);
    node.style.left = `${opener.offsetLeft}px`; // above its button; .bulk-menu does the rest
    opener.setAttribute("aria-expanded", "true");
    menu = { node, button: opener };
    document.addEventListener("pointerdown", outsideMenu, true);
    $$('[role="menuitem"]:not([aria-disabled="true"])', node)[0]?.focus();
  }

  page.onDrawn(sync);
  sync();
}
