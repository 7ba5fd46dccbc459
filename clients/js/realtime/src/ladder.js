// When to reconnect and over what: the delay schedule and the fallback ladder, pure.
// No I/O, no timers: randomness is passed in and the client does the waiting. It is the
// Python client's `Ladder` (clients/python/src/tasklane/client/backoff.py), step for step
// and with the same numbers (constants.js; tests/web/test_js_constants.py holds them
// together). The failures of a rung are forgiven only once a connection has lasted
// (`forgive()`, which the client calls STABLE_AFTER_MS after it went live), not as soon
// as it opens, so a proxy that accepts a WebSocket and cuts it at once still sends the
// page down to a fallback that works.

import { BACKOFF, PROBE_EVERY_MS, RETRIES, TRANSPORTS, CLOSE } from "./constants.js";

/** @typedef {"ws" | "sse" | "poll"} Transport */
/** @typedef {() => number} Random  like Math.random: a number in [0, 1) */
/** @typedef {{ kind: "retry", transport: Transport, delayMs: number }} Retry  wait, then the same rung again */
/** @typedef {{ kind: "fallBack", transport: Transport }} FallBack  the next rung down, at once */

/**
 * @param {number} nominalMs
 * @param {Random} random
 */
export function jittered(nominalMs, random) {
  return nominalMs * (1 - BACKOFF.jitter + 2 * BACKOFF.jitter * random());
}

/**
 * Milliseconds before retry number `failures + 1`: 2, 4, 8, 16, 30, 30 … s ± 20 %, and
 * never more than 30 s: the cap applies after the jitter.
 * @param {number} failures
 * @param {Random} random
 */
export function retryDelay(failures, random) {
  const nominal = Math.min(BACKOFF.maxMs, BACKOFF.firstMs * BACKOFF.factor ** Math.min(failures, 16));
  return Math.min(BACKOFF.maxMs, jittered(nominal, random));
}

/** @param {Random} random */
export function probeDelay(random) {
  return jittered(PROBE_EVERY_MS, random);
}

/**
 * 4400-4499: the same attempt would fail again (credentials, origin, abuse).
 * @param {number | null | undefined} code
 */
export function isFinalClose(code) {
  return Number.isInteger(code) && /** @type {number} */ (code) >= CLOSE.FINAL.first
    && /** @type {number} */ (code) <= CLOSE.FINAL.last;
}

/**
 * The milliseconds a 4001 (shutdown) close asks the client to wait, or null.
 * @param {number | null | undefined} code
 * @param {string | null | undefined} reason
 * @returns {number | null}
 */
export function retryHint(code, reason) {
  if (code !== CLOSE.SHUTDOWN) return null;
  try {
    const ms = JSON.parse(String(reason)).retryAfterMs;
    return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? ms : null;
  } catch {
    return null;
  }
}

/** Which transport to use next, and after how long, from what happened to the last. */
export class Ladder {
  /** @type {readonly Transport[]} */
  transports;
  /** @type {Random} */
  random;
  level = 0;
  failures = 0; // failed attempts on this rung not yet forgiven
  worked = false; // whether this rung has worked since the ladder came to it

  /**
   * @param {readonly Transport[]} [transports] the rungs, best first: some of ws, sse,
   *   poll, in that order
   * @param {Random} [random]
   */
  constructor(transports = TRANSPORTS, random = Math.random) {
    const rungs = [...transports];
    const order = rungs.map((rung) => TRANSPORTS.indexOf(rung));
    const ordered = order.every((n, i) => n >= 0 && (i === 0 || n > (order[i - 1] ?? -1)));
    if (rungs.length === 0 || !ordered) {
      throw new RangeError(`transports must be some of ${TRANSPORTS.join(", ")}, in that order`);
    }
    this.transports = Object.freeze(rungs);
    this.random = random;
  }

  /** @returns {Transport} */
  get transport() {
    return /** @type {Transport} */ (this.transports[this.level]); // level stays within the rungs
  }

  /** Whether to probe a WebSocket in the background: on a fallback, with ws allowed. */
  get probing() {
    return this.level > 0 && this.transports[0] === "ws";
  }

  /** The transport works (its first frame arrived): SSE is not blocked here. */
  established() {
    this.worked = true;
  }

  /** The connection has lasted, or the network came back: failures so far no longer count. */
  forgive() {
    this.failures = 0;
  }

  /** A WebSocket probe succeeded: back to the top rung. */
  upgrade() {
    this.level = 0;
    this.failures = 0;
    this.worked = true;
  }

  /** Start from the top again, as if new (the reader asked to retry while offline). */
  restart() {
    this.level = 0;
    this.failures = 0;
    this.worked = false;
  }

  /**
   * The connection ended (`wasUp`: after it had worked) or could not be made.
   * `hintMs` is the server's own delay (a 4001 close on shutdown).
   * @param {{ wasUp: boolean, hintMs?: number | null }} outcome
   * @returns {Retry | FallBack}
   */
  lost({ wasUp, hintMs = null }) {
    // A server that drains asks us back at a moment of its choosing; that is not a
    // failed attempt.
    if (wasUp && hintMs != null) return { kind: "retry", transport: this.transport, delayMs: hintMs };
    const limit = RETRIES[this.transport];
    const canFall = this.level + 1 < this.transports.length;
    // SSE that never gave a first frame here is blocked on the way (a proxy, a
    // firewall): retrying it only delays the fallback that works.
    const blocked = this.transport === "sse" && !wasUp && !this.worked;
    if (canFall && (blocked || (limit != null && this.failures >= limit))) {
      this.level += 1;
      this.failures = 0;
      this.worked = false;
      return { kind: "fallBack", transport: this.transport };
    }
    let delayMs = retryDelay(this.failures, this.random);
    if (hintMs != null) delayMs = Math.max(delayMs, hintMs);
    this.failures += 1;
    return { kind: "retry", transport: this.transport, delayMs };
  }
}
