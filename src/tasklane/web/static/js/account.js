// The account page (templates/account.html): the profile, the password and personal API
// tokens, each sent through the JSON API and shown in place; a problem shows beside the
// field it is about. Without this script the forms post to the server, which does the
// same (web/account_page.py).

import { api, humanMessage, ApiError } from "./api.js";
import { confirmAction } from "./dialogs.js";
import {
  $$, byTestId, field, setText, cloneTemplate, fillAvatar, notify, setRelativeTime,
  showFieldError, clearFieldError, clearServerErrors, readPageData, flash, startRelativeTimeTicker,
} from "./ui.js";

const page = readPageData();
const me = { ...page.me };

const account = {
  update: (changes) => api.patch("/api/auth/me", changes),
  changePassword: (body) => api.post("/api/auth/password", body),
  tokens: {
    create: (body) => api.post("/api/tokens", body),
    remove: (tokenId) => api.del(`/api/tokens/${encodeURIComponent(tokenId)}`),
  },
};

// The same sentences as the server's forms (web/account_page.py, form_errors.py).
const PASSWORD_WORDS = {
  wrong_password: "That isn't your current password. Check it and try again.",
  password_unchanged: "That's your current password. Choose a different new one.",
  mismatch: "The two new passwords don't match. Type the same one in both.",
  tooShort: "Use at least 8 characters for a new password.",
  rate_limited: "That was a lot of tries in a short time. Wait a minute and try again.",
};

// A form's busy state: its submit button is disabled while the request is out.
async function whileBusy(form, work) {
  if (form.dataset.busy) return;
  form.dataset.busy = "1";
  const submit = form.querySelector('button[type="submit"]');
  if (submit) {
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
  }
  try {
    await work();
  } finally {
    delete form.dataset.busy;
    if (submit) {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    }
  }
}

// An error beside `input`, and the cursor there to put it right.
function refuse(input, message) {
  showFieldError(input, message);
  input.focus();
}

// An error about the form as a whole, at its end.
function showFormError(form, message) {
  const anchor = form.querySelector(".account-actions") || form.lastElementChild;
  return showFieldError(anchor, message);
}

function clearForm(form) {
  clearServerErrors(form);
  for (const input of form.querySelectorAll("input, fieldset, .account-actions")) clearFieldError(input);
  setText(field(form, "done"), "");
}

// ---------------------------------------------------------------- profile

// Every avatar and name of the reader on this page: the sidebar's and the preview.
function showMe() {
  for (const node of $$('[data-field="me-avatar"], [data-field="preview"]')) fillAvatar(node, me);
  for (const node of $$('[data-field="me-name"]')) setText(node, me.name);
}

function enhanceProfile() {
  const form = byTestId("profile-form");
  const name = byTestId("profile-name");
  const colors = byTestId("avatar-colors");
  if (!form || !name) return;
  const chosen = () => (form.querySelector('input[name="avatar_color"]:checked') || {}).value || null;
  // The preview shows the colour picked, before it is saved.
  colors.addEventListener("change", () => fillAvatar(field(form, "preview"), { ...me, avatarColor: chosen() }));
  name.addEventListener("input", () => clearFieldError(name));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearForm(form);
    const typed = name.value.trim();
    if (!typed) {
      refuse(name, "Enter your name.");
      return;
    }
    whileBusy(form, async () => {
      try {
        const saved = await account.update({ name: typed, avatarColor: chosen() });
        Object.assign(me, { name: saved.name, avatarColor: saved.avatarColor ?? null });
        name.value = saved.name;
        showMe();
        setText(field(form, "done"), "Profile saved.");
      } catch (err) {
        const where = err instanceof ApiError && err.code === "validation_error" ? problemField(err) : "";
        if (where === "name") showFieldError(name, humanMessage(err));
        else if (where === "avatarColor") showFieldError(colors, "Choose one of the colours shown.");
        else showFormError(form, humanMessage(err));
      }
    });
  });
}

// The field a validation error names last in its location ("name", "newPassword", …).
function problemField(err) {
  const first = Array.isArray(err.details) ? err.details[0] : null;
  const location = first && Array.isArray(first.location) ? first.location : [];
  return String(location[location.length - 1] || "");
}

// ---------------------------------------------------------------- password

function enhancePassword() {
  const form = byTestId("password-form");
  if (!form) return;
  const current = byTestId("current-password");
  const fresh = byTestId("new-password");
  const confirm = byTestId("confirm-password");
  for (const input of [current, fresh, confirm]) input.addEventListener("input", () => clearFieldError(input));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearForm(form);
    if (!current.value) {
      refuse(current, "Enter your current password.");
      return;
    }
    if (fresh.value.trim().length < 8) {
      refuse(fresh, PASSWORD_WORDS.tooShort);
      return;
    }
    if (fresh.value !== confirm.value) {
      refuse(confirm, PASSWORD_WORDS.mismatch);
      return;
    }
    whileBusy(form, async () => {
      try {
        await account.changePassword({ currentPassword: current.value, newPassword: fresh.value });
        form.reset();
        setText(field(form, "done"), "Password changed. Other sessions were signed out; this one stays.");
      } catch (err) {
        const code = err instanceof ApiError ? err.code : "";
        const where = code === "validation_error" ? problemField(err) : "";
        if (code === "wrong_password" || where === "currentPassword") {
          showFieldError(current, PASSWORD_WORDS[code] || humanMessage(err));
          current.select();
          current.focus();
        } else if (code === "password_unchanged" || where === "newPassword") {
          refuse(fresh, PASSWORD_WORDS[code] || PASSWORD_WORDS.tooShort);
        } else {
          showFormError(form, PASSWORD_WORDS[code] || humanMessage(err));
        }
      }
    });
  });
}

// ---------------------------------------------------------------- tokens

function fillToken(row, token) {
  row.dataset.tokenId = token.id;
  setText(field(row, "name"), token.name);
  setRelativeTime(field(row, "created"), token.createdAt);
  const expires = field(row, "expires");
  expires.setAttribute("datetime", token.expiresAt || "");
  setText(expires, token.expiresAt ? token.expiresAt.slice(0, 10) : "Never");
  const remove = field(row, "delete");
  remove.setAttribute("aria-label", `Delete token ${token.name}`);
  remove.form.action = remove.form.action.replace(/\/account\/tokens\/[^/]*\/delete$/, `/account/tokens/${encodeURIComponent(token.id)}/delete`);
}

function enhanceTokens() {
  const form = byTestId("token-form");
  const list = byTestId("token-list");
  const created = byTestId("token-created");
  const secret = byTestId("token-secret");
  if (!form || !list) return;
  const names = new Map((page.tokens || []).map((t) => [t.id, t.name]));
  const input = byTestId("token-name");
  input.addEventListener("input", () => clearFieldError(input));

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearServerErrors(form);
    clearFieldError(input);
    const name = input.value.trim();
    if (!name) {
      refuse(input, "Enter a name for the token.");
      return;
    }
    whileBusy(form, async () => {
      try {
        const token = await account.tokens.create({ name });
        names.set(token.id, token.name);
        const row = cloneTemplate("token-row-template");
        fillToken(row, token);
        list.append(row);
        flash(row);
        input.value = "";
        secret.value = token.token;
        created.dataset.tokenId = token.id;
        created.hidden = false;
        setText(field(created, "copied"), "");
        byTestId("token-copy").focus();
      } catch (err) {
        refuse(input, humanMessage(err));
      }
    });
  });

  byTestId("token-copy").addEventListener("click", async () => {
    const done = field(created, "copied");
    try {
      await navigator.clipboard.writeText(secret.value);
      setText(done, "Copied to the clipboard.");
    } catch {
      secret.focus();
      secret.select();
      setText(done, "Selected: press Ctrl+C (⌘C on a Mac) to copy it.");
    }
  });

  // Delete, after asking: programs that use the token stop working at once.
  list.addEventListener("submit", async (e) => {
    const row = e.target.closest('[data-testid="token-row"]');
    if (!row) return;
    e.preventDefault();
    const id = row.dataset.tokenId;
    const name = names.get(id) || field(row, "name").textContent;
    const sure = await confirmAction({
      title: `Delete the token “${name}”?`,
      message: "Anything that uses it is refused from now on. This can't be undone.",
      confirm: "Delete token",
    });
    if (!sure) return;
    try {
      await account.tokens.remove(id);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "not_found")) {
        notify(humanMessage(err), { kind: "error" });
        return;
      }
    }
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    names.delete(id);
    if (created.dataset.tokenId === id) {
      created.hidden = true;
      secret.value = "";
    }
    notify(`Token “${name}” deleted.`);
    (next ? field(next, "delete") : input).focus();
  });
}

showMe();
enhanceProfile();
enhancePassword();
enhanceTokens();
startRelativeTimeTicker();
