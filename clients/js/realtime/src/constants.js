// The numbers and names the realtime client shares with the server and with the Python
// client. tests/web/test_js_constants.py holds them against their Python originals
// (tasklane.client.backoff, tasklane.protocol.closes, tasklane.protocol.events), so a
// change on one side that the other does not follow fails the build.

/** The realtime protocol this client speaks (docs/protocol.md); the packages' major
 * version. `GET /api/realtime` names the server's. */
export const PROTOCOL_VERSION = 1;

/** The retry schedule: 2 s doubling to 30 s, each ±20 % and never above 30 s. */
export const BACKOFF = Object.freeze({ firstMs: 2_000, factor: 2, maxMs: 30_000, jitter: 0.2 });

/** Between WebSocket probes while on a fallback (± the same jitter). */
export const PROBE_EVERY_MS = 30_000;

/** The rungs of the fallback ladder, best first. */
export const TRANSPORTS = Object.freeze(/** @type {const} */ (["ws", "sse", "poll"]));

/** Failed retries before moving one rung down; null: retried for ever. */
export const RETRIES = Object.freeze({ ws: 5, sse: 3, poll: null });

export const CONNECT_TIMEOUT_MS = 10_000; // until a WebSocket's `connected` frame
export const PING_EVERY_MS = 25_000;
export const PONG_TIMEOUT_MS = 10_000; // silence after a ping that means a dead connection
// A connection has to last this long before its rung's failures are forgiven, so one
// that is accepted and then dropped at once still moves down the ladder.
export const STABLE_AFTER_MS = 30_000;
export const POLL_WAIT_SECONDS = 25; // each long poll (the server caps it at 30)
export const POLL_PAGE = 500;
export const REJOIN_AFTER_MS = 2_000; // after an `unavailable` answer to a join

/** WebSocket close codes (docs/protocol.md, "Close codes"). */
export const CLOSE = Object.freeze({
  ABNORMAL: 1006, // the connection dropped without a close frame
  SLOW_CONSUMER: 4000,
  SHUTDOWN: 4001, // the reason is {"retryAfterMs": N}
  TOO_MANY_CONNECTIONS: 4002,
  UNAUTHORIZED: 4401,
  ORIGIN_REFUSED: 4403,
  EPISODE_GONE: 4404, // the gym episode was deleted or expired
  ABUSE: 4429,
  RESUME: Object.freeze({ first: 4000, last: 4099 }), // reconnect and resume
  FINAL: Object.freeze({ first: 4400, last: 4499 }), // do not reconnect
});

/** The types of the events every project's log holds (docs/protocol.md, "Durable event
 * types"). EventSource hands named events only to listeners for that name, so the SSE
 * link needs the whole list. */
export const DURABLE_TYPES = Object.freeze([
  "project_created", "project_updated", "project_deleted",
  "member_added", "member_updated", "member_removed",
  "section_created", "section_updated", "section_deleted",
  "task_created", "task_updated", "task_status_changed", "task_deleted",
  "comment_created", "comment_updated", "comment_deleted",
]);

/** Ephemeral events, without `seq`. */
export const PRESENCE_TYPES = Object.freeze(["user_connected", "user_disconnected"]);

/** Every `event:` name an SSE stream may carry ("message" is EventSource's default). */
export const SSE_FRAME_TYPES = Object.freeze([
  "connected", "joined", "left", "resync_required", "close",
  ...PRESENCE_TYPES, ...DURABLE_TYPES, "message",
]);
