// Invitations on the members page, for owners: when the email typed into the invite form
// has no account, the offer to invite it to Tasklane; the link of the invitation just
// made, with a Copy button; the pending invitations and their Revoke buttons. The markup
// is the server's (templates/member_invitations.html), filled and shown here; without
// this script its forms post to the server (web/invitation_pages.py), which does the
// same. Handlers are delegated from the document, so what a live redraw puts in place
// works as it arrives.

import { endpoints, humanMessage } from "./api.js";
import { at } from "./urls.js";
import {
  $$, byTestId, field, setText, cloneTemplate, notify, flash, showFieldError, clearFieldError,
  ROLE_WORDS,
} from "./ui.js";

const ROW = '[data-testid="invitation-row"]';

/** Offer to invite `email`, who has no account, with `role`. */
export function offerInvitation(email, role) {
  const offer = byTestId("invite-offer");
  if (!offer) return;
  field(offer, "email").value = email;
  field(offer, "role").value = role;
  clearFieldError(byTestId("invite-to-tasklane", offer));
  offer.hidden = false;
}

/** The email typed changed: the offer was for the one before. */
export function withdrawOffer() {
  const offer = byTestId("invite-offer");
  if (offer) offer.hidden = true;
}

function updatePending() {
  const rows = $$(ROW);
  setText(byTestId("invitation-count"), rows.length);
  const empty = byTestId("invitations-empty");
  if (empty) empty.hidden = rows.length > 0;
}

function invitationRow(invitation, projectId) {
  const row = cloneTemplate("invitation-row-template");
  row.dataset.invitationId = invitation.id;
  row.dataset.email = invitation.email;
  setText(field(row, "email"), invitation.email);
  setText(field(row, "role"), invitation.role);
  field(row, "revoke-form").setAttribute("action", at(`/projects/${projectId}/invitations/${invitation.id}/revoke`));
  field(row, "revoke").setAttribute("aria-label", `Revoke the invitation to ${invitation.email}`);
  return row;
}

function rowsFor(email) {
  return $$(ROW).filter((row) => row.dataset.email === email.toLowerCase());
}

async function invite(offer, projectId) {
  const button = byTestId("invite-to-tasklane", offer);
  const email = field(offer, "email").value;
  clearFieldError(button);
  button.disabled = true;
  try {
    const made = await endpoints.invitations.create(projectId, { email, role: field(offer, "role").value });
    offer.hidden = true;
    const panel = byTestId("invite-link-panel");
    setText(field(panel, "email"), made.email);
    byTestId("invite-link", panel).value = made.url;
    panel.hidden = false;
    for (const earlier of rowsFor(made.email)) earlier.remove(); // its link no longer works
    const row = invitationRow(made, projectId);
    byTestId("invitation-list").append(row);
    updatePending();
    flash(row);
    const input = byTestId("invite-email");
    if (input) input.value = "";
    notify(`Invitation ready for ${made.email}, as ${ROLE_WORDS[made.role] || made.role}. Copy the link and send it to them.`);
    byTestId("invite-link-copy", panel).focus();
  } catch (err) {
    showFieldError(button, humanMessage(err), { within: offer });
    button.focus();
  } finally {
    button.disabled = false;
  }
}

async function copyLink(button) {
  const input = byTestId("invite-link");
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // No clipboard access (an insecure origin, or permission refused): the selected
    // link is copied the old way, or is there to copy by hand.
    input.select();
    if (!document.execCommand("copy")) {
      notify("Couldn't copy the link. It's selected: press Ctrl+C (⌘C on a Mac) to copy it.", { kind: "error" });
      return;
    }
  }
  notify("Link copied. Send it to the person you invited.");
  button.focus();
}

async function revoke(form) {
  const row = form.closest(ROW);
  const button = field(form, "revoke");
  if (!row || !button) return;
  clearFieldError(button);
  for (const p of form.querySelectorAll("p.field-error")) p.remove();
  button.disabled = true;
  try {
    await endpoints.invitations.revoke(row.dataset.invitationId);
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    updatePending();
    const panel = byTestId("invite-link-panel");
    if (panel && field(panel, "email").textContent === row.dataset.email) panel.hidden = true;
    notify(`The invitation to ${row.dataset.email} was revoked: its link no longer works.`);
    const focusTo = (next && field(next, "revoke")) || byTestId("invite-email");
    if (focusTo) focusTo.focus();
  } catch (err) {
    button.disabled = false;
    showFieldError(button, humanMessage(err), { within: form });
    button.focus();
  }
}

function dropJoined() {
  const members = $$('[data-testid="member-row"] [data-field="email"]');
  const joined = new Set(members.map((node) => node.textContent.trim().toLowerCase()));
  const gone = $$(ROW).filter((row) => joined.has(row.dataset.email));
  if (gone.length === 0) return;
  for (const row of gone) row.remove();
  updatePending();
}

/** Bind the invitation controls of the members page of `projectId`. */
export function enhanceInvitations(projectId) {
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.testid === "invite-offer") {
      e.preventDefault();
      invite(form, projectId);
    } else if (form.dataset.field === "revoke-form" && form.closest(ROW)) {
      e.preventDefault();
      revoke(form);
    }
  });
  document.addEventListener("click", (e) => {
    const button = e.target instanceof Element && e.target.closest('[data-testid="invite-link-copy"]');
    if (button) copyLink(button);
  });
  // Someone invited who joined is a member now, no longer pending: whenever the member
  // list is drawn again (live, as others change it), the pending list follows it.
  const main = document.querySelector("main") || document.body;
  new MutationObserver(dropJoined).observe(main, { childList: true, subtree: true });
}

