// Quick add ("q" on any signed-in page): a small dialog that adds a task through the
// JSON API — its name, a project (the one on screen, else the first the reader can add
// tasks to) and, when asked, the reader as its assignee. The task then reaches every
// page that follows the project, as any change does.

import { api, endpoints, humanMessage } from "./api.js";
import { showDialog } from "./dialogs.js";
import { el, notify, readPageData } from "./ui.js";

const ADDERS = new Set(["owner", "editor"]);

/** The projects the reader can add tasks to, in the order the API lists them. */
export function projectsToAddTo(projects) {
  return projects.filter((p) => !p.archived && ADDERS.has(p.role));
}

/** The project quick add starts on: the one on screen when the reader can add to it,
 * else the first. */
export function startingProject(projects, onScreenId) {
  return projects.find((p) => p.id === onScreenId) || projects[0] || null;
}

function quickAddDialog() {
  const error = el("p", { class: "field-error", role: "alert", "data-testid": "quick-add-error", hidden: true });
  const name = el("input", {
    id: "quick-add-name",
    type: "text",
    name: "name",
    "data-testid": "quick-add-name",
    maxlength: "500",
    autocomplete: "off",
    placeholder: "What needs doing?",
    autofocus: true,
  });
  const project = el("select", { id: "quick-add-project", name: "project", "data-testid": "quick-add-project" },
    el("option", { value: "", text: "Loading projects…" }));
  const mine = el("input", { type: "checkbox", name: "mine", "data-testid": "quick-add-assign-me" });
  const submit = el("button", { type: "submit", class: "button primary", "data-testid": "quick-add-submit", text: "Add task" });
  const form = el("form", { class: "dialog-form quick-add-form", novalidate: true },
    el("div", { class: "field" }, el("label", { for: "quick-add-name", text: "Task name" }), name),
    el("div", { class: "field" }, el("label", { for: "quick-add-project", text: "Project" }), project),
    el("label", { class: "check-label" }, mine, "Assign to me"),
    el("div", { class: "dialog-actions" },
      el("button", { type: "button", class: "button", "data-action": "close-dialog", text: "Cancel" }),
      submit,
      error));
  const node = el("dialog", {
    class: "dialog quick-add-dialog",
    "data-testid": "quick-add-dialog",
    "aria-labelledby": "quick-add-title",
  },
  el("div", { class: "dialog-head" }, el("h2", { id: "quick-add-title", class: "dialog-title", text: "Add a task" })),
  form);
  return { node, form, name, project, mine, submit, error };
}

function showError(parts, message) {
  parts.error.textContent = message;
  parts.error.hidden = false;
}

// Nothing can be added: the reason, and "Add task" off.
function fail(parts, message) {
  showError(parts, message);
  parts.submit.disabled = true;
}

function fillProjects(parts, projects, chosen) {
  parts.project.replaceChildren(
    ...projects.map((p) => el("option", { value: p.id, selected: p === chosen, text: p.name })),
  );
}

async function add(parts, me) {
  if (parts.submit.disabled) return; // one task per "Add task", however often Enter is pressed
  const text = parts.name.value.trim();
  if (!text) {
    showError(parts, "Enter a name.");
    parts.name.setAttribute("aria-invalid", "true");
    parts.name.focus();
    return;
  }
  parts.name.removeAttribute("aria-invalid");
  parts.submit.disabled = true;
  try {
    const body = parts.mine.checked ? { name: text, assigneeId: me.id } : { name: text };
    const task = await endpoints.tasks.create(parts.project.value, body);
    const where = parts.project.selectedOptions[0]?.textContent || "the project";
    parts.node.close("added");
    notify(`Added “${task.name}” to ${where}.`);
  } catch (err) {
    showError(parts, humanMessage(err)); // the dialog stays, with the text typed
  } finally {
    parts.submit.disabled = false;
  }
}

/** Opens quick add at once; the projects fill in when the API has listed them, and
 * "Add task" waits for them. Resolves when the dialog closes. */
export function openQuickAdd() {
  const page = readPageData();
  const parts = quickAddDialog();
  const listed = api.get("/api/projects").then(
    (all) => {
      const projects = projectsToAddTo(all);
      fillProjects(parts, projects, startingProject(projects, page.project?.id));
      if (projects.length === 0) {
        fail(parts, "There is no project you can add tasks to yet: create one on Home first.");
      }
      return projects.length > 0;
    },
    (err) => {
      fail(parts, humanMessage(err));
      return false;
    },
  );
  parts.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (await listed) add(parts, page.me || {});
  });
  return showDialog(parts.node);
}
