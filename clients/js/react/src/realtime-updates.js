// Hooks that call a component's handlers for the client's events: every type
// (useRealtimeUpdates), tasks (useTaskRealtimeUpdates), comments
// (useCommentRealtimeUpdates). They listen once per client and project; the handlers a
// render passes are the ones called next, without listening again.

import { useEffect } from "react";

import { useRealtimeClient } from "./context.js";
import { HANDLER_OF, asRealtimeEvent } from "./events.js";
import { useLatest } from "./latest.js";

/** @typedef {import("@tasklane/realtime").TasklaneRealtime} TasklaneRealtime */
/** @typedef {import("./events.js").RealtimeHandlers} RealtimeHandlers */
/** @typedef {import("./events.js").RealtimeEvent} RealtimeEvent */
/** @typedef {import("./events.js").TaskEvent} TaskEvent */
/** @typedef {import("./events.js").TaskStatusChangedEvent} TaskStatusChangedEvent */
/** @typedef {import("./events.js").CommentEvent} CommentEvent */
/**
 * @typedef {object} UpdateOptions
 * @property {string | null | undefined} [projectId]  only this project's events (else every followed project's)
 */

/**
 * Whether `payload` concerns the project asked for (any, when none was).
 * @param {string | null | undefined} projectId
 * @returns {(payload: { projectId: string }) => boolean}
 */
function concerning(projectId) {
  return projectId == null ? () => true : (payload) => payload.projectId === projectId;
}

/**
 * Call `handlers` for what the provider's client hands over: `onEvent` for every durable
 * event then the type's own handler (`onTaskCreated` for task_created, …),
 * `onUserConnected`/`onUserDisconnected` for presence, `onResync` and `onLeft`. With
 * `projectId`, only that project's. The handlers may be new functions every render.
 * Following a project is not this hook's business (ProjectWebSocketConnector, useProject).
 * @param {RealtimeHandlers} handlers
 * @param {UpdateOptions} [options]
 */
export function useRealtimeUpdates(handlers, { projectId } = {}) {
  const client = useRealtimeClient("useRealtimeUpdates");
  const latest = useLatest(handlers);
  useEffect(() => {
    const mine = concerning(projectId);
    const unsubscribe = [
      client.on("event", (durable) => {
        if (!mine(durable)) return;
        const event = asRealtimeEvent(durable);
        latest.current.onEvent?.(event);
        const name = HANDLER_OF[event.type];
        // The table pairs each type with its handler; TypeScript cannot follow the pairing.
        const handler = /** @type {((event: RealtimeEvent) => void) | undefined} */ (name && latest.current[name]);
        handler?.(event);
      }),
      client.on("user_connected", (change) => mine(change) && latest.current.onUserConnected?.(change)),
      client.on("user_disconnected", (change) => mine(change) && latest.current.onUserDisconnected?.(change)),
      client.on("resync", (resync) => mine(resync) && latest.current.onResync?.(resync)),
      client.on("left", (left) => mine(left) && latest.current.onLeft?.(left)),
    ];
    return () => {
      for (const off of unsubscribe) off();
    };
  }, [client, projectId, latest]);
}

/**
 * `onUpdate` for every task_* event (created, updated, status changed, deleted), and
 * `onStatusChange` for task_status_changed (`event.data.previousStatus` → `newStatus`),
 * after `onUpdate`. Either may be null.
 * @param {((event: TaskEvent) => void) | null | undefined} onUpdate
 * @param {((event: TaskStatusChangedEvent) => void) | null | undefined} [onStatusChange]
 * @param {UpdateOptions} [options]
 */
export function useTaskRealtimeUpdates(onUpdate, onStatusChange, { projectId } = {}) {
  const client = useRealtimeClient("useTaskRealtimeUpdates");
  const latest = useLatest({ onUpdate, onStatusChange });
  useEffect(() => {
    const mine = concerning(projectId);
    return client.on("task", (durable) => {
      if (!mine(durable)) return;
      const event = /** @type {TaskEvent} */ (asRealtimeEvent(durable));
      latest.current.onUpdate?.(event);
      if (event.type === "task_status_changed") latest.current.onStatusChange?.(event);
    });
  }, [client, projectId, latest]);
}

/**
 * `onUpdate` for every comment_* event (created, updated, deleted).
 * @param {((event: CommentEvent) => void) | null | undefined} onUpdate
 * @param {UpdateOptions} [options]
 */
export function useCommentRealtimeUpdates(onUpdate, { projectId } = {}) {
  const client = useRealtimeClient("useCommentRealtimeUpdates");
  const latest = useLatest(onUpdate);
  useEffect(() => {
    const mine = concerning(projectId);
    return client.on("comment", (durable) => {
      if (mine(durable)) latest.current?.(/** @type {CommentEvent} */ (asRealtimeEvent(durable)));
    });
  }, [client, projectId, latest]);
}
