// The project's header and its name wherever it shows (sidebar, title): owners rename
// the project in place; a rename by someone else shows at once, or, while the reader is
// renaming it too, as a note beside their input. The header's stack of members follows
// who they are and what they are called.

import { $, byTestId, field, el, clear, setText, flash, fillAvatar, showRemoteNote } from "../ui.js";
import { editInline } from "../inline-edit.js";
import { me, projectId } from "./context.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { afterRender } from "./view.js";
import { refreshTitle } from "./task-pane.js";

let renaming = null; // the inline input while the reader renames the project

function renameButton() {
  return $('[data-action="rename-project"]');
}

function startRename() {
  const h1 = byTestId("project-name");
  if (!h1 || renaming || !store.canManage()) return;
  const button = renameButton();
  ({ input: renaming } = editInline(h1, {
    value: store.project.name,
    current: () => store.project.name,
    label: "Project name",
    testid: "project-name-input",
    className: "project-rename",
    maxlength: 200,
    hide: [button],
    focusAfter: button,
    save: async (name) => {
      const saved = await calls.projects.update(projectId, { name });
      store.acceptProject(saved, seqOf(saved));
      showProject();
    },
    onClose: () => {
      renaming = null;
      setText(h1, store.project.name);
    },
  }));
}

export function bindHeader() {
  const button = renameButton();
  const h1 = byTestId("project-name");
  if (button) button.addEventListener("click", startRename);
  if (h1) h1.addEventListener("dblclick", startRename);
}

/**
 * Shows the store's project: its name in the header, the sidebar and the title, and its
 * colour. `actorId` and `changes` (a project_updated event's) flash the name and note a
 * rename by someone else under the reader's own.
 */
export function showProject({ actorId = null, changes = [] } = {}) {
  const project = store.project;
  const h1 = byTestId("project-name");
  if (h1 && !renaming) setText(h1, project.name);
  if (renaming && actorId && actorId !== me.id && changes.includes("name") && renaming.value.trim() !== project.name) {
    showRemoteNote(renaming, store.firstName(actorId));
  }
  const link = $(`nav [data-project-id="${CSS.escape(projectId)}"]`);
  if (link) {
    setText(field(link, "name"), project.name);
    link.title = project.name; // the whole name, where the sidebar ends it in an ellipsis
    const dot = $(".dot", link);
    if (dot) dot.style.setProperty("--dot", project.color);
  }
  const dot = $(".project-header .dot");
  if (dot) dot.style.setProperty("--dot", project.color);
  refreshTitle();
  if (h1 && changes.includes("name")) flash(h1);
}

// As many avatars as the header has room for, as the server draws them.
const STACKED = 4;
let membersDrawn = ""; // what the stack shows, so that it is drawn again only when that changed

// The header's members from the store: the first to join, each with their name and
// colour as of the last event, and how many more.
function showMembers() {
  const stack = byTestId("member-avatars");
  if (!stack) return;
  const members = [...store.members.values()];
  const shown = members.slice(0, STACKED).map((m) => m.user);
  const drawn = JSON.stringify([members.length, shown]);
  if (drawn === membersDrawn) return;
  membersDrawn = drawn;
  clear(stack);
  for (const user of shown) {
    const avatar = el("span", { class: "avatar" });
    fillAvatar(avatar, user, { named: true });
    stack.append(avatar);
  }
  const more = members.length - shown.length;
  if (more > 0) stack.append(el("span", { class: "avatar more", title: `${more} more`, text: `+${more}` }));
  stack.setAttribute("aria-label", `${members.length} members`);
}

// Owners see the pencil; it comes and goes with the reader's role.
afterRender(() => {
  const button = renameButton();
  if (button && !renaming) button.hidden = !store.canManage();
  showMembers();
});
