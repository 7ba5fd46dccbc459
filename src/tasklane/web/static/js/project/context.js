// What every part of the project page shares: the page's data as the server rendered
// it, who is reading, which project and view, and the page's addresses (inside its
// episode, urls.js).

import { readPageData } from "../ui.js";
import { at, pathWithin } from "../urls.js";
import { withViewQuery } from "../filter-bar.js";

export const page = readPageData();
export const me = page.me || {};
export const projectId = page.project ? page.project.id : null;
export const view = page.view === "board" ? "board" : "list";
export const onBoard = view === "board";

// Both keep the view's filters, sort and grouping (filter-bar.js), so that closing a task
// or reloading one shows the view as it was.
export const projectUrl = () => withViewQuery(at(onBoard ? `/projects/${projectId}/board` : `/projects/${projectId}`));
export const taskUrl = (id) => withViewQuery(at(`/projects/${projectId}/tasks/${id}${onBoard ? "?view=board" : ""}`));

// The open task's id in a page address of this project (a full path, with the
// episode's prefix, as `location.pathname` has it), or null.
export function taskIdFromPath(pathname) {
  const m = (pathWithin(pathname) ?? "").match(/^\/projects\/([^/]+)\/tasks\/([^/]+)\/?$/);
  return m && m[1] === projectId ? decodeURIComponent(m[2]) : null;
}
