// The page's live side: the connection (one TasklaneRealtime, exposed for tests as
// `window.tasklaneRealtime`), its status indicator, who is viewing now, and what others'
// changes look like here: a row or card flashes once, a status change is announced in a
// short notice, a rename under the reader's own rename leaves a note beside it.

import {
  byTestId, field, setText, cloneTemplate, notify, flash, fillAvatar, syncList,
  showRemoteNote, STATUS_LABELS, ROLE_WORDS,
} from "../ui.js";
import { at } from "../urls.js";
import { pageRealtime } from "../page-realtime.js";
import { me, projectId } from "./context.js";
import { store } from "./store.js";
import { checkOwnEcho } from "./own-changes.js";
import { rowEls, afterRender } from "./view.js";
import { renameInput } from "./task-items.js";
import { sectionNode, sectionRenameInput } from "./sections.js";
import { flashSubtask } from "./task-pane.js";

// ---------------------------------------------------------------------------- status

const STATUS_TEXT = { ws: "Live", sse: "Live (fallback: SSE)", poll: "Live (polling)" };

export function renderStatus(s) {
  const indicator = byTestId("status-indicator");
  const retry = byTestId("retry-now");
  if (!indicator) return;
  let text;
  let hint = "";
  if (s.state === "live") {
    text = STATUS_TEXT[s.transport] || "Live";
    hint = s.transport === "ws" ? "Changes by others appear as they happen." : "Connected through a slower fallback; changes still arrive.";
  } else if (s.state === "reconnecting") {
    const seconds = Math.max(1, Math.ceil((s.retryInMs || 0) / 1000));
    text = `Reconnecting in ${seconds} s\u2026`;
    hint = "The connection dropped; nothing is lost, changes arrive when it is back.";
  } else if (s.state === "offline") {
    text = "Offline";
    hint = "Others' changes arrive when the connection returns.";
  } else {
    text = "Connecting\u2026";
  }
  setText(indicator, text);
  indicator.dataset.state = s.state;
  indicator.dataset.transport = s.transport || "";
  indicator.title = hint;
  if (retry) retry.hidden = !(s.state === "reconnecting" || (s.state === "offline" && s.reason !== "closed"));
}

// ---------------------------------------------------------------------------- presence

// Who is viewing, as the last presence frame said (null until one has), and what the
// avatars show of them.
const presence = { users: null, drawn: "" };

function renderPresence({ projectId: pid, users }) {
  if (pid !== projectId) return;
  presence.users = users;
  showPresence();
}

// Each viewer as the store knows them: a member's name and colour as of the last event,
// which may be newer than the name their arrival was announced with. Drawn again after
// any render in which one of them changed.
function showPresence() {
  const box = byTestId("presence");
  if (!box || !presence.users) return;
  for (const u of presence.users) store.people.set(u.userId, store.people.get(u.userId) || u.name);
  const people = presence.users.map((u) => store.person(u.userId));
  const drawn = JSON.stringify(people);
  if (drawn === presence.drawn) return;
  presence.drawn = drawn;
  syncList(box, people, {
    selector: '[data-testid="presence-avatar"]',
    key: (person) => person.id,
    keyOf: (node) => node.dataset.userId,
    create: () => cloneTemplate("presence-avatar-template"),
    fill: (node, person) => {
      node.dataset.userId = person.id;
      fillAvatar(node, person, { named: true });
    },
  });
  box.setAttribute("aria-label", people.length ? `Viewing now: ${people.map((p) => p.name).join(", ")}` : "Viewing now");
}

afterRender(showPresence);

// ---------------------------------------------------------------------------- others' changes

function flashTask(id) {
  const node = rowEls.get(id);
  if (node) flash(node);
  flashSubtask(id);
}

/**
 * What event `e` (already applied, with `change` from applyEvent) looks like to the
 * reader. Call it after scheduling the render: the flashes wait for the rows it draws.
 */
export function announce(e, change) {
  const d = e.data || {};
  const byOther = Boolean(e.userId) && e.userId !== me.id;
  const task = change.task;
  if (task) {
    // Not the reader's own change: that one they saw as they made it. Known by the
    // event's seq, once the answers to the writes in flight are in.
    if (change.visible) checkOwnEcho(e).then((own) => own || flashTask(task.id));
    if (e.type === "task_status_changed" && byOther) {
      notify(`${store.firstName(e.userId)} moved '${task.name}' to ${STATUS_LABELS[d.newStatus] || d.newStatus}`);
    }
    const input = renameInput(task.id);
    if (input && byOther && (d.changes || []).includes("name") && input.value.trim() !== task.name) {
      const row = rowEls.get(task.id);
      showRemoteNote(input, store.firstName(e.userId), { within: row && row.querySelector(".task-main") });
    }
  }
  if (e.type === "comment_created" && byOther) queueMicrotask(() => flashTask(d.taskId));
  if ((e.type === "section_created" || e.type === "section_updated") && byOther) {
    const input = sectionRenameInput(d.sectionId);
    if (input && (d.changes || []).includes("name") && input.value.trim() !== d.section.name) {
      showRemoteNote(input, store.firstName(e.userId), { within: input.parentElement });
    }
    queueMicrotask(() => {
      const node = sectionNode(d.sectionId);
      if (node && !input) flash(field(node, "section-name"));
    });
  }
  if (e.type === "project_deleted") notify("This project was deleted.", { kind: "error", timeout: 0 });
  if (e.type === "project_updated" && byOther && (d.changes || []).includes("archived")) {
    notify(`${store.firstName(e.userId)} ${d.project.archived ? "archived" : "unarchived"} this project.`);
  }
  if (change.roleChanged) {
    const role = store.role();
    notify(`${store.firstName(e.userId)} made you ${ROLE_WORDS[role] || role}.`);
  }
}

// The reader lost the project (removed, or it was deleted): say so where they look, stop
// offering changes, and stop following it.
function lostAccess(message) {
  const banner = byTestId("access-lost");
  if (banner) {
    setText(banner.querySelector('[data-field="text"]'), message);
    banner.hidden = false;
  }
  notify(message, { kind: "error", timeout: 0 });
  renderPresence({ projectId, users: [] });
}

// ---------------------------------------------------------------------------- the connection

/**
 * Connects the page: `onEvent(e)` for every durable event of the project, in seq order;
 * `onResync()` when the log cannot serve the cursor; `onLeft()` once access is gone.
 * Returns the client (null if it could not load).
 */
export async function connect({ seq, onEvent, onResync, onLeft }) {
  const rt = await pageRealtime();
  if (!rt) {
    renderStatus({ state: "offline", transport: "ws", reason: "the realtime client could not load" });
    return null;
  }
  rt.on("status", (s) => {
    renderStatus(s);
    // Who is viewing is unknown while the connection is down: showing the last list
    // would claim people are here who may have left. The rejoin tells the list again.
    if (s.state === "reconnecting" || s.state === "offline") renderPresence({ projectId, users: [] });
  });
  rt.on("event", onEvent);
  rt.on("presence", renderPresence);
  rt.on("resync", ({ projectId: pid }) => {
    if (pid === projectId) onResync();
  });
  rt.on("left", ({ projectId: pid, reason }) => {
    if (pid !== projectId) return;
    if (reason === "project_deleted") {
      lostAccess("This project was deleted. Taking you home…");
      setTimeout(() => location.assign(at("/")), 2500);
    } else if (reason === "access_revoked" || reason === "forbidden" || reason === "not_found") {
      lostAccess("You no longer have access to this project.");
      onLeft();
    }
  });
  renderStatus(rt.status && rt.status.state !== "offline" ? rt.status : { state: "connecting", transport: "ws" });
  rt.join(projectId, seq);
  return rt;
}
