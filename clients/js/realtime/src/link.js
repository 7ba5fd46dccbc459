// What a link is. A link is one connection over one transport (websocket-link.js,
// sse-link.js, poll-link.js): the client asks it to follow projects, each from the
// client's own cursor, and it hands back the frames it reads until it ends, once, with
// an outcome: `lost` (reconnect and resume) or `refused` (do not reconnect). Links only
// move bytes and translate failures into those outcomes; ordering, de-duplication,
// backoff and fallback are the client's. As the Python client's links
// (clients/python/src/tasklane/client/transports.py).

import { AccessError } from "./access.js";
import { CLOSE } from "./constants.js";
import { isFinalClose, retryHint } from "./ladder.js";

/**
 * A frame as the gateway sends it (docs/protocol.md, "Server → client"): a durable
 * event, a presence event or a control frame. Read loosely: a field may be missing.
 * @typedef {{ type: string, [field: string]: unknown }} Frame
 */

/** @typedef {{ userId: string, name: string }} Person */

/** @typedef {{ kind: "lost", reason: string, code: number | null, retryAfterMs: number | null }} Lost */
/** @typedef {{ kind: "refused", reason: string, code: number | null }} Refused */
/** @typedef {Lost | Refused} End */

/**
 * What a link calls. After `onEnd` it calls nothing more.
 * @typedef {object} LinkHandlers
 * @property {() => void} onOpen  the link works (its first frame or answer arrived); once
 * @property {(frame: Frame) => void} onFrame
 * @property {(projectId: string, users: Person[]) => void} onPresence  who is present,
 *   when the transport learns it apart from the frames (polling)
 * @property {(end: End) => void} onEnd
 */

/**
 * @typedef {object} Link
 * @property {"ws" | "sse" | "poll"} kind
 * @property {boolean} opened  whether `onOpen` was called
 * @property {(projectId: string) => boolean} follow  follow a project from its cursor;
 *   again: resume from it. Whether a request went out (or will, once connected).
 * @property {(projectId: string) => void} unfollow  stop following it, telling the server
 * @property {(projectId: string) => void} forget  stop following it: the server already ended it
 * @property {() => void} close  close without reporting anything
 */

/** @typedef {(projectId: string) => number | null} CursorOf  the client's cursor of a project */

/**
 * The outcome of a close: 4400-4499 refuse; anything else is resumable.
 * @param {number | null} code
 * @param {string} reason
 * @returns {End}
 */
export function closed(code, reason) {
  // A 4001's reason is the server's {"retryAfterMs": N}, for the client, not for people.
  const said = code === CLOSE.SHUTDOWN ? "the server is restarting" : reason || `closed (${code ?? CLOSE.ABNORMAL})`;
  if (isFinalClose(code)) return { kind: "refused", reason: said, code };
  return { kind: "lost", reason: said, code, retryAfterMs: retryHint(code, reason) };
}

/**
 * @param {string} reason
 * @param {number | null} [code]
 * @returns {Lost}
 */
export function lost(reason, code = null) {
  return { kind: "lost", reason, code, retryAfterMs: null };
}

/**
 * The outcome of a connection that could not be opened: no ticket, no gateway address.
 * A final AccessError (the token was refused) refuses; anything else is lost.
 * @param {unknown} error
 * @returns {End}
 */
export function unreachable(error) {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof AccessError && error.final) return { kind: "refused", reason, code: error.code };
  return lost(reason, error instanceof AccessError ? error.code : null);
}
