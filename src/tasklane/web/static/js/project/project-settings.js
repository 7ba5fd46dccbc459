// Project settings, for owners, from the header's gear: the description and colour,
// archiving and unarchiving, and deleting the project after a confirmation that names
// it. Whoever changes them, every open page of the project shows the result: the
// description under the header, the colour (header.js), an "Archived" badge, and the
// sidebar, which lists only projects that are not archived (Home lists those too, marked).

import { humanMessage } from "../api.js";
import {
  $, byTestId, field, cloneTemplate, notify, setText, showFieldError, clearFieldError,
} from "../ui.js";
import { showDialog, confirmAction } from "../dialogs.js";
import { at } from "../urls.js";
import { projectId } from "./context.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { afterRender, render } from "./view.js";
import { showProject } from "./header.js";

let dialog = null; // the settings dialog while it is open

function accept(saved) {
  store.acceptProject(saved, seqOf(saved));
  showProject();
  render();
}

async function save(form) {
  const description = form.elements.description;
  const chosen = form.querySelector('input[name="color"]:checked');
  const changes = {};
  if (description.value !== (store.project.description || "")) changes.description = description.value;
  if (chosen && chosen.value !== store.project.color) changes.color = chosen.value;
  const submit = byTestId("project-settings-save", form);
  clearFieldError(submit);
  if (Object.keys(changes).length === 0) {
    dialog.close("");
    return;
  }
  submit.disabled = true;
  try {
    accept(await calls.projects.update(projectId, changes));
    dialog.close("saved");
    notify("Project settings saved.");
  } catch (err) {
    showFieldError(submit, humanMessage(err), { within: submit.parentElement });
  } finally {
    submit.disabled = false;
  }
}

async function toggleArchived(button) {
  const archived = !store.project.archived;
  clearFieldError(button);
  button.disabled = true;
  try {
    accept(await calls.projects.update(projectId, { archived }));
    notify(archived ? "Project archived. It is no longer listed in the sidebar." : "Project unarchived.");
  } catch (err) {
    showFieldError(button, humanMessage(err), { within: button.parentElement });
  } finally {
    button.disabled = false;
  }
}

async function deleteProject(button) {
  const name = store.project.name;
  clearFieldError(button);
  const sure = await confirmAction({
    title: `Delete the project \u201c${name}\u201d?`,
    message: "Its sections, tasks and comments go too, for every member. This can't be undone.",
    confirm: "Delete project",
  });
  if (!sure) return;
  button.disabled = true;
  try {
    await calls.projects.remove(projectId);
  } catch (err) {
    button.disabled = false;
    showFieldError(button, humanMessage(err), { within: button.parentElement });
    button.focus();
    return;
  }
  location.assign(at("/"));
}

function renderArchive(node) {
  const archived = Boolean(store.project.archived);
  setText(byTestId("project-archive", node), archived ? "Unarchive project" : "Archive project");
  setText(field(node, "archive-hint"), archived
    ? "This project is archived: it is not listed in the sidebar. Unarchive it to list it again."
    : "Archiving keeps everything as it is, and takes the project off the sidebar's list.");
}

async function openSettings(opener) {
  if (dialog || !store.canManage()) return;
  const node = cloneTemplate("project-settings-template");
  if (!node) return;
  const form = field(node, "settings-form");
  form.elements.description.value = store.project.description || "";
  for (const radio of form.querySelectorAll('input[name="color"]')) radio.checked = radio.value === store.project.color;
  renderArchive(node);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    save(form);
  });
  const archive = byTestId("project-archive", node);
  archive.addEventListener("click", () => toggleArchived(archive));
  const remove = byTestId("project-delete", node);
  remove.addEventListener("click", () => deleteProject(remove));
  dialog = node;
  await showDialog(node, { opener });
  dialog = null;
}

export function bindProjectSettings() {
  const button = byTestId("project-settings");
  if (button) button.addEventListener("click", () => openSettings(button));
}

// What every reader sees of the settings, as the store has them now.
function renderSettings() {
  const project = store.project;
  const button = byTestId("project-settings");
  if (button) button.hidden = !store.canManage();
  if (dialog && !store.canManage()) dialog.close("");
  if (dialog) renderArchive(dialog);
  const badge = byTestId("project-archived");
  if (badge) badge.hidden = !project.archived;
  const description = byTestId("project-description-text");
  if (description) {
    setText(description, project.description || "");
    description.hidden = !project.description;
  }
  const link = $(`nav [data-project-id="${CSS.escape(projectId)}"]`);
  if (link && link.parentElement) link.parentElement.hidden = Boolean(project.archived);
}

afterRender(renderSettings);
