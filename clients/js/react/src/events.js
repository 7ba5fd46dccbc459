// The vocabulary the bindings hand over: the objects of the JSON API and the durable
// events with each type's `data` spelled out (docs/protocol.md, "Durable event types";
// the models are clients/python/src/tasklane/protocol/events.py, task.py and project.py),
// and which `useRealtimeUpdates` handler each event type goes to.

/** @typedef {"todo" | "in_progress" | "done"} TaskStatus */
/** @typedef {"owner" | "editor" | "commenter" | "viewer"} Role */

/**
 * A task as `GET /api/tasks/{id}` returns it.
 * @typedef {object} Task
 * @property {string} id
 * @property {string} projectId
 * @property {string | null} sectionId  top-level tasks only
 * @property {string | null} parentId  set on subtasks
 * @property {string} name
 * @property {string} notes
 * @property {TaskStatus} status
 * @property {boolean} completed  status is "done"
 * @property {string | null} completedAt
 * @property {string | null} completedBy
 * @property {string | null} assigneeId
 * @property {string | null} dueOn  a day, YYYY-MM-DD
 * @property {string} rank  the order among siblings, compared byte by byte
 * @property {number} subtaskCount
 * @property {number} commentCount
 * @property {string} createdBy
 * @property {string} createdAt
 * @property {string} modifiedAt
 */

/**
 * @typedef {object} Section
 * @property {string} id
 * @property {string} projectId
 * @property {string} name
 * @property {string} rank
 * @property {TaskStatus | null} status  the status it stands for (tasks moved in take it); null: free
 * @property {string} createdAt
 */

/**
 * A project as events carry it.
 * @typedef {object} Project
 * @property {string} id
 * @property {string} workspaceId
 * @property {string} name
 * @property {string} description
 * @property {string} color
 * @property {boolean} archived
 * @property {string} createdBy
 * @property {string} createdAt
 * @property {string} modifiedAt
 */

/**
 * A project as one member loads it: with their role and the log's head `seq`.
 * @typedef {Project & { role: Role, seq: number }} ProjectView
 */

/**
 * @typedef {object} Comment
 * @property {string} id
 * @property {string} taskId
 * @property {string} projectId
 * @property {string} authorId
 * @property {string} text
 * @property {string} createdAt
 * @property {string | null} editedAt
 */

/**
 * @typedef {object} Member
 * @property {string} projectId
 * @property {string} userId
 * @property {Role} role
 * @property {{ id: string, email: string, name: string, avatarColor: string | null, createdAt: string }} user  `avatarColor`: the palette's colour they chose, or null for their ID's
 * @property {string} createdAt
 */

/**
 * Siblings whose rank a change rewrote (id → new rank), on the rare change that had to
 * spread a crowded order out again; null otherwise.
 * @typedef {Record<string, string> | null} Reranked
 */

/**
 * The envelope of a durable event of type `T` whose `data` is `D`.
 * @template {string} T
 * @template {object} D
 * @typedef {{ type: T, projectId: string, userId: string | null, seq: number, data: D & { projectId: string }, timestamp: string }} Envelope
 */

/** @typedef {Envelope<"project_created", { project: Project, sections: Section[] }>} ProjectCreatedEvent */
/** @typedef {Envelope<"project_updated", { project: Project, changes: string[] }>} ProjectUpdatedEvent */
/** @typedef {Envelope<"project_deleted", {}>} ProjectDeletedEvent */
/** @typedef {Envelope<"member_added", { userId: string, member: Member }>} MemberAddedEvent */
/** @typedef {Envelope<"member_updated", { userId: string, member: Member, previousRole: Role, changes: string[] }>} MemberUpdatedEvent  a role changed (`changes: ["role"]`), or the member's `name` or `avatarColor` */
/** @typedef {Envelope<"member_removed", { userId: string }>} MemberRemovedEvent */
/** @typedef {Envelope<"section_created", { sectionId: string, section: Section, reranked: Reranked }>} SectionCreatedEvent */
/** @typedef {Envelope<"section_updated", { sectionId: string, section: Section, changes: string[], reranked: Reranked }>} SectionUpdatedEvent */
/** @typedef {Envelope<"section_deleted", { sectionId: string }>} SectionDeletedEvent */
/** @typedef {Envelope<"task_created", { taskId: string, task: Task, reranked: Reranked }>} TaskCreatedEvent */
/** @typedef {Envelope<"task_updated", { taskId: string, task: Task, changes: string[], reranked: Reranked }>} TaskUpdatedEvent */
/** @typedef {Envelope<"task_status_changed", { taskId: string, task: Task, previousStatus: TaskStatus, newStatus: TaskStatus, changes: string[], reranked: Reranked }>} TaskStatusChangedEvent */
/** @typedef {Envelope<"task_deleted", { taskId: string, parentId: string | null, deletedSubtaskIds: string[] }>} TaskDeletedEvent */
/** @typedef {Envelope<"comment_created", { commentId: string, taskId: string, comment: Comment }>} CommentCreatedEvent */
/** @typedef {Envelope<"comment_updated", { commentId: string, taskId: string, comment: Comment }>} CommentUpdatedEvent */
/** @typedef {Envelope<"comment_deleted", { commentId: string, taskId: string }>} CommentDeletedEvent */

/** @typedef {TaskCreatedEvent | TaskUpdatedEvent | TaskStatusChangedEvent | TaskDeletedEvent} TaskEvent */
/** @typedef {CommentCreatedEvent | CommentUpdatedEvent | CommentDeletedEvent} CommentEvent */
/** @typedef {SectionCreatedEvent | SectionUpdatedEvent | SectionDeletedEvent} SectionEvent */
/** @typedef {ProjectCreatedEvent | ProjectUpdatedEvent | ProjectDeletedEvent} ProjectEvent */
/** @typedef {MemberAddedEvent | MemberUpdatedEvent | MemberRemovedEvent} MemberEvent */
/** @typedef {ProjectEvent | MemberEvent | SectionEvent | TaskEvent | CommentEvent} RealtimeEvent  every durable event */

/** @typedef {import("@tasklane/realtime").PresenceChange} PresenceChange  user_connected / user_disconnected */
/** @typedef {import("@tasklane/realtime").RealtimeEvents["resync"]} Resync  the project was reloaded from `seq` on */
/** @typedef {import("@tasklane/realtime").RealtimeEvents["left"]} Left  the project is no longer followed, and why */
/** @typedef {import("@tasklane/realtime").Person} Person */

/**
 * @typedef {object} RealtimeHandlers  what `useRealtimeUpdates` calls; every one optional
 * @property {((event: RealtimeEvent) => void) | undefined} [onEvent]  every durable event, before its type's handler
 * @property {((event: ProjectCreatedEvent) => void) | undefined} [onProjectCreated]
 * @property {((event: ProjectUpdatedEvent) => void) | undefined} [onProjectUpdated]
 * @property {((event: ProjectDeletedEvent) => void) | undefined} [onProjectDeleted]
 * @property {((event: MemberAddedEvent) => void) | undefined} [onMemberAdded]
 * @property {((event: MemberUpdatedEvent) => void) | undefined} [onMemberUpdated]
 * @property {((event: MemberRemovedEvent) => void) | undefined} [onMemberRemoved]
 * @property {((event: SectionCreatedEvent) => void) | undefined} [onSectionCreated]
 * @property {((event: SectionUpdatedEvent) => void) | undefined} [onSectionUpdated]
 * @property {((event: SectionDeletedEvent) => void) | undefined} [onSectionDeleted]
 * @property {((event: TaskCreatedEvent) => void) | undefined} [onTaskCreated]
 * @property {((event: TaskUpdatedEvent) => void) | undefined} [onTaskUpdated]
 * @property {((event: TaskStatusChangedEvent) => void) | undefined} [onTaskStatusChanged]
 * @property {((event: TaskDeletedEvent) => void) | undefined} [onTaskDeleted]
 * @property {((event: CommentCreatedEvent) => void) | undefined} [onCommentCreated]
 * @property {((event: CommentUpdatedEvent) => void) | undefined} [onCommentUpdated]
 * @property {((event: CommentDeletedEvent) => void) | undefined} [onCommentDeleted]
 * @property {((event: PresenceChange) => void) | undefined} [onUserConnected]
 * @property {((event: PresenceChange) => void) | undefined} [onUserDisconnected]
 * @property {((resync: Resync) => void) | undefined} [onResync]
 * @property {((left: Left) => void) | undefined} [onLeft]
 */

/**
 * The handler of each durable event type. A test holds it to the core's DURABLE_TYPES.
 * @type {Readonly<Record<RealtimeEvent["type"], keyof RealtimeHandlers>>}
 */
export const HANDLER_OF = Object.freeze({
  project_created: "onProjectCreated",
  project_updated: "onProjectUpdated",
  project_deleted: "onProjectDeleted",
  member_added: "onMemberAdded",
  member_updated: "onMemberUpdated",
  member_removed: "onMemberRemoved",
  section_created: "onSectionCreated",
  section_updated: "onSectionUpdated",
  section_deleted: "onSectionDeleted",
  task_created: "onTaskCreated",
  task_updated: "onTaskUpdated",
  task_status_changed: "onTaskStatusChanged",
  task_deleted: "onTaskDeleted",
  comment_created: "onCommentCreated",
  comment_updated: "onCommentUpdated",
  comment_deleted: "onCommentDeleted",
});

/**
 * A durable event from the core, read as the vocabulary above: the server builds every
 * payload from these models (extra="forbid"), so the cast is the protocol's promise.
 * @param {import("@tasklane/realtime").DurableEvent} event
 * @returns {RealtimeEvent}
 */
export function asRealtimeEvent(event) {
  return /** @type {RealtimeEvent} */ (/** @type {unknown} */ (event));
}
