// The members page, live: it follows its project's log from the head it was drawn at, and
// when someone else adds, removes or changes the role of a member, or a member changes
// their name or colour (the reader too, on another page), the list and the header's
// avatars are drawn again by the server (this page, fetched) and put in place; when the
// reader's own role changed, the whole page is, as what they may do changed with it.
// Losing the project (removed, or it was deleted) says so and goes home.

import { $, byTestId, notify } from "./ui.js";
import { at } from "./urls.js";
import { pageRealtime } from "./page-realtime.js";

const MEMBERS = new Set(["member_added", "member_updated", "member_removed"]);

/**
 * @param {{ projectId: string, seq: number, meId: string, enhance: (root: Element) => void }} options
 *   `enhance` binds the controls of what was put in place.
 */
export async function followMembers({ projectId, seq, meId, enhance }) {
  const rt = await pageRealtime();
  if (!rt) return;
  let drawing = Promise.resolve();
  const redraw = (whole) => {
    drawing = drawing.then(() => draw(whole, enhance)).catch((err) => console.warn("Tasklane: could not redraw the members", err));
  };
  rt.on("event", (e) => {
    if (e.projectId !== projectId || !MEMBERS.has(e.type)) return;
    // Who is a member with what role the reader changes here, and saw as they did.
    const membership = e.type !== "member_updated" || e.data.changes.includes("role");
    if (membership && e.userId === meId) return;
    redraw(membership && e.data.userId === meId);
  });
  rt.on("resync", ({ projectId: pid, seq: head }) => {
    if (pid !== projectId) return;
    redraw(true);
    rt.setCursor(pid, head);
  });
  rt.on("left", ({ projectId: pid, reason }) => {
    if (pid !== projectId) return;
    const gone = reason === "project_deleted" ? "This project was deleted." : "You no longer have access to this project.";
    notify(`${gone} Taking you home…`, { kind: "error", timeout: 0 });
    setTimeout(() => location.assign(at("/")), 2500);
  });
  rt.join(projectId, seq);
}

async function draw(whole, enhance) {
  const response = await fetch(location.pathname, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const drawn = new DOMParser().parseFromString(await response.text(), "text/html");
  const inMain = whole ? [".page"] : ['[data-testid="member-list"]', '[data-testid="member-count"]'];
  for (const selector of [...inMain.map((s) => `main ${s}`), '[data-testid="member-avatars"]']) {
    const mine = $(selector);
    const theirs = drawn.querySelector(selector);
    if (!mine || !theirs) continue;
    const fresh = document.importNode(theirs, true);
    mine.replaceWith(fresh);
    enhance(fresh);
  }
  if (whole) {
    const template = byTestId("member-row-template") || document.getElementById("member-row-template");
    const theirs = drawn.getElementById("member-row-template");
    if (theirs && !template) document.body.append(document.importNode(theirs, true));
    if (!theirs && template) template.remove();
  }
}
