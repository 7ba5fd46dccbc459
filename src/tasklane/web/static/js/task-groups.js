// The groups a grouped List or My Tasks draws its rows in (clones of
// #task-group-template, templates/view_filters.html's `task_group`), from
// view-filters.js's `groupTasks`.

import { byTestId, cloneTemplate, field, setText, syncList } from "./ui.js";

const GROUP = '[data-testid="task-group"]';

function fillGroup(node, group, filtered) {
  node.dataset.group = group.key;
  setText(field(node, "group-name"), group.title);
  setText(byTestId("section-count", node), group.tasks.length);
  setText(field(node, "empty"), group.empty);
  // An empty group shows only where it has a place of its own, and nothing is filtered.
  node.hidden = group.tasks.length === 0 && (filtered || !group.fixed);
}

/**
 * Makes `box`'s groups those of `groups`, in order, reusing each by its key. Returns
 * each group's list of rows, in the same order, for the caller to fill.
 */
export function syncGroups(box, groups, { filtered = false } = {}) {
  syncList(box, groups, {
    selector: GROUP,
    key: (g) => g.key,
    keyOf: (node) => node.dataset.group,
    create: () => cloneTemplate("task-group-template"),
    fill: (node, g) => fillGroup(node, g, filtered),
  });
  return [...box.querySelectorAll(`:scope > ${GROUP}`)].map((node) => field(node, "tasks"));
}
