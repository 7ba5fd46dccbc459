// The task pane's comments: newest last, with author and relative time; the author
// edits or deletes their own. Others' comments arrive as events while the pane is open;
// a comment being edited here is never overwritten (a note says it changed).

import { humanMessage } from "../api.js";
import {
  byTestId, field, el, setText, cloneTemplate, syncList, setRelativeTime, fillAvatar, flash, $,
  showFieldError, clearFieldError, clearServerErrors, showRemoteNote,
} from "../ui.js";
import { me } from "./context.js";
import { store } from "./store.js";
import { calls } from "./own-changes.js";
import { showMarkdown, adoptMarkdown } from "../markdown.js";

// The open task's comments. Until they are loaded the server's markup stays.
const thread = {
  taskId: null,
  node: null, // the pane
  comments: new Map(),
  gone: new Set(), // deleted while the list was loading
  loaded: false,
};

export function openThread(taskId, paneNode) {
  Object.assign(thread, { taskId, node: paneNode, comments: new Map(), gone: new Set(), loaded: false });
}

export function closeThread() {
  Object.assign(thread, { taskId: null, node: null, comments: new Map(), loaded: false });
}

export function loadThread(comments) {
  for (const c of comments) if (!thread.gone.has(c.id)) thread.comments.set(c.id, c);
  thread.loaded = true;
}

export function renderComments() {
  const list = thread.node && field(thread.node, "comments");
  if (!list || !thread.loaded) return;
  const comments = [...thread.comments.values()].sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1);
  syncList(list, comments, {
    selector: '[data-testid="comment"]',
    key: (c) => c.id,
    keyOf: (node) => node.dataset.commentId,
    create: () => cloneTemplate("comment-template"),
    fill: fillComment,
  });
  const input = byTestId("comment-input", thread.node);
  if (input && input.form) input.form.hidden = !store.canComment();
}

function fillComment(node, c) {
  node.dataset.commentId = c.id;
  node.dataset.authorId = c.authorId;
  const person = store.person(c.authorId);
  fillAvatar(field(node, "author-initials"), person);
  setText(field(node, "author"), person.name);
  setRelativeTime(field(node, "time"), c.createdAt);
  const edited = field(node, "edited");
  if (edited) edited.hidden = !c.editedAt;
  if (node._editing) {
    if (c.text !== node._editing.from && c.text !== node._editing.input.value) {
      showRemoteNote(node._editing.input, store.firstName(c.authorId));
    }
  } else {
    showCommentText(field(node, "text"), c);
  }
  const actions = field(node, "actions");
  if (actions) actions.hidden = c.authorId !== me.id || Boolean(node._editing);
}

// The comment's text, rendered. What the server rendered into the page is kept while
// the comment is the version it rendered (the same `editedAt`).
function showCommentText(text, c) {
  if (text.dataset.editedAt !== undefined) {
    if (text.dataset.editedAt === (c.editedAt || "")) adoptMarkdown(text, c.text);
    delete text.dataset.editedAt;
  }
  showMarkdown(text, c.text);
}

// A comment event for the open task; `byOther` flashes what someone else wrote.
export function applyCommentEvent(e, byOther) {
  const d = e.data || {};
  if (thread.taskId !== d.taskId) return;
  if (e.type === "comment_deleted") {
    thread.comments.delete(d.commentId);
    thread.gone.add(d.commentId);
    return;
  }
  const had = thread.comments.get(d.commentId);
  thread.comments.set(d.commentId, d.comment);
  if (byOther && (!had || had.text !== d.comment.text)) {
    queueMicrotask(() => {
      const node = thread.node && $(`[data-comment-id="${CSS.escape(d.commentId)}"]`, thread.node);
      if (node) flash(node);
    });
  }
}

async function addComment(input) {
  const text = input.value.trim();
  const taskId = thread.taskId;
  clearServerErrors(input.form);
  clearFieldError(input);
  if (!text) {
    showFieldError(input, "Write something first.");
    return;
  }
  const submit = byTestId("comment-submit", thread.node);
  if (submit) submit.disabled = true;
  try {
    const c = await calls.comments.create(taskId, { text });
    if (thread.taskId === taskId) {
      thread.comments.set(c.id, c);
      if (input.value.trim() === text) input.value = "";
      renderComments();
    }
  } catch (err) {
    showFieldError(input, humanMessage(err));
  } finally {
    if (submit) submit.disabled = false;
  }
}

function editComment(node) {
  const id = node.dataset.commentId;
  const c = thread.comments.get(id);
  if (!c || node._editing) return;
  const text = field(node, "text");
  const input = el("textarea", {
    class: "comment-edit", "data-testid": "comment-edit-input", rows: "3", maxlength: "10000",
    "aria-label": "Edit comment",
  });
  input.value = c.text;
  const save = el("button", { type: "button", class: "button primary small", "data-testid": "comment-edit-save", text: "Save" });
  const cancel = el("button", { type: "button", class: "button small", "data-testid": "comment-edit-cancel", text: "Cancel" });
  const box = el("div", { class: "comment-editor" }, input, el("div", { class: "form-actions" }, save, cancel));
  text.hidden = true;
  text.insertAdjacentElement("afterend", box);
  node._editing = { input, from: c.text };
  const actions = field(node, "actions");
  if (actions) actions.hidden = true;
  input.focus();
  const stop = () => {
    node._editing = null;
    box.remove();
    text.hidden = false;
    const now = thread.comments.get(id);
    if (now) fillComment(node, now);
    const edit = node.querySelector('[data-action="edit-comment"]');
    if (edit) edit.focus();
  };
  const commit = async () => {
    const value = input.value.trim();
    if (!value) {
      showFieldError(input, "Write something, or delete the comment instead.");
      return;
    }
    if (value === thread.comments.get(id)?.text) return stop();
    save.disabled = true;
    try {
      thread.comments.set(id, await calls.comments.update(id, { text: value }));
      stop();
    } catch (err) {
      save.disabled = false;
      showFieldError(input, humanMessage(err));
    }
  };
  save.addEventListener("click", commit);
  cancel.addEventListener("click", stop);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      commit();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      stop();
    }
  });
}

async function deleteComment(node, button) {
  const id = node.dataset.commentId;
  button.disabled = true;
  try {
    await calls.comments.remove(id);
    thread.comments.delete(id);
    const next = node.nextElementSibling || node.previousElementSibling;
    node.remove();
    renderComments();
    const focusTo = (next && next.querySelector('[data-action="edit-comment"]')) || byTestId("comment-input", thread.node);
    if (focusTo) focusTo.focus();
  } catch (err) {
    button.disabled = false;
    showFieldError(button, humanMessage(err));
  }
}

// The pane's comment form and each comment's Edit / Delete.
export function bindComments(paneNode) {
  paneNode.addEventListener("click", (e) => {
    const action = e.target.closest('[data-action="edit-comment"], [data-action="delete-comment"]');
    const comment = action && action.closest('[data-testid="comment"]');
    if (!comment) return;
    if (action.dataset.action === "edit-comment") editComment(comment);
    else deleteComment(comment, action);
  });
  const input = byTestId("comment-input", paneNode);
  if (!input || !input.form) return;
  input.form.addEventListener("submit", (e) => {
    e.preventDefault();
    addComment(input);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      addComment(input);
    }
  });
  input.addEventListener("input", () => clearFieldError(input));
}
