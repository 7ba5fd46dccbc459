// Members: owners invite people by email, change roles and remove people without a
// reload; anyone may leave. A refusal ("A project needs at least one owner…") shows
// beside the control that caused it. Without this script the forms post to the server,
// which does the same (web/forms.py).

import { endpoints, humanMessage } from "./api.js";
import { enhanceInvitations, offerInvitation, withdrawOffer } from "./invitations.js";
import { followMembers } from "./members-live.js";
import { at } from "./urls.js";
import {
  $, $$, byTestId, el, field, setText, cloneTemplate, readPageData, fillAvatar, notify, flash,
  showFieldError, clearFieldError, clearServerErrors, ROLE_WORDS,
} from "./ui.js";

const page = readPageData();
const me = page.me || {};
const projectId = page.project && page.project.id;
const members = new Map((page.members || []).map((m) => [m.userId, m]));
const ROW = '[data-testid="member-row"]';

function updateCount() {
  setText(byTestId("member-count"), $$(ROW).length);
}

// ----------------------------------------------------------------- role changes

async function changeRole(row, select) {
  const userId = row.dataset.userId;
  const member = members.get(userId);
  const role = select.value;
  clearServerErrors(select.form || row);
  clearFieldError(select);
  if (!member || role === member.role) return;
  select.disabled = true;
  try {
    const saved = await endpoints.members.update(projectId, userId, { role });
    members.set(userId, saved);
    row.dataset.role = saved.role;
    flash(row);
    const who = userId === me.id ? "You are" : `${saved.user.name} is`;
    notify(`${who} now ${ROLE_WORDS[saved.role] || saved.role}.`);
    if (userId === me.id && saved.role !== "owner") {
      // No longer an owner: this page's controls are not yours any more.
      setTimeout(() => location.reload(), 1200);
    }
  } catch (err) {
    select.value = member.role;
    showFieldError(select, humanMessage(err));
  } finally {
    select.disabled = false;
  }
}

// ----------------------------------------------------------------- removing and leaving

// Leaving cannot be undone by the one who leaves: ask once, in place.
function confirmLeave(form, button) {
  return new Promise((resolve) => {
    const yes = el("button", { type: "button", class: "button small danger-button", "data-testid": "member-leave-confirm", text: "Leave project" });
    const no = el("button", { type: "button", class: "button small", text: "Cancel" });
    const ask = el("span", { class: "confirm-leave", role: "group", "aria-label": "Leave this project?" },
      el("span", { class: "subtle", text: "Leave? Only an owner can add you back." }), yes, no);
    button.hidden = true;
    form.append(ask);
    yes.focus();
    const answer = (ok) => {
      ask.remove();
      button.hidden = false;
      if (!ok) button.focus();
      resolve(ok);
    };
    yes.addEventListener("click", () => answer(true));
    no.addEventListener("click", () => answer(false));
    ask.addEventListener("keydown", (e) => {
      if (e.key === "Escape") answer(false);
    });
  });
}

async function remove(row, form, button) {
  const userId = row.dataset.userId;
  const member = members.get(userId);
  const leaving = userId === me.id;
  clearServerErrors(form);
  clearFieldError(button);
  if (leaving && !(await confirmLeave(form, button))) return;
  button.disabled = true;
  try {
    await endpoints.members.remove(projectId, userId);
    if (leaving) {
      location.assign(at("/"));
      return;
    }
    members.delete(userId);
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    updateCount();
    notify(`${member ? member.user.name : "They"} no longer ${member ? "has" : "have"} access to this project.`);
    const focusTo = (next && field(next, "remove")) || byTestId("invite-email");
    if (focusTo) focusTo.focus();
  } catch (err) {
    button.disabled = false;
    showFieldError(button, humanMessage(err), { within: form });
    button.focus();
  }
}

// Saves a role as soon as it is chosen (the "Change" button is for pages without
// scripts); Remove and Leave ask the API, not the server's form.
function enhanceRow(row) {
  if (row._enhanced) return;
  row._enhanced = true;
  const select = field(row, "role");
  if (select && select.form) {
    const save = byTestId("member-role-save", select.form);
    if (save) save.hidden = true;
    select.addEventListener("change", () => changeRole(row, select));
    select.form.addEventListener("submit", (e) => {
      e.preventDefault();
      changeRole(row, select);
    });
  }
  const removeForm = field(row, "remove-form");
  const button = field(row, "remove");
  if (removeForm && button) {
    removeForm.addEventListener("submit", (e) => {
      e.preventDefault();
      remove(row, removeForm, button);
    });
  }
}

// ----------------------------------------------------------------- invitations

// A row for someone just invited: a clone of the server's (templates/macros.html,
// `member_row`), filled in.
function memberRow(member) {
  const row = cloneTemplate("member-row-template");
  const name = member.user.name;
  row.dataset.userId = member.userId;
  row.dataset.role = member.role;
  fillAvatar(field(row, "avatar"), { id: member.userId, name, avatarColor: member.user.avatarColor });
  setText(field(row, "name"), name);
  field(row, "you").hidden = member.userId !== me.id;
  setText(field(row, "email"), member.user.email);
  const select = field(row, "role");
  select.id = `role-${member.userId}`;
  select.value = member.role;
  const label = field(row, "role-label");
  label.htmlFor = select.id;
  setText(label, `Role of ${name}`);
  field(row, "role-form").setAttribute("action", at(`/projects/${projectId}/members/${member.userId}`));
  field(row, "remove-form").setAttribute("action", at(`/projects/${projectId}/members/${member.userId}/remove`));
  field(row, "remove").setAttribute("aria-label", `Remove ${name} from the project`);
  enhanceRow(row);
  return row;
}

function enhanceInvite() {
  const form = byTestId("invite-form");
  const email = byTestId("invite-email");
  const role = byTestId("invite-role");
  const submit = byTestId("invite-submit");
  if (!form || !email) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearServerErrors(form);
    clearFieldError(email);
    const address = email.value.trim();
    if (!address) {
      showFieldError(email, "Enter an email address like name@example.com.");
      email.focus();
      return;
    }
    if (submit) submit.disabled = true;
    try {
      const member = await endpoints.members.add(projectId, { email: address, role: role ? role.value : "editor" });
      members.set(member.userId, member);
      const list = byTestId("member-list");
      const existing = $(`${ROW}[data-user-id="${CSS.escape(member.userId)}"]`, list);
      const row = memberRow(member);
      if (existing) existing.replaceWith(row);
      else list.append(row);
      updateCount();
      flash(row);
      notify(`${member.user.name} joined as ${ROLE_WORDS[member.role] || member.role}.`);
      email.value = "";
      email.focus();
    } catch (err) {
      showFieldError(email, humanMessage(err));
      if (err.code === "not_found" && err.details && err.details.resource === "user") {
        offerInvitation(address, role ? role.value : "editor");
      }
      email.focus();
    } finally {
      if (submit) submit.disabled = false;
    }
  });
  email.addEventListener("input", () => {
    clearFieldError(email);
    withdrawOffer();
  });
}

for (const row of $$(ROW)) enhanceRow(row);
enhanceInvite();
enhanceInvitations(projectId);

// What others change arrives drawn by the server; its controls are bound here.
followMembers({
  projectId,
  seq: page.project ? page.project.seq : 0,
  meId: me.id,
  enhance: (root) => {
    members.clear();
    for (const row of $$(ROW)) {
      const text = (name) => (field(row, name) ? field(row, name).textContent : "");
      const userId = row.dataset.userId;
      members.set(userId, { userId, role: row.dataset.role, user: { name: text("name"), email: text("email") } });
      enhanceRow(row);
    }
    if (root.querySelector('[data-testid="invite-form"]')) enhanceInvite();
    updateCount();
  },
});
