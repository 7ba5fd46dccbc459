// Members: owners invite people by email and change roles without a reload. A refusal
// ("A project needs at least one owner…") shows beside the field that caused it.
// Without this script both forms post to the server, which does the same.

import { api, humanMessage } from "./api.js";
import {
  $, $$, byTestId, el, setText, readPageData, avatar, notify, flash,
  showFieldError, clearFieldError, ROLE_LABELS,
} from "./ui.js";

const page = readPageData();
const me = page.me || {};
const projectId = page.project && page.project.id;
const members = new Map((page.members || []).map((m) => [m.userId, m]));

const ROLE_WORDS = { owner: "an owner", editor: "an editor", commenter: "a commenter", viewer: "a viewer" };

function clearServerErrors(form) {
  for (const p of form.querySelectorAll("p.field-error")) p.remove();
  for (const i of form.querySelectorAll("[aria-invalid]")) {
    i.removeAttribute("aria-invalid");
    i.removeAttribute("aria-describedby");
  }
}

function updateCount() {
  setText(byTestId("member-count"), $$('[data-testid="member-row"]').length);
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
    const saved = await api.patch(`/api/projects/${projectId}/members/${userId}`, { role });
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

function enhanceRoleForm(row) {
  const select = row.querySelector('[data-testid="member-role"]');
  const form = select && select.form;
  if (!select || !form || form._enhanced) return;
  form._enhanced = true;
  // Saved as soon as it is chosen; the "Change" button is for pages without scripts.
  const save = byTestId("member-role-save", form);
  if (save) save.hidden = true;
  select.addEventListener("change", () => changeRole(row, select));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    changeRole(row, select);
  });
}

// ----------------------------------------------------------------- invitations

// A member row like the server's (templates/members.html); there is no <template> for it.
function memberRow(member) {
  const id = `role-${member.userId}`;
  const select = el("select", { id, name: "role", "data-testid": "member-role", "data-field": "role" },
    ...Object.entries(ROLE_LABELS).map(([value, label]) =>
      el("option", { value, text: label, selected: value === member.role })));
  select.value = member.role;
  const form = el("form", {
    class: "role-form", method: "post", action: `/projects/${projectId}/members/${member.userId}`,
  },
  el("label", { class: "visually-hidden", for: id, text: `Role of ${member.user.name}` }),
  select,
  el("button", { type: "submit", class: "button small", "data-testid": "member-role-save", text: "Change" }));
  const row = el("li", {
    class: "member-row", "data-testid": "member-row", "data-user-id": member.userId, "data-role": member.role,
  },
  avatar(member.user, { named: false }),
  el("span", { class: "member-who" },
    el("span", { class: "member-name", "data-field": "name", text: member.user.name }),
    el("span", { class: "member-email subtle", "data-field": "email", text: member.user.email })),
  form);
  enhanceRoleForm(row);
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
      const member = await api.post(`/api/projects/${projectId}/members`, {
        email: address, role: role ? role.value : "editor",
      });
      members.set(member.userId, member);
      const list = byTestId("member-list");
      const existing = $(`[data-testid="member-row"][data-user-id="${CSS.escape(member.userId)}"]`, list);
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
      email.focus();
    } finally {
      if (submit) submit.disabled = false;
    }
  });
  email.addEventListener("input", () => clearFieldError(email));
}

for (const row of $$('[data-testid="member-row"]')) enhanceRoleForm(row);
enhanceInvite();
