// The JSON API, as the page scripts call it: same-origin cookie auth, JSON in and out,
// and one error type that carries the API's `error.code` and `message`, plus the words
// a person should read when it fails (ApiError#human). Paths are written as the API
// names them ("/api/…"); every request goes to the page's episode (urls.js).

import { at } from "./urls.js";

export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  // A sentence for the person at the keyboard, not for a programmer.
  get human() {
    return humanMessage(this);
  }
}

const FIELD_LABELS = {
  name: "a name",
  text: "a comment",
  notes: "the notes",
  dueOn: "a due date",
  email: "an email address",
  role: "a role",
  assigneeId: "an assignee",
  password: "a password",
};

function sentence(text) {
  const t = String(text || "").trim();
  if (!t) return "Something went wrong.";
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(s) ? s : s + ".";
}

// A validation problem as the server's forms word it ("Enter a name.").
function validationWords(details) {
  if (!Array.isArray(details) || details.length === 0) return null;
  const p = details[0];
  const loc = Array.isArray(p.location) ? p.location : [];
  const name = loc[loc.length - 1];
  const label = FIELD_LABELS[name] || "this field";
  const message = String(p.message || "");
  const type = String(p.type || "");
  if (type === "missing" || type === "string_too_short") return `Enter ${label}.`;
  if (type === "string_too_long") {
    const max = message.match(/\d+/);
    return max ? `Keep ${label.replace(/^(a|an) /, "the ")} to ${max[0]} characters or fewer.` : `${sentence(label)} is too long.`;
  }
  if (name === "email") return "Enter an email address like name@example.com.";
  if (type.startsWith("date")) return "Enter a date like 2026-03-31, or leave it empty.";
  if (type === "literal_error") return "Choose one of the options in the list.";
  return sentence(message.replace(/^Value error, /, ""));
}

const VERBS = {
  read: "view this project",
  comment: "comment in this project",
  edit: "edit this project's tasks and sections",
  manage: "manage this project and its members",
};

// The same sentences as the server-rendered forms (web/form_errors.py), so a failure
// reads the same with or without scripts.
const SENTENCES = {
  network: "Can't reach Tasklane. Check your connection and try again — your text is kept.",
  unauthorized: "You're signed out. Sign in again, then try once more.",
  invalid_credentials: "That email and password don't match. Check both and try again.",
  email_taken: "There's already an account with this email. Sign in instead?",
  already_member: "They're already a member of this project.",
  last_owner: "A project needs at least one owner. Make someone else an owner first.",
  assignee_not_member: "Choose someone who is a member of this project.",
  unknown_section: "That section no longer exists. Reload the page and try again.",
  rate_limited: "That was a lot of changes in a short time. Wait a few seconds and try again.",
  unavailable: "Tasklane can't reach its database right now. Try again in a moment.",
  not_author: "Only the person who wrote a comment can change it.",
  too_large: "That's too long to save.",
  internal_error: "Something went wrong on our side. Try again in a moment.",
  account_exists: "They already have a Tasklane account: add them as a member instead.",
  invitation_not_found: "This invitation link doesn't work. Check that you have all of it.",
  invitation_used: "This invitation has been used already.",
  invitation_revoked: "This invitation was withdrawn. Ask for a new one.",
  invitation_expired: "This invitation has expired. Ask for a new one.",
  invitation_email_mismatch: "This invitation is for another email address. Sign in with the invited one.",
};

export function humanMessage(err) {
  if (!(err instanceof ApiError)) return "Something went wrong. Try again in a moment.";
  if (SENTENCES[err.code]) return SENTENCES[err.code];
  const details = err.details && !Array.isArray(err.details) ? err.details : {};
  if (err.code === "section_not_empty") {
    const n = Number(details.tasks) || 0;
    const held = n > 0 ? `still has ${n} ${n === 1 ? "task" : "tasks"}` : "still has tasks";
    return `This section ${held}. Move or delete ${n === 1 ? "it" : "them"} first, then delete the section.`;
  }
  if (err.code === "forbidden" && details.role && VERBS[details.needs]) {
    return `As a ${details.role} here, you can't ${VERBS[details.needs]}. Ask an owner for access.`;
  }
  if (err.code === "not_found" && details.resource === "user") {
    return "Nobody has a Tasklane account with that email yet. Invite them to Tasklane: they get a link to sign up and join.";
  }
  if (err.code === "not_found") return "This no longer exists — someone may have deleted it.";
  if (err.code === "validation_error") return validationWords(err.details) || sentence(err.message);
  return sentence(err.message);
}

// Every change's answer names the event it produced: its project and its seq in that
// project's log (docs/protocol.md, "Your own changes"). A page knows its own change by
// that seq when the event arrives, whatever the clock says.
const PROJECT_HEADER = "Tasklane-Project";
const SEQ_HEADER = "Tasklane-Seq";

// The event a change's answer names, {projectId, seq}, or null (a read, or a change
// that produced no event).
export function receiptOf(response) {
  const projectId = response.headers.get(PROJECT_HEADER);
  const seq = Number(response.headers.get(SEQ_HEADER) ?? NaN);
  return projectId && Number.isSafeInteger(seq) && seq > 0 ? { projectId, seq } : null;
}

// A request and its answer: the JSON body (null for 204) and the receipt of the change.
// `path` is the API's ("/api/…"), inside the page's episode.
export async function send(method, path, body, { signal } = {}) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    signal,
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  // The browser knows it has no network: say so at once (a request would only fail).
  if (globalThis.navigator && navigator.onLine === false) {
    throw new ApiError(0, "network", "the browser is offline");
  }
  let response;
  try {
    response = await fetch(at(path), init);
  } catch (e) {
    if (e && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", "the network request failed");
  }
  const receipt = response.ok ? receiptOf(response) : null;
  if (response.status === 204) return { body: null, receipt };
  let payload = null;
  const text = await response.text();
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = null;
    }
  }
  if (!response.ok) {
    const e = (payload && payload.error) || {};
    throw new ApiError(
      response.status,
      e.code || `http_${response.status}`,
      e.message || response.statusText || "request failed",
      e.details ?? null,
    );
  }
  return { body: payload, receipt };
}

export async function request(method, path, body, options) {
  return (await send(method, path, body, options)).body;
}

export const api = {
  get: (path, opts) => request("GET", path, undefined, opts),
  post: (path, body, opts) => request("POST", path, body ?? {}, opts),
  patch: (path, body, opts) => request("PATCH", path, body, opts),
  del: (path, opts) => request("DELETE", path, undefined, opts),
};

// The JSON API's endpoints, each written once. `http` is how requests go out: `api`
// itself, or a wrapper that notes them (the project page keeps the seqs of its own
// changes, so that their echoes do not flash as someone else's).
export function resources(http = api) {
  const id = encodeURIComponent;
  return {
    projects: {
      create: (body) => http.post("/api/projects", body),
      get: (projectId) => http.get(`/api/projects/${id(projectId)}`),
      update: (projectId, changes) => http.patch(`/api/projects/${id(projectId)}`, changes),
      remove: (projectId) => http.del(`/api/projects/${id(projectId)}`),
    },
    sections: {
      list: (projectId) => http.get(`/api/projects/${id(projectId)}/sections`),
      create: (projectId, body) => http.post(`/api/projects/${id(projectId)}/sections`, body),
      update: (sectionId, changes) => http.patch(`/api/sections/${id(sectionId)}`, changes),
      remove: (sectionId) => http.del(`/api/sections/${id(sectionId)}`),
    },
    tasks: {
      get: (taskId) => http.get(`/api/tasks/${id(taskId)}`),
      list: (projectId) => getAllPages(`/api/projects/${id(projectId)}/tasks`),
      create: (projectId, body) => http.post(`/api/projects/${id(projectId)}/tasks`, body),
      update: (taskId, changes) => http.patch(`/api/tasks/${id(taskId)}`, changes),
      move: (taskId, body) => http.post(`/api/tasks/${id(taskId)}/move`, body),
      remove: (taskId) => http.del(`/api/tasks/${id(taskId)}`),
      restore: (taskId) => http.post(`/api/tasks/${id(taskId)}/restore`),
      subtasks: (taskId) => http.get(`/api/tasks/${id(taskId)}/subtasks`),
      createSubtask: (taskId, body) => http.post(`/api/tasks/${id(taskId)}/subtasks`, body),
    },
    comments: {
      list: (taskId) => http.get(`/api/tasks/${id(taskId)}/comments`),
      create: (taskId, body) => http.post(`/api/tasks/${id(taskId)}/comments`, body),
      update: (commentId, changes) => http.patch(`/api/comments/${id(commentId)}`, changes),
      remove: (commentId) => http.del(`/api/comments/${id(commentId)}`),
    },
    me: {
      tasks: () => http.get("/api/me/tasks?limit=500"),
    },
    members: {
      list: (projectId) => http.get(`/api/projects/${id(projectId)}/members`),
      add: (projectId, body) => http.post(`/api/projects/${id(projectId)}/members`, body),
      update: (projectId, userId, changes) =>
        http.patch(`/api/projects/${id(projectId)}/members/${id(userId)}`, changes),
      remove: (projectId, userId) => http.del(`/api/projects/${id(projectId)}/members/${id(userId)}`),
    },
    invitations: {
      list: (projectId) => http.get(`/api/projects/${id(projectId)}/invitations`),
      create: (projectId, body) => http.post(`/api/projects/${id(projectId)}/invitations`, body),
      revoke: (invitationId) => http.del(`/api/invitations/${id(invitationId)}`),
      accept: (token) => http.post("/api/invitations/accept", { token }),
    },
  };
}

export const endpoints = resources(api);

// Every page of a cursor-paged list (`{items, nextCursor}`).
export async function getAllPages(path, { limit = 500 } = {}) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const url = `${path}${sep}limit=${limit}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
    const page = await api.get(url);
    items.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return items;
}

// A project's event log after `after`, all pages (`hasMore`), at most `maxPages` pages.
export async function getEvents(projectId, { after = 0, maxPages = 40 } = {}) {
  const events = [];
  let cursor = after;
  let headSeq = after;
  for (let i = 0; i < maxPages; i++) {
    const page = await api.get(
      `/api/projects/${encodeURIComponent(projectId)}/events?after=${cursor}&limit=500`,
    );
    headSeq = page.headSeq;
    events.push(...page.events);
    if (!page.hasMore || page.events.length === 0) break;
    cursor = page.events[page.events.length - 1].seq;
  }
  return { events, headSeq };
}
