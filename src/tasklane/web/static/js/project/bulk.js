// Bulk changes on the List and the Board (bulk-bar.js): the project's tasks as the
// store has them, its sections and members to choose from, and the page's own calls,
// each answer taken into the store and drawn at once, as every change of this page is.

import { bindBulkChange } from "../bulk-bar.js";
import { store } from "./store.js";
import { calls, seqOf } from "./own-changes.js";
import { render, afterRender, viewRoot, ITEM_TESTID } from "./view.js";

function accepted(saved) {
  store.acceptTask(saved, seqOf(saved));
  render();
  return saved;
}

export function bindBulk() {
  const root = viewRoot();
  if (!root) return;
  bindBulkChange({
    root,
    item: `[data-testid="${ITEM_TESTID}"]`,
    where: "in the project",
    task: (id) => store.tasks.get(id) || null,
    canEdit: () => store.canEdit(),
    indexes: async (tasks) =>
      new Map(tasks.map((t) => [t.id, store.tasksIn(t.sectionId).findIndex((each) => each.id === t.id)])),
    moveTo: {
      allowed: () => true,
      choices: async () => store.sectionList().map((s) => ({ id: s.id, name: s.name })),
    },
    assignTo: {
      allowed: () => true,
      choices: async () => [
        { id: "", name: "Unassigned" },
        ...[...store.members.values()]
          .map((m) => ({ id: m.userId, name: m.user.name }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      ],
    },
    perform: {
      update: async (id, fields) => accepted(await calls.tasks.update(id, fields)),
      move: async (id, body) => accepted(await calls.tasks.move(id, body)),
      remove: async (id) => {
        await calls.tasks.remove(id);
        store.removeTask(id);
        render();
      },
      restore: async (id) => accepted(await calls.tasks.restore(id)),
    },
    onDrawn: afterRender,
  });
}
