// Loading a project's board through the API: the project (with the log's head `seq`),
// its sections and every page of its top-level tasks, as of that one `seq`.
//
// The lists are read after the project, so they hold at least everything up to its
// `seq`, and the events after it, replayed, bring them up to date. But a change that
// commits while the lists are read would be in the lists and replayed too; a task
// replaced twice is the same task, a comment counted twice is not. So the head is read
// again after the lists: unchanged, the lists are exactly at `seq`. Changed, they are read
// again (a busy project may never hold still: after the last try the lists are taken
// as they are, and only a derived count may be off until the task's next event).

/** @typedef {import("@tasklane/realtime").TasklaneRealtime} TasklaneRealtime */
/** @typedef {import("./events.js").ProjectView} ProjectView */
/** @typedef {import("./events.js").Section} Section */
/** @typedef {import("./events.js").Task} Task */
/** @typedef {{ items: Task[], nextCursor: string | null }} TaskPage  GET /api/projects/{id}/tasks */

const TASK_PAGE_SIZE = 100; // the API's default page, and within its limit
const TRIES = 3;

/**
 * @param {TasklaneRealtime} client
 * @param {string} projectId
 * @param {AbortSignal} signal
 * @returns {Promise<{ project: ProjectView, sections: Section[], tasks: Task[] }>}
 */
export async function loadProject(client, projectId, signal) {
  const path = `/api/projects/${encodeURIComponent(projectId)}`;
  /** @type {ProjectView} */
  let project = await client.request(path, { signal });
  for (let tries = 1; ; tries += 1) {
    const [sections, tasks] = await Promise.all([
      /** @type {Promise<Section[]>} */ (client.request(`${path}/sections`, { signal })),
      allTasks(client, path, signal),
    ]);
    /** @type {ProjectView} */
    const head = await client.request(path, { signal });
    if (head.seq === project.seq) return { project: head, sections, tasks };
    if (tries === TRIES) return { project, sections, tasks };
    project = head;
  }
}

/**
 * @param {TasklaneRealtime} client @param {string} path @param {AbortSignal} signal
 * @returns {Promise<Task[]>}
 */
async function allTasks(client, path, signal) {
  /** @type {Task[]} */
  const tasks = [];
  /** @type {string | null} */
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: String(TASK_PAGE_SIZE) });
    if (cursor) query.set("cursor", cursor);
    /** @type {TaskPage} */
    const page = await client.request(`${path}/tasks?${query}`, { signal });
    tasks.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return tasks;
}
