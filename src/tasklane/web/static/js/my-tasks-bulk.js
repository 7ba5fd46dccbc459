// Bulk changes on My Tasks (bulk-bar.js), whose rows come from several projects. They
// are marked complete or incomplete, assigned among the members of their project when
// they all share one, and deleted; not moved, as the page shows no sections. A task
// given to someone else leaves the page and comes back in its place when undone.

import { endpoints } from "./api.js";
import { bindBulkChange } from "./bulk-bar.js";
import { onDrawn } from "./my-tasks-view.js";
import { fillTask } from "./task-markup.js";

const soleProject = (tasks) => {
  const projects = new Set(tasks.map((t) => t.projectId));
  return projects.size === 1 ? [...projects][0] : null;
};

// Each top-level task's place in its section, from its project's tasks as they are now.
async function placesInSections(tasks) {
  const places = new Map();
  for (const projectId of new Set(tasks.filter((t) => !t.parentId).map((t) => t.projectId))) {
    const all = (await endpoints.tasks.list(projectId)).filter((t) => !t.parentId);
    const bySection = new Map();
    for (const t of all.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))) {
      if (!bySection.has(t.sectionId)) bySection.set(t.sectionId, []);
      const section = bySection.get(t.sectionId);
      places.set(t.id, section.length);
      section.push(t);
    }
  }
  return places;
}

/**
 * Binds selection and bulk changes to My Tasks: `root` holds the rows, `tasks` is the
 * page's map (id -> task with `order`), `meId` the reader, `draw()` draws it again.
 * @param {Element} root @param {Map<string, any>} tasks @param {string} meId @param {() => void} draw
 */
export function bindMyTasksBulk(root, tasks, meId, draw) {
  const orders = new Map(); // id -> its place in the page's order, while it is away

  // The answer of a change, in the page's map if it is still the reader's.
  function keep(saved) {
    const order = tasks.get(saved.id)?.order ?? orders.get(saved.id) ?? tasks.size;
    if (saved.assigneeId === meId) tasks.set(saved.id, { ...saved, order });
    else away(saved.id);
    const row = root.querySelector(`[data-testid="task-row"][data-task-id="${CSS.escape(saved.id)}"]`);
    if (row && tasks.has(saved.id)) fillTask(row, tasks.get(saved.id));
    draw();
    return saved;
  }

  function away(id) {
    if (!tasks.has(id)) return;
    orders.set(id, tasks.get(id).order);
    tasks.delete(id);
  }

  bindBulkChange({
    root,
    item: '[data-testid="task-row"]',
    where: "in their projects",
    task: (id) => tasks.get(id) || null,
    canEdit: () => true,
    indexes: async (chosen, kind) => (kind === "complete" ? placesInSections(chosen) : new Map()),
    moveTo: null,
    assignTo: {
      allowed: (chosen) => soleProject(chosen) !== null,
      choices: async (chosen) => {
        const members = await endpoints.members.list(soleProject(chosen));
        return [
          { id: "", name: "Unassigned" },
          ...members.map((m) => ({ id: m.userId, name: m.user.name })).sort((a, b) => a.name.localeCompare(b.name)),
        ];
      },
    },
    perform: {
      update: async (id, fields) => keep(await endpoints.tasks.update(id, fields)),
      move: async (id, body) => keep(await endpoints.tasks.move(id, body)),
      remove: async (id) => {
        await endpoints.tasks.remove(id);
        away(id);
        draw();
      },
      restore: async (id) => keep(await endpoints.tasks.restore(id)),
    },
    onDrawn,
  });
}
