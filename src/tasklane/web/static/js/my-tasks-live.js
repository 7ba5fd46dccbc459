// My Tasks, live: what the reader's own log says (person-live.js) applied to the page's
// map of tasks — a task given to them enters, one taken from them, deleted, or in a
// project they left leaves, a change to one of theirs shows — then drawn again by
// `drawMyTasks`, filters and groups included. `applyToMyTasks` is pure.

/**
 * Applies event `e` of the reader's own log to `tasks` (id -> task with `order`) and
 * `projects` (the page's list, for the rows' project chips); whether anything changed.
 * @param {Map<string, any>} tasks @param {any[]} projects @param {any} e @param {string} meId
 */
export function applyToMyTasks(tasks, projects, e, meId) {
  const d = e.data || {};
  switch (e.type) {
    case "task_created":
    case "task_updated":
    case "task_status_changed": {
      const task = d.task;
      if (task.assigneeId !== meId) return tasks.delete(task.id);
      const before = tasks.get(task.id);
      const order = before ? before.order : Math.max(-1, ...[...tasks.values()].map((t) => t.order ?? 0)) + 1;
      tasks.set(task.id, { ...task, order });
      return true;
    }
    case "task_deleted": {
      let changed = false;
      for (const id of [d.taskId, ...(d.deletedSubtaskIds || [])]) changed = tasks.delete(id) || changed;
      return changed;
    }
    case "member_removed":
    case "project_deleted": {
      let changed = false;
      for (const task of [...tasks.values()]) if (task.projectId === d.projectId) changed = tasks.delete(task.id) || changed;
      return changed;
    }
    case "project_updated":
    case "project_created": {
      const at = projects.findIndex((p) => p.id === d.project.id);
      if (at >= 0) projects[at] = { ...projects[at], ...d.project };
      else projects.push(d.project);
      return [...tasks.values()].some((t) => t.projectId === d.project.id);
    }
    default:
      return false;
  }
}
