// The task pane's Activity: the project's event log, read once and then kept current
// from the live events, told in words ("Ana changed the status to In progress · 2 min
// ago"). The words mirror web/activity.py, which renders the same trail on the server.

import { getEvents } from "../api.js";
import { field, setText, cloneTemplate, syncList, setRelativeTime, formatDue, STATUS_LABELS } from "../ui.js";
import { projectId } from "./context.js";
import { store } from "./store.js";

const quoteName = (name) => `\u201c${name}\u201d`;

function joinPhrases(phrases) {
  if (phrases.length <= 1) return phrases.join("");
  return phrases.slice(0, -1).join(", ") + " and " + phrases[phrases.length - 1];
}

function dueWords(day) {
  const label = formatDue(day);
  return ["Today", "Tomorrow", "Yesterday"].includes(label) ? label.toLowerCase() : label;
}

function changePhrases(changes, task, skip = []) {
  const fields = changes.filter((c) => !skip.includes(c));
  const phrases = [];
  for (const name of fields) {
    if (name === "name") phrases.push(`renamed this task to ${quoteName(task.name)}`);
    else if (name === "notes") phrases.push("edited the notes");
    else if (name === "assigneeId") {
      phrases.push(task.assigneeId ? `assigned this to ${store.name(task.assigneeId)}` : "unassigned this");
    } else if (name === "dueOn") {
      phrases.push(task.dueOn ? `set the due date to ${dueWords(task.dueOn)}` : "removed the due date");
    } else if (name === "sectionId") phrases.push(`moved this task to ${store.sectionName(task.sectionId)}`);
    else if (name === "rank" && !fields.includes("sectionId")) phrases.push("reordered this task");
  }
  return phrases;
}

// The predicate of one event about `taskId` ("changed the status to Done"), or null.
function describe(event, taskId) {
  const kind = event.type;
  const data = event.data || {};
  const task = data.task || null;
  if (data.taskId === taskId) {
    if (kind === "task_created") return "created this task";
    if (kind === "task_status_changed") {
      return joinPhrases([
        `changed the status to ${STATUS_LABELS[data.newStatus] || data.newStatus}`,
        ...changePhrases(data.changes || [], task, ["status"]),
      ]);
    }
    if (kind === "task_updated") return joinPhrases(changePhrases(data.changes || [], task)) || null;
    if (kind === "comment_created") return "commented";
    if (kind === "comment_updated") return "edited a comment";
    if (kind === "comment_deleted") return "deleted a comment";
    return null;
  }
  const parent = task ? task.parentId : data.parentId;
  if (parent !== taskId) return null;
  const name = task ? quoteName(task.name) : "";
  if (kind === "task_created") return `added the subtask ${name}`;
  if (kind === "task_status_changed") {
    return `${data.newStatus === "done" ? "completed" : "reopened"} the subtask ${name}`;
  }
  if (kind === "task_deleted") return "deleted a subtask";
  return null;
}

// ---------------------------------------------------------------------------- the log

const log = { loaded: false, loading: null, events: new Map() }; // seq -> event

// Reads the whole log once (later calls share the first read).
export function loadLog() {
  if (log.loaded) return Promise.resolve();
  if (!log.loading) {
    log.loading = getEvents(projectId, { after: 0 })
      .then(({ events }) => {
        for (const e of events) log.events.set(e.seq, e);
        log.loaded = true;
      })
      .catch((err) => {
        log.loading = null;
        throw err;
      });
  }
  return log.loading;
}

// A live event, kept once the log is (being) read.
export function recordEvent(e) {
  if (log.loaded || log.loading) log.events.set(e.seq, e);
}

// Forgets the log (after a resync it is read again).
export function forgetLog() {
  log.loaded = false;
  log.loading = null;
  log.events.clear();
}

export function renderActivity(paneNode, taskId) {
  const list = field(paneNode, "activity");
  if (!list || !log.loaded) return; // the server's trail stays until the log is read
  const items = [];
  for (const e of [...log.events.values()].sort((a, b) => a.seq - b.seq)) {
    const phrase = describe(e, taskId);
    if (phrase) items.push({ seq: String(e.seq), text: `${store.name(e.userId)} ${phrase}`, at: e.timestamp });
  }
  syncList(list, items, {
    selector: '[data-testid="activity-item"]',
    key: (item) => item.seq,
    keyOf: (node) => node.dataset.seq,
    create: () => cloneTemplate("activity-template"),
    fill: (node, item) => {
      node.dataset.seq = item.seq;
      setText(field(node, "text"), item.text);
      setRelativeTime(field(node, "time"), item.at);
    },
  });
}
