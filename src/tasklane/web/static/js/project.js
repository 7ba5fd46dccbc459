// The project page: List and Board views, the task pane, and live updates.
//
// The server renders the page with its data and carries the same data as JSON in
// #page-data. The page's parts live in ./project/:
//   context.js      the page's data, the reader, the project's addresses
//   store.js        the in-page store and how an event changes it (no DOM)
//   own-changes.js  every write, and the seqs of the events this page's writes produced
//   view.js         the List or Board drawn from the store
//   task-items.js   rows and cards in use: complete, rename, open
//   board-view.js   moving tasks (both views): drag and drop, the keyboard's "Move to…" menu
//   bulk.js         selecting tasks and changing them together (../bulk-bar.js)
//   sections.js     add tasks, add / rename / delete sections
//   task-pane.js    the task pane; pane-fields.js, subtasks.js, comments.js, activity.js
//   header.js       the project's name (rename for owners)
//   project-settings.js  description, colour, archive and delete (owners); archived shown
//   live.js         the connection, its status, presence, notices of others' changes
// This module starts them and routes each event to the parts it concerns.

import { endpoints, humanMessage } from "./api.js";
import { notify, startRelativeTimeTicker } from "./ui.js";
import { page, me, projectId, taskIdFromPath } from "./project/context.js";
import { store, applyEvent } from "./project/store.js";
import { render, scheduleRender, adopt } from "./project/view.js";
import { bindItems } from "./project/task-items.js";
import { bindDragAndDrop, closeMoveMenu, isMenuOpen } from "./project/board-view.js";
import { bindSections } from "./project/sections.js";
import { openPane, closePane, loadPane, openTaskId, isPaneOpen, applyToPane } from "./project/task-pane.js";
import { applyCommentEvent } from "./project/comments.js";
import { recordEvent, forgetLog } from "./project/activity.js";
import { bindHeader, showProject } from "./project/header.js";
import { bindProjectSettings } from "./project/project-settings.js";
import { connect, announce } from "./project/live.js";
import { bindFilterBar } from "./filter-bar.js";
import { bindBulk } from "./project/bulk.js";
import { forgetOwnChanges } from "./project/own-changes.js";

let rt = null;
let resyncing = false;

function onEvent(e) {
  if (e.projectId !== projectId || resyncing) return;
  if (e.seq <= store.seq) return;
  store.seq = e.seq;
  recordEvent(e);
  const byOther = Boolean(e.userId) && e.userId !== me.id;
  let change = {};
  try {
    change = applyEvent(e, me.id);
    // The pane redraws first, knowing who changed what (for its "yours kept" notes).
    applyToPane(e, change, byOther);
    if (e.type.startsWith("comment_")) applyCommentEvent(e, byOther);
    if (e.type === "project_updated") showProject({ actorId: e.userId, changes: e.data.changes || [] });
  } finally {
    scheduleRender();
  }
  announce(e, change);
}

// Reloads sections and tasks from the API when the log cannot serve our cursor.
async function resync() {
  if (resyncing) return;
  resyncing = true;
  try {
    const project = await endpoints.projects.get(projectId);
    const [sections, tasks, members] = await Promise.all([
      endpoints.sections.list(projectId),
      endpoints.tasks.list(projectId),
      endpoints.members.list(projectId),
    ]);
    store.reset({ project, sections, tasks, members });
    store.gone.clear();
    forgetOwnChanges(projectId);
    forgetLog();
    showProject();
    resyncing = false;
    render();
    if (openTaskId()) loadPane(openTaskId());
    if (rt) rt.setCursor(projectId, project.seq);
  } catch (err) {
    resyncing = false;
    notify(`Couldn't reload the project: ${humanMessage(err)}`, { kind: "error" });
    setTimeout(resync, 5000);
  }
}

// Access is gone: nothing here can be changed any more.
function onLeft() {
  store.project = { ...store.project, role: "viewer" };
  render();
}

// Esc closes the menu, else the pane; Back and Forward open and close the pane.
function bindGlobal() {
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    if (isMenuOpen()) {
      closeMoveMenu({ focusButton: true });
      e.preventDefault();
    } else if (isPaneOpen()) {
      e.preventDefault();
      closePane();
    }
  });
  document.addEventListener("click", (e) => {
    const backdrop = e.target.closest && e.target.closest(".pane-backdrop");
    if (backdrop && isPaneOpen()) {
      e.preventDefault();
      closePane();
    }
  });
  window.addEventListener("popstate", () => {
    const id = taskIdFromPath(location.pathname);
    if (id) openPane(id, { focus: true });
    else if (isPaneOpen()) closePane({ fromHistory: true });
  });
}

async function start() {
  store.reset({
    project: page.project,
    sections: page.sections || [],
    tasks: page.tasks || [],
    members: page.members || [],
  });
  adopt();
  const root = document.querySelector("#main");
  bindItems(root);
  bindSections(root);
  bindDragAndDrop(root);
  bindHeader();
  bindProjectSettings();
  bindGlobal();
  // After bindGlobal: Esc closes a menu or the pane before it clears the selection.
  bindBulk();
  bindFilterBar(render);
  render();
  startRelativeTimeTicker();
  if (page.openTaskId) {
    history.replaceState({ tasklanePane: page.openTaskId, pushed: false }, "", location.href);
    openPane(page.openTaskId, { focus: true });
  }
  rt = await connect({ seq: store.seq, onEvent, onResync: resync, onLeft });
}

if (projectId) start();
