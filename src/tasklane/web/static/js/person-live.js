// Every signed-in page follows its reader's own log (docs/protocol.md, "A person's own
// log"): the changes that concern them — a task given to them or taken from them, a
// project they join or leave or that changes, their role in it — from the head the page
// was drawn at, with the same resume as a project's. The sidebar's projects (and Home's
// cards) are drawn again by the server when the log says they changed; a page that shows
// more of what the log tells (My Tasks) listens with `onPersonEvent`.

import { $, flash, readPageData } from "./ui.js";
import { at } from "./urls.js";
import { pageRealtime } from "./page-realtime.js";

const page = readPageData();
const me = page.me || {};
const PROJECT_LISTS = new Set([
  "project_created", "project_updated", "project_deleted", "member_added", "member_updated", "member_removed",
]);
const LISTS = ['[data-testid="sidebar-projects"]', '[data-testid="project-cards"]'];

/** @typedef {{ event?: (e: any) => void, reload?: () => void }} PersonListener */
/** @type {PersonListener[]} */
const listeners = [];

/** Hear the reader's own events (`event`), and `reload` when the log could not serve the
 * page's cursor (reload what it shows). @param {PersonListener} listener */
export function onPersonEvent(listener) {
  listeners.push(listener);
}

// One redraw at a time; changes that arrive during one are drawn by one more after it.
let drawing = null;
let pending = false;

function redrawProjects() {
  if (drawing) {
    pending = true;
    return;
  }
  drawing = drawProjects()
    .catch((err) => console.warn("Tasklane: could not redraw the projects", err))
    .finally(() => {
      drawing = null;
      if (pending) {
        pending = false;
        redrawProjects();
      }
    });
}

async function drawProjects() {
  if (!LISTS.some((selector) => $(selector))) return;
  const query = new URLSearchParams({ current: page.current || "" });
  const response = await fetch(at(`/fragments/projects?${query}`), { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const drawn = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const selector of LISTS) {
    const mine = $(selector);
    const theirs = drawn.querySelector(selector);
    if (!mine || !theirs || mine.innerHTML === theirs.innerHTML) continue;
    const before = new Set([...mine.querySelectorAll("[data-project-id]")].map((n) => n.outerHTML));
    const fresh = document.importNode(theirs, true);
    mine.replaceWith(fresh);
    // What arrived or changed flashes once.
    for (const node of fresh.querySelectorAll("[data-project-id]")) if (!before.has(node.outerHTML)) flash(node);
  }
}

async function follow() {
  if (!me.id) return;
  const rt = await pageRealtime();
  if (!rt) return;
  rt.on("event", (e) => {
    if (e.projectId !== me.id) return;
    if (PROJECT_LISTS.has(e.type)) redrawProjects();
    for (const listener of listeners) listener.event?.(e);
  });
  rt.on("resync", ({ projectId, seq }) => {
    if (projectId !== me.id) return;
    redrawProjects();
    for (const listener of listeners) listener.reload?.();
    rt.setCursor(me.id, seq);
  });
  rt.join(me.id, page.personSeq || 0);
}

follow();
