// Moving tasks, the Board's cards and the List's rows alike: HTML5 drag and drop within
// and across columns (sections), and the keyboard's way to do the same, the "Move to…"
// menu on each card or row. A move shows at once (a provisional rank in the store) and
// the server's answer replaces it.

import { $, $$, allByTestId, el, focusByKey } from "../ui.js";
import { store, rankBetween } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { render, rowEls, listOf, showItemError, ITEM_TESTID, SECTION_TESTID } from "./view.js";
import { dropPosition } from "./task-arrangement.js";
import { offerMoveUndo } from "./undoable.js";

// A failed move is said beside the task's row or card, unless `showError` says where;
// a move made offers to undo it (not the undoing move itself: `undoable: false`).
export async function moveTask(taskId, sectionId, position, { showError = null, undoable = true } = {}) {
  const task = store.tasks.get(taskId);
  if (!task) return;
  const siblings = store.tasksIn(sectionId).filter((t) => t.id !== taskId);
  const index = Math.max(0, Math.min(position, siblings.length));
  const currentIndex = store.tasksIn(task.sectionId).findIndex((t) => t.id === taskId);
  if (task.sectionId === sectionId && currentIndex === index) return;
  const before = siblings[index - 1] ? siblings[index - 1].rank : null;
  const after = siblings[index] ? siblings[index].rank : null;
  const provisional = { ...task, sectionId, rank: rankBetween(before, after), provisional: true };
  store.tasks.set(taskId, provisional);
  render();
  try {
    // Replaces the provisional copy, unless the move's event (or a later one) already did.
    const moved = await calls.tasks.move(taskId, { sectionId, position: index });
    store.acceptTask(moved, seqOf(moved));
  } catch (err) {
    if (store.tasks.get(taskId) === provisional) store.tasks.set(taskId, task);
    render();
    if (showError) showError(err);
    else showItemError(rowEls.get(taskId), err);
    return;
  }
  render();
  if (undoable) {
    const back = () => moveTask(taskId, task.sectionId, currentIndex, {
      undoable: false,
      showError: (err) => {
        throw err;
      },
    });
    offerMoveUndo(task, back);
  }
}

// ---------------------------------------------------------------------------- drag and drop

let drag = null; // {id, node}

const columnOf = (target) => target.closest && target.closest(`[data-testid="${SECTION_TESTID}"]`);

function dropIndex(list, clientY) {
  const cards = allByTestId(ITEM_TESTID, list).filter((c) => !drag || c.dataset.taskId !== drag.id);
  let index = 0;
  for (const card of cards) {
    const r = card.getBoundingClientRect();
    if (clientY > r.top + r.height / 2) index += 1;
  }
  return { index, cards };
}

// A bar where the card would land (li.drop-indicator), and the list marked as the target.
function showIndicator(list, index, cards) {
  const indicator = $(".drop-indicator") || el("li", { class: "drop-indicator", "aria-hidden": "true" });
  const before = cards[index] || null;
  if (indicator.parentElement !== list || indicator.nextElementSibling !== before) list.insertBefore(indicator, before);
  for (const other of $$(".drop-target")) if (other !== list) other.classList.remove("drop-target");
  list.classList.add("drop-target");
}

function clearDragMarks() {
  for (const i of $$(".drop-indicator")) i.remove();
  for (const l of $$(".drop-target")) l.classList.remove("drop-target");
  for (const c of $$(".is-dragging")) c.classList.remove("is-dragging");
}

export function bindDragAndDrop(root) {
  root.addEventListener("dragstart", (e) => {
    const card = e.target.closest && e.target.closest(`[data-testid="${ITEM_TESTID}"]`);
    if (!card) return;
    if (!store.canEdit()) {
      e.preventDefault();
      return;
    }
    drag = { id: card.dataset.taskId, node: card };
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.taskId);
    requestAnimationFrame(() => card.classList.add("is-dragging"));
  });
  // Both dragenter and dragover must be cancelled for the column to accept the drop.
  root.addEventListener("dragenter", (e) => {
    if (drag && columnOf(e.target)) e.preventDefault();
  });
  root.addEventListener("dragover", (e) => {
    const column = columnOf(e.target);
    if (!drag || !column) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    const list = listOf(column);
    const { index, cards } = dropIndex(list, e.clientY);
    showIndicator(list, index, cards);
  });
  root.addEventListener("dragleave", (e) => {
    const column = columnOf(e.target);
    if (column && !column.contains(e.relatedTarget)) {
      listOf(column).classList.remove("drop-target");
      const indicator = $(".drop-indicator", column);
      if (indicator) indicator.remove();
    }
  });
  root.addEventListener("drop", (e) => {
    const column = columnOf(e.target);
    if (!drag || !column) return;
    e.preventDefault();
    const { index } = dropIndex(listOf(column), e.clientY);
    const { id } = drag;
    drag = null;
    clearDragMarks();
    // The index is among the shown tasks; the filters may hide some between them.
    moveTask(id, column.dataset.sectionId, dropPosition(id, column.dataset.sectionId, index));
  });
  root.addEventListener("dragend", () => {
    drag = null;
    clearDragMarks();
  });
}

// ---------------------------------------------------------------------------- "Move to…" menu

let menu = null; // {node, button}

export function isMenuOpen() {
  return menu !== null;
}

export function closeMoveMenu({ focusButton = false } = {}) {
  if (!menu) return;
  const { node, button } = menu;
  menu = null;
  node.remove();
  button.setAttribute("aria-expanded", "false");
  document.removeEventListener("pointerdown", outsideMenu, true);
  if (focusButton && button.isConnected) button.focus();
}

function outsideMenu(e) {
  if (menu && !menu.node.contains(e.target) && e.target !== menu.button) closeMoveMenu();
}

function menuItems() {
  return menu ? $$('[role="menuitem"]:not([aria-disabled="true"])', menu.node) : [];
}

function menuItem(label, sectionId, position, { current = false, kind }) {
  return el("button", {
    type: "button",
    role: "menuitem",
    class: `menu-item ${kind}`,
    tabindex: "-1",
    "data-testid": "move-menu-item",
    "data-section-id": sectionId,
    "data-position": String(position),
    "aria-disabled": current ? "true" : null,
    "aria-current": current ? "true" : null,
    text: current ? `${label} (here now)` : label,
  });
}

// One group per section: the section itself (to its end), then each place in it.
function menuGroup(section, taskId) {
  const tasks = store.tasksIn(section.id);
  const others = tasks.filter((t) => t.id !== taskId);
  const here = tasks.findIndex((t) => t.id === taskId);
  const group = el("div", { role: "group", "aria-label": section.name, class: "menu-group" });
  group.append(menuItem(section.name, section.id, others.length, {
    current: here !== -1 && here === others.length, kind: "menu-section",
  }));
  if (others.length > 0) {
    group.append(menuItem("Top", section.id, 0, { current: here === 0, kind: "menu-position" }));
    for (let i = 1; i < others.length; i++) {
      group.append(menuItem(`After \u201c${others[i - 1].name}\u201d`, section.id, i, {
        current: here === i, kind: "menu-position",
      }));
    }
  }
  return group;
}

export function openMoveMenu(card, button) {
  const id = card.dataset.taskId;
  const task = store.tasks.get(id);
  if (!task) return;
  if (menu) {
    const same = menu.button === button;
    closeMoveMenu();
    if (same) return;
  }
  const node = el("div", {
    class: "menu move-menu",
    role: "menu",
    "data-testid": "move-menu",
    "aria-label": `Move \u201c${task.name}\u201d to\u2026`,
  }, el("p", { class: "menu-title", role: "presentation", text: "Move to\u2026" }));
  for (const section of store.sectionList()) node.append(menuGroup(section, id));

  node.addEventListener("click", (e) => {
    const choice = e.target.closest('[role="menuitem"]');
    if (!choice || choice.getAttribute("aria-disabled") === "true") return;
    const { sectionId, position } = choice.dataset;
    closeMoveMenu();
    // The card keeps its element when it moves; focus goes back to its Move button.
    const refocus = () => {
      const moved = rowEls.get(id);
      const again = moved && moved.querySelector('[data-action="move"]');
      if (again && document.activeElement !== again) again.focus();
    };
    moveTask(id, sectionId, Number(position)).then(refocus);
    refocus();
  });
  node.addEventListener("keydown", (e) => {
    if (e.key === "Escape" || e.key === "Tab") closeMoveMenu({ focusButton: true });
    else if (!focusByKey(menuItems(), e.key)) return;
    e.preventDefault();
    e.stopPropagation();
  });
  // In the main landmark, as the cards and rows it moves are (fixed, it shows the same).
  (document.getElementById("main") || document.body).append(node);
  placeMenu(node, button);
  button.setAttribute("aria-expanded", "true");
  menu = { node, button };
  document.addEventListener("pointerdown", outsideMenu, true);
  const items = menuItems();
  if (items.length) items[0].focus();
}

// Under the button, right-aligned with it, or above it when there is no room below.
// Only the geometry is set here; .move-menu in app.css does the rest.
function placeMenu(node, button) {
  const r = button.getBoundingClientRect();
  const width = node.offsetWidth;
  node.style.left = `${Math.max(8, Math.min(r.right - width, window.innerWidth - width - 8))}px`;
  if (window.innerHeight - r.bottom < 200 && r.top > 240) {
    node.style.bottom = `${window.innerHeight - r.top + 4}px`;
    node.style.maxHeight = `${r.top - 24}px`;
  } else {
    node.style.top = `${r.bottom + 4}px`;
    node.style.maxHeight = `${Math.max(160, window.innerHeight - 24 - r.bottom)}px`;
  }
}
