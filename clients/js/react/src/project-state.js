// A project's board as loaded and then as its events change it: the project, its
// sections in order, and its top-level tasks in section order, then rank. Pure: a state
// and an event in, the next state out (the same object when nothing changed), so an
// update React runs twice gives the same result.
//
// The state remembers the last `seq` it holds, and an event at or below it is already
// in it: it may arrive twice (buffered during a load that already saw it), never count
// twice.

/** @typedef {import("./events.js").Task} Task */
/** @typedef {import("./events.js").Section} Section */
/** @typedef {import("./events.js").ProjectView} ProjectView */
/** @typedef {import("./events.js").RealtimeEvent} RealtimeEvent */
/** @typedef {import("./events.js").Reranked} Reranked */
/**
 * @typedef {object} ProjectState
 * @property {ProjectView} project
 * @property {Section[]} sections  by rank
 * @property {Task[]} tasks  top-level only: by section order, then rank
 * @property {number} seq  the last event the state holds
 */

/**
 * The state of a load: what the API answered, at the project's `seq`.
 * @param {{ project: ProjectView, sections: Section[], tasks: Task[] }} loaded
 * @returns {ProjectState}
 */
export function loadedState({ project, sections, tasks }) {
  const ordered = sortSections(sections);
  return {
    project,
    sections: ordered,
    tasks: sortTasks(tasks.filter((task) => task.parentId == null), ordered),
    seq: project.seq,
  };
}

/**
 * @param {ProjectState} state
 * @param {RealtimeEvent} event
 * @returns {ProjectState}
 */
export function applyEvent(state, event) {
  if (event.projectId !== state.project.id || event.seq <= state.seq) return state;
  const next = { ...state, seq: event.seq };
  switch (event.type) {
    case "project_created": {
      const sections = sortSections(event.data.sections.reduce(upsert, state.sections));
      return { ...next, project: { ...state.project, ...event.data.project }, sections, tasks: sortTasks(state.tasks, sections) };
    }
    case "project_updated":
      return { ...next, project: { ...state.project, ...event.data.project } };
    case "section_created":
    case "section_updated": {
      const sections = sortSections(upsert(withRanks(state.sections, event.data.reranked), event.data.section));
      return { ...next, sections, tasks: sortTasks(state.tasks, sections) };
    }
    case "section_deleted":
      return { ...next, sections: state.sections.filter((section) => section.id !== event.data.sectionId) };
    case "task_created":
    case "task_updated":
    case "task_status_changed": {
      const { task } = event.data;
      if (task.parentId != null) {
        // A subtask: not on the board, but its parent counts it.
        const tasks = state.tasks.filter((each) => each.id !== task.id);
        return { ...next, tasks: event.type === "task_created" ? count(tasks, task.parentId, "subtaskCount", 1) : tasks };
      }
      return { ...next, tasks: sortTasks(upsert(withRanks(state.tasks, event.data.reranked), task), state.sections) };
    }
    case "task_deleted": {
      const { taskId, parentId, deletedSubtaskIds } = event.data;
      const gone = new Set([taskId, ...deletedSubtaskIds]);
      const tasks = state.tasks.filter((task) => !gone.has(task.id));
      return { ...next, tasks: parentId == null ? tasks : count(tasks, parentId, "subtaskCount", -1) };
    }
    case "comment_created":
      return { ...next, tasks: count(state.tasks, event.data.taskId, "commentCount", 1) };
    case "comment_deleted":
      return { ...next, tasks: count(state.tasks, event.data.taskId, "commentCount", -1) };
    default:
      // project_deleted (the caller stops following), members, comment edits: nothing
      // on the board changes.
      return next;
  }
}

/** @param {{ id: string, rank: string }} a @param {{ id: string, rank: string }} b */
function byRank(a, b) {
  // Ranks are ASCII, compared byte by byte (docs/protocol.md, "Order within a section"):
  // < on strings, not localeCompare.
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** @param {Section[]} sections */
function sortSections(sections) {
  return [...sections].sort(byRank);
}

/**
 * Tasks by their section's place, then rank; a task of a section not (yet) known last.
 * @param {Task[]} tasks @param {Section[]} sections
 */
function sortTasks(tasks, sections) {
  const place = new Map(sections.map((section, index) => [section.id, index]));
  const placeOf = (/** @type {Task} */ task) => place.get(task.sectionId ?? "") ?? sections.length;
  return [...tasks].sort((a, b) => placeOf(a) - placeOf(b) || byRank(a, b));
}

/**
 * @template {{ id: string }} T
 * @param {T[]} items @param {T} item
 * @returns {T[]}
 */
function upsert(items, item) {
  const index = items.findIndex((each) => each.id === item.id);
  if (index < 0) return [...items, item];
  const copy = [...items];
  copy[index] = item;
  return copy;
}

/**
 * The siblings a change re-spaced, with their new ranks.
 * @template {{ id: string, rank: string }} T
 * @param {T[]} items @param {Reranked | undefined} reranked
 * @returns {T[]}
 */
function withRanks(items, reranked) {
  if (!reranked) return items;
  return items.map((item) => {
    const rank = reranked[item.id];
    return rank === undefined || rank === item.rank ? item : { ...item, rank };
  });
}

/**
 * @param {Task[]} tasks @param {string} taskId
 * @param {"subtaskCount" | "commentCount"} field @param {number} delta
 */
function count(tasks, taskId, field, delta) {
  return tasks.map((task) => (task.id === taskId ? { ...task, [field]: Math.max(0, task[field] + delta) } : task));
}
