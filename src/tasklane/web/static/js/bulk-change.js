// A bulk change and its inverse, without the DOM: one change (complete, move, assign,
// delete) made to several tasks as the per-task API calls it is made of, one after
// another, each recorded with what the task was before and what the answer says it is
// after; and the calls that take every task back exactly where it was. The calls are
// the page's (`perform`: bulk-bar.js has them from the page), so the store or the list
// the page draws from learns each answer as it comes.
//
// What a task was before is the task as the page had it, with `index`: its place among
// the top-level tasks of its section, counting those the filters hide.

/** @typedef {"complete" | "move" | "assign" | "delete"} BulkKind */
/**
 * @typedef {{ id: string, status: string, sectionId: string | null, rank: string,
 *   index: number, assigneeId: string | null, parentId: string | null }} Before
 * @typedef {{ before: Before, after: any }} Change  `after`: the answer (null: deleted)
 * @typedef {{ taskId: string, restore?: boolean,
 *   move?: { sectionId: string | null, position: number } | null,
 *   fields?: Record<string, unknown> }} UndoStep
 * @typedef {{
 *   update: (id: string, fields: Record<string, unknown>) => Promise<any>,
 *   move: (id: string, body: { sectionId: string | null, position?: number }) => Promise<any>,
 *   remove: (id: string) => Promise<unknown>,
 *   restore: (id: string) => Promise<unknown>,
 * }} Perform
 */

/** The field each kind sets (a deletion sets none). */
const FIELD = { complete: "status", move: "sectionId", assign: "assigneeId" };

// How deep `task` is under the others of `byId` (0: its parent is not among them).
function depthAmong(task, byId) {
  let depth = 0;
  const seen = new Set([task.id]);
  for (let up = byId.get(task.parentId); up && !seen.has(up.id); up = byId.get(up.parentId)) {
    seen.add(up.id);
    depth += 1;
  }
  return depth;
}

/**
 * The tasks `kind` (to `value`) changes, in the order their calls go: the order given,
 * less those it would leave as they are (a move takes top-level tasks only). A deletion
 * takes subtasks before their parents — the parent's deletion would take them along —
 * so that each is deleted, and restored, on its own.
 * @param {BulkKind} kind @param {unknown} value @param {Before[]} tasks
 */
export function changeOrder(kind, value, tasks) {
  if (kind === "delete") {
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const deep = (t) => 2 * depthAmong(t, byId) + (t.parentId ? 1 : 0);
    return [...tasks].sort((a, b) => deep(b) - deep(a));
  }
  return tasks.filter((t) => t[FIELD[kind]] !== value && !(kind === "move" && t.parentId));
}

/** @param {BulkKind} kind @param {unknown} value @param {Before} task @param {Perform} perform */
function changeOne(kind, value, task, perform) {
  if (kind === "delete") return perform.remove(task.id).then(() => null);
  // To the end of the section, in the order given: they arrive as they were.
  if (kind === "move") return perform.move(task.id, { sectionId: /** @type {string} */ (value) });
  return perform.update(task.id, { [FIELD[kind]]: value });
}

/**
 * Makes the change, one call at a time, telling `progress(done, total)` before each;
 * stops at the first failure. Resolves to what changed ({before, after} each, in
 * order), how many there were to change, and the failure with the task it was about.
 * @param {BulkKind} kind @param {unknown} value @param {Before[]} tasks @param {Perform} perform
 * @param {{ progress?: (done: number, total: number) => void }} [options]
 * @returns {Promise<{ changes: Change[], total: number, error: unknown, failed: Before | null }>}
 */
export async function applyBulkChange(kind, value, tasks, perform, { progress = () => {} } = {}) {
  const order = changeOrder(kind, value, tasks);
  /** @type {Change[]} */
  const changes = [];
  for (const [done, before] of order.entries()) {
    progress(done, order.length);
    try {
      changes.push({ before, after: await changeOne(kind, value, before, perform) });
    } catch (error) {
      return { changes, total: order.length, error, failed: before };
    }
  }
  return { changes, total: order.length, error: null, failed: null };
}

/**
 * The calls that take `changes` back, in order. A deletion is restored, in the reverse
 * order of the deletions (parents before their subtasks). Any other change puts back
 * what its kind changed (the status, which a move can change too, or the assignee),
 * after moving the task back to its section and place if the change moved it (a
 * section may stand for a status: completing moves a task to "Done"). The moves back
 * go in increasing order of the places the tasks had, so each lands among tasks that
 * are all where they were: the place it had is then the place it gets.
 * @param {BulkKind} kind @param {Change[]} changes
 * @returns {UndoStep[]}
 */
export function inverseOf(kind, changes) {
  if (kind === "delete") return changes.map(({ before }) => ({ taskId: before.id, restore: true })).reverse();
  const steps = changes.map(({ before, after }) => {
    const moved = Boolean(after) && (after.sectionId !== before.sectionId || after.rank !== before.rank);
    return {
      taskId: before.id,
      move: moved ? { sectionId: before.sectionId, position: before.index } : null,
      fields: kind === "assign" ? { assigneeId: before.assigneeId } : { status: before.status },
    };
  });
  const stayed = steps.filter((s) => !s.move);
  const moved = steps.filter((s) => s.move).sort((a, b) => a.move.position - b.move.position);
  return [...stayed, ...moved];
}

/**
 * Makes the calls of `inverseOf`; a field the move back already restored (a section's
 * status) is not set again.
 * @param {UndoStep[]} steps @param {Perform} perform
 */
export async function undoBulkChange(steps, perform) {
  for (const step of steps) {
    if (step.restore) {
      await perform.restore(step.taskId);
      continue;
    }
    const now = step.move ? await perform.move(step.taskId, step.move) : null;
    const fields = Object.fromEntries(
      Object.entries(step.fields || {}).filter(([key, value]) => !now || now[key] !== value),
    );
    if (Object.keys(fields).length) await perform.update(step.taskId, fields);
  }
}

/** "1 task", "5 tasks". @param {number} n @param {string} one @param {string} many */
export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/**
 * What the notice says of a bulk change made: "Completed 5 tasks.", "Moved 2 tasks to
 * Done.", "Assigned 3 tasks to Ben.", "Deleted 1 task."; `to` names where or whom.
 * @param {BulkKind} kind @param {number} n @param {{ value?: unknown, to?: string }} [what]
 */
export function bulkWords(kind, n, { value = null, to = "" } = {}) {
  const count = plural(n, "task", "tasks");
  if (kind === "complete") return value === "done" ? `Completed ${count}.` : `Reopened ${count}.`;
  if (kind === "move") return `Moved ${count} to ${to}.`;
  if (kind === "assign") return value ? `Assigned ${count} to ${to}.` : `Unassigned ${count}.`;
  return `Deleted ${count}.`;
}
