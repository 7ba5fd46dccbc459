/**
 * @tasklane/react: React 18/19 bindings for @tasklane/realtime. README.md is the guide.
 *
 *   <WebSocketProvider api="https://tasks.example.com" token={token}>   // or client={rt}
 *     <RealtimeStatus />
 *     <Board projectId="proj_1" />
 *   </WebSocketProvider>
 *
 *   function Board({ projectId }) {
 *     const { project, sections, tasks, loading, error, reload } = useProject(projectId);
 *     const people = usePresence(projectId);
 *     useTaskRealtimeUpdates(null, (e) => toast(`${e.data.task.name}: ${e.data.newStatus}`), { projectId });
 *     …
 *   }
 *
 * The parts:
 *   context.js            the provider's client, and the error outside a provider
 *   provider.js           <WebSocketProvider>: a client given or made (and closed), StrictMode-safe
 *   connection.js         useWebSocket(): the status as React state
 *   follows.js            who follows which project on a client: first hold joins, last release leaves
 *   events.js             the events' and the API objects' types, and the handler of each type
 *   realtime-updates.js   useRealtimeUpdates, useTaskRealtimeUpdates, useCommentRealtimeUpdates
 *   project-connector.js  <ProjectWebSocketConnector>
 *   project-loader.js     loading a project's board at one seq
 *   project-state.js      the board, and what each event does to it (pure)
 *   live-project.js       a board loaded, then kept live without gap or double
 *   project.js            useProject(), useTasks()
 *   presence.js           usePresence()
 *   realtime-status.js    <RealtimeStatus>, and describeStatus() for one's own
 *   latest.js             the latest handlers a render passed
 */

export { WebSocketProvider } from "./provider.js";
export { useWebSocket } from "./connection.js";
export { useRealtimeUpdates, useTaskRealtimeUpdates, useCommentRealtimeUpdates } from "./realtime-updates.js";
export { ProjectWebSocketConnector } from "./project-connector.js";
export { RealtimeStatus, describeStatus } from "./realtime-status.js";
export { useProject, useTasks } from "./project.js";
export { usePresence } from "./presence.js";

/** @typedef {import("./provider.js").WebSocketProviderProps} WebSocketProviderProps */
/** @typedef {import("./connection.js").WebSocketState} WebSocketState */
/** @typedef {import("./realtime-updates.js").UpdateOptions} UpdateOptions */
/** @typedef {import("./project-connector.js").ProjectWebSocketConnectorProps} ProjectWebSocketConnectorProps */
/** @typedef {import("./realtime-status.js").RealtimeStatusProps} RealtimeStatusProps */
/** @typedef {import("./realtime-status.js").StatusText} StatusText */
/** @typedef {import("./project.js").ProjectBoard} ProjectBoard */
/** @typedef {import("./project.js").TaskList} TaskList */
/** @typedef {import("./events.js").RealtimeHandlers} RealtimeHandlers */
/** @typedef {import("./events.js").Task} Task */
/** @typedef {import("./events.js").TaskStatus} TaskStatus */
/** @typedef {import("./events.js").Section} Section */
/** @typedef {import("./events.js").Project} Project */
/** @typedef {import("./events.js").ProjectView} ProjectView */
/** @typedef {import("./events.js").Comment} Comment */
/** @typedef {import("./events.js").Member} Member */
/** @typedef {import("./events.js").Role} Role */
/** @typedef {import("./events.js").Reranked} Reranked */
/** @typedef {import("./events.js").RealtimeEvent} RealtimeEvent */
/** @typedef {import("./events.js").TaskEvent} TaskEvent */
/** @typedef {import("./events.js").CommentEvent} CommentEvent */
/** @typedef {import("./events.js").SectionEvent} SectionEvent */
/** @typedef {import("./events.js").ProjectEvent} ProjectEvent */
/** @typedef {import("./events.js").MemberEvent} MemberEvent */
/** @typedef {import("./events.js").ProjectCreatedEvent} ProjectCreatedEvent */
/** @typedef {import("./events.js").ProjectUpdatedEvent} ProjectUpdatedEvent */
/** @typedef {import("./events.js").ProjectDeletedEvent} ProjectDeletedEvent */
/** @typedef {import("./events.js").MemberAddedEvent} MemberAddedEvent */
/** @typedef {import("./events.js").MemberUpdatedEvent} MemberUpdatedEvent */
/** @typedef {import("./events.js").MemberRemovedEvent} MemberRemovedEvent */
/** @typedef {import("./events.js").SectionCreatedEvent} SectionCreatedEvent */
/** @typedef {import("./events.js").SectionUpdatedEvent} SectionUpdatedEvent */
/** @typedef {import("./events.js").SectionDeletedEvent} SectionDeletedEvent */
/** @typedef {import("./events.js").TaskCreatedEvent} TaskCreatedEvent */
/** @typedef {import("./events.js").TaskUpdatedEvent} TaskUpdatedEvent */
/** @typedef {import("./events.js").TaskStatusChangedEvent} TaskStatusChangedEvent */
/** @typedef {import("./events.js").TaskDeletedEvent} TaskDeletedEvent */
/** @typedef {import("./events.js").CommentCreatedEvent} CommentCreatedEvent */
/** @typedef {import("./events.js").CommentUpdatedEvent} CommentUpdatedEvent */
/** @typedef {import("./events.js").CommentDeletedEvent} CommentDeletedEvent */
/** @typedef {import("./events.js").PresenceChange} PresenceChange */
/** @typedef {import("./events.js").Resync} Resync */
/** @typedef {import("./events.js").Left} Left */
/** @typedef {import("./events.js").Person} Person */
