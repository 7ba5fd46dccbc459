// Home: the "New project" form creates the project through the JSON API and opens it;
// a problem shows beside the name field. Without this script the form posts to the
// server, which does the same.

import { endpoints, humanMessage } from "./api.js";
import { at } from "./urls.js";
import { byTestId, showFieldError, clearFieldError, clearServerErrors } from "./ui.js";

function enhanceNewProject() {
  const form = byTestId("new-project-form");
  const input = byTestId("new-project-name");
  const submit = byTestId("new-project-submit");
  if (!form || !input) return;
  let busy = false;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (busy) return;
    clearServerErrors(form);
    clearFieldError(input);
    const name = input.value.trim();
    if (!name) {
      showFieldError(input, "Enter a name for the project.");
      input.focus();
      return;
    }
    busy = true;
    if (submit) {
      submit.disabled = true;
      submit.setAttribute("aria-busy", "true");
    }
    try {
      const project = await endpoints.projects.create({ name });
      location.assign(at(`/projects/${encodeURIComponent(project.id)}`));
    } catch (err) {
      showFieldError(input, humanMessage(err));
      input.focus();
      busy = false;
      if (submit) {
        submit.disabled = false;
        submit.removeAttribute("aria-busy");
      }
    }
  });
  input.addEventListener("input", () => clearFieldError(input));
  // "+ New project" in the sidebar links to /#new-project: start typing right away.
  const focusIfAsked = () => {
    if (location.hash === "#new-project") input.focus();
  };
  window.addEventListener("hashchange", focusIfAsked);
  focusIfAsked();
}

enhanceNewProject();
