// The project page's store: the project, its sections, tasks and members, keyed by id,
// and how an event changes them. Two sources keep it current: the REST answers to what
// this page did, and the project's events in seq order. Each copy of a task, a section
// or the project is current as of a seq of the project's log (`versions`): an event
// says its own, a change's answer the seq of the event it produced (api.js), a read the
// last event the page had applied when it asked. Whichever copy is newer by seq wins,
// whatever order they arrive in; timestamps are never compared (with the gym's frozen
// clock they are all equal). Counts (subtasks, comments) move only by events. No DOM here.

function byRank(a, b) {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const EDITORS = ["owner", "editor"];
const COMMENTERS = ["owner", "editor", "commenter"];

export const store = {
  project: null,
  sections: new Map(), // id -> SectionPublic
  tasks: new Map(), // id -> TaskPublic (top-level tasks and the subtasks this page has seen)
  members: new Map(), // userId -> MemberPublic
  people: new Map(), // userId -> name, of everyone this page has seen (members, presence)
  gone: new Set(), // ids of deleted tasks: a late REST answer must not bring them back
  seq: 0, // the last event applied
  versions: new Map(), // id of a task, section or the project -> the seq its copy is current as of

  // The state as of `project.seq`, as read from the API. After a reset of the log its
  // seqs start again, so every version is forgotten; the subtasks kept (the list does
  // not hold them) are of unknown age, older than any answer.
  reset({ project, sections, tasks, members }) {
    this.project = project;
    this.seq = project.seq;
    this.versions = new Map([[project.id, project.seq]]);
    this.sections = new Map(sections.map((s) => [s.id, s]));
    const subtasks = [...this.tasks.values()].filter((t) => t.parentId);
    this.tasks = new Map(tasks.map((t) => [t.id, t]));
    for (const id of [...this.sections.keys(), ...this.tasks.keys()]) this.versions.set(id, project.seq);
    for (const sub of subtasks) if (this.tasks.has(sub.parentId)) this.tasks.set(sub.id, sub);
    if (members) this.setMembers(members);
  },

  // The seq a copy is current as of; -1 when unknown (older than anything).
  versionOf(id) {
    return this.versions.has(id) ? this.versions.get(id) : -1;
  },

  setMembers(members) {
    this.members = new Map(members.map((m) => [m.userId, m]));
    for (const m of members) this.people.set(m.userId, m.user.name);
  },

  sectionList() {
    return [...this.sections.values()].sort(byRank);
  },

  tasksIn(sectionId) {
    return [...this.tasks.values()].filter((t) => !t.parentId && t.sectionId === sectionId).sort(byRank);
  },

  subtasksOf(parentId) {
    return [...this.tasks.values()].filter((t) => t.parentId === parentId).sort(byRank);
  },

  name(userId) {
    if (!userId) return "Tasklane";
    return this.people.get(userId) || "A former member";
  },

  firstName(userId) {
    return this.name(userId).split(/\s+/)[0];
  },

  person(userId) {
    if (!userId) return null;
    const name = this.people.get(userId);
    const member = this.members.get(userId);
    const avatarColor = member ? member.user.avatarColor : null;
    return name ? { id: userId, name, avatarColor } : { id: userId, name: "A former member" };
  },

  sectionName(id) {
    return (this.sections.get(id) || {}).name || "another section";
  },

  role() {
    return (this.project && this.project.role) || "viewer";
  },
  canEdit() {
    return EDITORS.includes(this.role());
  },
  canComment() {
    return COMMENTERS.includes(this.role());
  },
  canManage() {
    return this.role() === "owner";
  },

  // From a REST answer current as of `seq`: it replaces an older copy (or a provisional
  // one), and is ignored if an event at or after `seq` already applied. Never a deleted
  // task. Counts stay as they are: only events move them.
  acceptTask(task, seq = -1) {
    if (this.gone.has(task.id)) return null;
    const have = this.tasks.get(task.id);
    if (have && !have.provisional && this.versionOf(task.id) >= seq) return have;
    const next = have
      ? { ...task, subtaskCount: have.subtaskCount, commentCount: have.commentCount }
      : task;
    this.tasks.set(task.id, next);
    this.versions.set(task.id, Math.max(seq, this.versionOf(task.id)));
    return next;
  },

  // From the event `seq`: the task as of that event (events come in seq order). A REST
  // answer with a higher seq already applied keeps its fields; the counts are the event's.
  eventTask(task, seq) {
    if (this.gone.has(task.id)) return null;
    const have = this.tasks.get(task.id);
    if (have && !have.provisional && this.versionOf(task.id) > seq) {
      const kept = { ...have, subtaskCount: task.subtaskCount, commentCount: task.commentCount };
      this.tasks.set(task.id, kept);
      return kept;
    }
    this.tasks.set(task.id, task);
    this.versions.set(task.id, seq);
    return task;
  },

  // A section from a REST answer current as of `seq` (the same rule as tasks); one
  // deleted meanwhile stays deleted unless `create` says the answer made it.
  acceptSection(section, seq = -1, { create = false } = {}) {
    const have = this.sections.get(section.id);
    if (!have && !create) return null;
    if (have && this.versionOf(section.id) >= seq) return have;
    this.sections.set(section.id, section);
    this.versions.set(section.id, seq);
    return section;
  },

  eventSection(section, seq) {
    if (this.versionOf(section.id) > seq) return;
    this.sections.set(section.id, section);
    this.versions.set(section.id, seq);
  },

  // The project's own fields (its name) from a REST answer current as of `seq`.
  acceptProject(project, seq = -1) {
    if (this.versionOf(this.project.id) >= seq) return;
    this.project = { ...this.project, ...project, role: this.project.role };
    this.versions.set(this.project.id, seq);
  },

  rerank(reranked, map) {
    if (!reranked) return;
    for (const [id, rank] of Object.entries(reranked)) {
      const item = map.get(id);
      if (item) map.set(id, { ...item, rank });
    }
  },

  removeTask(id, subtaskIds = []) {
    for (const gone of [id, ...subtaskIds]) {
      this.gone.add(gone);
      this.tasks.delete(gone);
    }
    for (const t of [...this.tasks.values()]) {
      if (t.parentId === id) {
        this.gone.add(t.id);
        this.tasks.delete(t.id);
      }
    }
  },

  bump(taskId, key, delta) {
    const t = this.tasks.get(taskId);
    if (t) this.tasks.set(taskId, { ...t, [key]: Math.max(0, (t[key] || 0) + delta) });
  },
};

// What a row shows, to tell whether an event changed anything visible (and so flash it).
function signature(task) {
  if (!task) return "";
  return [task.name, task.status, task.assigneeId, task.dueOn, task.sectionId, task.rank,
    task.subtaskCount, task.commentCount].join("\u0001");
}

/**
 * Applies one durable event, the next in seq order, to the store. Returns what changed,
 * for the page to show:
 *   task events      {task, visible}  the task after it (null if deleted meanwhile) and
 *                                     whether its row or card looks different now
 *   task_deleted     {deleted}        the task as it was (or null)
 *   member events    {roleChanged}    whether the reader's own role changed
 */
export function applyEvent(e, meId) {
  const d = e.data || {};
  switch (e.type) {
    case "task_created":
    case "task_updated":
    case "task_status_changed": {
      const before = signature(store.tasks.get(d.taskId));
      // A task that left for another project and came back arrives again as created:
      // newer than its task_deleted, so it lifts the tombstone.
      if (e.type === "task_created") store.gone.delete(d.taskId);
      const task = store.eventTask(d.task, e.seq);
      store.rerank(d.reranked, store.tasks);
      if (e.type === "task_created" && d.task.parentId) store.bump(d.task.parentId, "subtaskCount", +1);
      return { task, visible: Boolean(task) && signature(task) !== before };
    }
    case "task_deleted": {
      const deleted = store.tasks.get(d.taskId) || null;
      store.removeTask(d.taskId, d.deletedSubtaskIds || []);
      if (d.parentId) store.bump(d.parentId, "subtaskCount", -1);
      return { deleted };
    }
    case "section_created":
    case "section_updated":
      store.eventSection(d.section, e.seq);
      store.rerank(d.reranked, store.sections);
      return {};
    case "section_deleted":
      store.sections.delete(d.sectionId);
      return {};
    case "comment_created":
      store.bump(d.taskId, "commentCount", +1);
      return {};
    case "comment_deleted":
      store.bump(d.taskId, "commentCount", -1);
      return {};
    case "project_updated":
      if (store.versionOf(store.project.id) <= e.seq) {
        store.project = { ...store.project, ...d.project, role: store.project.role };
        store.versions.set(store.project.id, e.seq);
      }
      return {};
    case "member_added":
    case "member_updated": {
      store.members.set(d.userId, d.member);
      store.people.set(d.userId, d.member.user.name);
      const roleChanged = d.userId === meId && d.member.role !== store.project.role;
      if (roleChanged) store.project = { ...store.project, role: d.member.role };
      return { roleChanged };
    }
    case "member_removed":
      store.members.delete(d.userId);
      return {};
    default:
      return {};
  }
}

// A key that sorts strictly between a and b (null: no bound), for a card moved before
// the server has answered; the server's own rank replaces it.
export function rankBetween(a, b) {
  a = a || "";
  let out = "";
  for (let i = 0; ; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : -1;
    const cb = b !== null && b !== undefined && i < b.length ? b.charCodeAt(i) : 0x10000;
    if (ca === cb) {
      out += String.fromCharCode(ca);
      continue;
    }
    if (ca === -1) return cb > 1 ? out + String.fromCharCode(Math.min(cb - 1, 0x56)) : out + "\u0000V";
    if (cb - ca > 1) return out + String.fromCharCode(ca + 1);
    out += String.fromCharCode(ca);
    b = null;
  }
}
