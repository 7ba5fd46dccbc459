/**
 * @tasklane/realtime: Tasklane's realtime client. One `TasklaneRealtime` follows the
 * projects an application shows and hands their events over once each, in `seq` order
 * per project, across reconnects and transports. docs/protocol.md is the normative
 * description of the frames it speaks; docs/javascript.md and README.md the guide.
 *
 *   import { TasklaneRealtime } from "@tasklane/realtime";
 *   const rt = new TasklaneRealtime({ api: "https://tasks.example.com", token });
 *       // or { getTicket: async () => ticket } (the host application's server asks for
 *       // tickets), or neither: the page's cookie (Tasklane's own pages). The gateway's
 *       // address is asked of the API (GET /api/realtime) unless `gateway: { ws, http }`.
 *   rt.on("status", ({ state, transport, retryInMs, reason, code }) => …);
 *       // state: connecting | live | reconnecting | offline; transport: ws | sse | poll;
 *       // retryInMs: while reconnecting, the countdown, re-emitted once a second (else null);
 *       // reason/code: why it is offline ("the network is offline", a close reason and code…)
 *   rt.on("event", e => …);          // every durable event, once, in seq order per project
 *   rt.on("task_created", e => …);   // one type; "task" = any task_*, "comment" = any comment_*
 *   rt.on("user_connected", e => …); // presence changes: { type, projectId, userId, data: { userId, name } }
 *   rt.on("presence", ({ projectId, users: [{ userId, name }] }) => …);  // the full list
 *   rt.on("resync", ({ projectId, seq, reason }) => …);  // reload, then rt.setCursor(projectId, seq)
 *   rt.on("left", ({ projectId, reason }) => …);  // access_revoked | project_deleted | forbidden | not_found
 *   rt.join(projectId, seq);   // follow after seq (the head the data was loaded at); connects
 *   rt.leave(projectId); rt.setCursor(projectId, seq); rt.cursor(projectId); rt.presence(projectId);
 *   await rt.request(`/api/projects/${projectId}`);  // the API, with the same credential
 *   rt.retryNow(); rt.close(); rt.status;   // on() returns a function that unsubscribes
 *
 * The fallback ladder (realtime/ladder.js, the Python client's numbers):
 * 1. WebSocket to `gateway.ws + "/ws"`. When it is lost (any close but
 *    4400-4499) it is retried after 2, 4, 8, 16 and 30 s (×2, each ±20 %, never more
 *    than 30 s); a 4001 close waits its `retryAfterMs` instead. After 5 failed retries:
 * 2. Server-Sent Events: ONE EventSource for all followed projects, to
 *    `gateway.http + "/sse?projectId=a&projectId=b&lastEventId=a:12,b:7"`. It is reopened by
 *    this client, never by the browser, so it always resumes from our own cursors. A stream
 *    that fails before its first frame, on a rung where SSE never worked, means SSE is
 *    blocked: go on at once. Otherwise a failed stream is retried with the same backoff,
 *    3 times at most, then:
 * 3. Long polling: one loop per project on `GET {api}/api/projects/{id}/events?after=<cursor>
 *    &wait=25` (the first ask answers at once), retried with backoff for ever.
 * While on 2 or 3, a WebSocket is probed every 30 s (±20 %); once the probe's `connected`
 * frame has arrived it becomes the connection, the fallback is closed and every project
 * is re-joined with `lastSeq` = its cursor. A connection has to last 30 s before its
 * rung's failure count is forgiven, so one that is accepted and then dropped at once
 * still moves down.
 *
 * A 4400-4499 close (or a 401 while polling) means "do not reconnect": state `offline`
 * with the reason until `retryNow()`. The browser's `offline` event stops everything at
 * once; `online` reconnects at once. On WebSocket a `ping` goes out every 25 s; if no frame
 * has come back 10 s later the connection is dead and is replaced. Every (re)connection
 * resumes each project from its cursor; an event at or below the cursor is dropped, and an
 * event beyond cursor + 1 resumes the project from the cursor.
 *
 * Timers, randomness and the transports are injectable (constructor options
 * `WebSocketImpl`, `EventSourceImpl`, `fetchImpl`, `random`, `setTimeout`, `clearTimeout`,
 * and `window`, the target of online/offline/pagehide/pageshow), so tests need not wait
 * (test/). The parts:
 *   constants.js       the numbers and names shared with the server and the Python client
 *   access.js          where the gateway is, tickets and the API's credential
 *   ladder.js          the retry schedule and the fallback ladder, pure
 *   websocket-link.js, sse-link.js, poll-link.js   one link per transport; link.js says what a link is
 *   projects.js        the followed projects: cursors, order, presence
 *   client.js          TasklaneRealtime: the links, the ladder and the projects' cursors
 */

export { TasklaneRealtime } from "./client.js";
export { TasklaneError } from "./access.js";
export { BACKOFF, CLOSE, DURABLE_TYPES, PRESENCE_TYPES, PROTOCOL_VERSION, TRANSPORTS } from "./constants.js";

/** @typedef {import("./client.js").Status} Status */
/** @typedef {import("./client.js").State} State */
/** @typedef {import("./client.js").RealtimeEvents} RealtimeEvents */
/** @typedef {import("./client.js").PresenceChange} PresenceChange */
/** @typedef {import("./ladder.js").Transport} Transport */
/** @typedef {import("./access.js").Gateway} Gateway */
/** @typedef {import("./access.js").TicketProvider} TicketProvider */
/** @typedef {import("./link.js").Person} Person */
/** @typedef {import("./projects.js").DurableEvent} DurableEvent */
