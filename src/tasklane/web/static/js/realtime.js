/**
 * Tasklane's realtime client: one `RealtimeClient` per page follows the projects the page
 * shows and hands their events to the page once each, in `seq` order per project.
 * docs/protocol.md is the normative description of the frames it speaks.
 *
 *   import { RealtimeClient } from "/static/js/realtime.js";
 *   const rt = new RealtimeClient({ gateway: { ws, http }, api: "" });
 *   rt.on("status", ({ state, transport, retryInMs, reason, code }) => …);
 *       // state: connecting | live | reconnecting | offline; transport: ws | sse | poll;
 *       // retryInMs: while reconnecting, the countdown, re-emitted once a second (else null);
 *       // reason/code: why it is offline ("the network is offline", a close reason and code…)
 *   rt.on("event", e => …);          // every durable event, once, in seq order per project
 *   rt.on("task_created", e => …);   // one type; "task" = any task_*, "comment" = any comment_*
 *   rt.on("presence", ({ projectId, users: [{ userId, name }] }) => …);  // the full list
 *   rt.on("resync", ({ projectId, seq, reason }) => …);  // reload, then rt.setCursor(projectId, seq)
 *   rt.on("left", ({ projectId, reason }) => …);  // access_revoked | project_deleted | forbidden | not_found
 *   rt.join(projectId, seq);   // follow after seq (the head the page was rendered with); connects
 *   rt.leave(projectId); rt.setCursor(projectId, seq); rt.cursor(projectId);
 *   rt.retryNow(); rt.close(); rt.status;   // on() returns a function that unsubscribes
 *
 * The fallback ladder:
 * 1. WebSocket to `gateway.ws + "/ws"` (cookie auth). When it is lost (any close but
 *    4400-4499) it is retried after 2, 4, 8, 16 and 30 s (×2, capped at 30 s, then ±20 %
 *    jitter); a 4001 close waits its `retryAfterMs` instead. After 5 failed retries:
 * 2. Server-Sent Events: ONE EventSource for all followed projects, withCredentials, to
 *    `gateway.http + "/sse?projectId=a&projectId=b&lastEventId=a:12,b:7"`. It is reopened by
 *    this client, never by the browser, so it always resumes from our own cursors. A stream
 *    that errors before its first message while none ever got through means SSE is
 *    refused: go on at once. Otherwise a failed stream is retried with the same backoff,
 *    3 times at most, then:
 * 3. Long polling: one loop per project on `GET {api}/api/projects/{id}/events?after=<cursor>
 *    &wait=25` (the first ask answers at once), retried with backoff for ever.
 * While on 2 or 3, a WebSocket is probed every 30 s; once the probe's `connected` frame has
 * arrived it becomes the connection, the fallback is closed and every project is re-joined
 * with `lastSeq` = its cursor. A connection has to last 30 s before its level's failure
 * count is forgiven, so one that is accepted and then dropped at once still moves down.
 *
 * A 4400-4499 close (or a 401 while polling) means "do not reconnect": state `offline`
 * with the reason until `retryNow()`. The browser's `offline` event stops everything at
 * once; `online` reconnects at once. On WebSocket a `ping` goes out every 25 s; if no frame
 * has come back 10 s later the connection is dead and is replaced. Every (re)connection
 * resumes each project from its cursor; an event at or below the cursor is dropped, and a
 * WebSocket event beyond cursor + 1 re-joins with `lastSeq` = cursor.
 *
 * Timers, randomness and the transports are injectable (constructor options
 * `WebSocketImpl`, `EventSourceImpl`, `fetchImpl`, `random`, `setTimeout`, `clearTimeout`,
 * and `window`, the target of online/offline/pagehide/pageshow), so tests need not wait.
 */

export const BACKOFF = { firstMs: 2_000, factor: 2, maxMs: 30_000, jitter: 0.2 };
export const WS_RETRIES = 5;
export const SSE_RETRIES = 3;
export const PING_EVERY_MS = 25_000;
export const PONG_TIMEOUT_MS = 10_000;
export const CONNECT_TIMEOUT_MS = 10_000;
export const PROBE_EVERY_MS = 30_000;
export const STABLE_AFTER_MS = 30_000;
export const POLL_WAIT_SECONDS = 25;
const TICK_MS = 1_000;
const REJOIN_AFTER_MS = 2_000;

// EventSource dispatches named events only to listeners for that name, so the stream
// needs the list of names it may carry (docs/protocol.md, "Durable event types").
export const DURABLE_TYPES = [
  "project_created", "project_updated", "project_deleted",
  "member_added", "member_updated", "member_removed",
  "section_created", "section_updated", "section_deleted",
  "task_created", "task_updated", "task_status_changed", "task_deleted",
  "comment_created", "comment_updated", "comment_deleted",
];
const SSE_FRAME_TYPES = [
  "connected", "joined", "left", "resync_required", "close",
  "user_connected", "user_disconnected", ...DURABLE_TYPES, "message",
];
const LOWER_LEVEL = { ws: "sse", sse: "poll" };
const RETRIES = { ws: WS_RETRIES, sse: SSE_RETRIES, poll: Infinity };

/** The delay before retry number `failures + 1`: 2 s × 2^failures, at most 30 s, ±20 %. */
export function backoffDelay(failures, random = Math.random) {
  const base = Math.min(BACKOFF.maxMs, BACKOFF.firstMs * BACKOFF.factor ** failures);
  return Math.round(base * (1 - BACKOFF.jitter + 2 * BACKOFF.jitter * random()));
}

/** 4400-4499: the same attempt would fail again (credentials, origin, abuse). */
export function isFinalClose(code) {
  return Number.isInteger(code) && code >= 4400 && code <= 4499;
}

/** The `retryAfterMs` hint of a 4001 (shutdown) close reason, or null. */
export function retryHint(code, reason) {
  if (code !== 4001) return null;
  try {
    const ms = JSON.parse(reason).retryAfterMs;
    return Number.isFinite(ms) && ms >= 0 ? ms : null;
  } catch {
    return null;
  }
}

/** An SSE stream's cursor: `proj_a:12,proj_b:7` (projects without a cursor start live). */
export function streamCursor(projects) {
  return [...projects]
    .filter(([, project]) => project.cursor != null)
    .map(([projectId, project]) => `${projectId}:${project.cursor}`)
    .join(",");
}

/** A `seq` as given by a page (a number, or digits from a data attribute), or a TypeError. */
function toSeq(seq) {
  const value = typeof seq === "string" && seq.trim() !== "" ? Number(seq) : seq;
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`not a seq: ${seq}`);
  return value;
}

function endpoint(base, path) {
  const root = String(base).replace(/\/+$/, "");
  return root.endsWith(path) ? root : root + path;
}

function reportError(error) {
  if (typeof globalThis.reportError === "function") globalThis.reportError(error);
  else console.error(error);
}

/** Named one-shot timers on injected setTimeout/clearTimeout: setting a name replaces it. */
class Timers {
  #set;
  #clear;
  #pending = new Map();

  constructor(setTimer, clearTimer) {
    this.#set = setTimer;
    this.#clear = clearTimer;
  }

  set(name, ms, fn) {
    this.clear(name);
    const set = this.#set; // called as a plain function: window.setTimeout needs no receiver
    this.#pending.set(name, set(() => {
      this.#pending.delete(name);
      fn();
    }, ms));
  }

  has(name) {
    return this.#pending.has(name);
  }

  clear(name) {
    if (!this.#pending.has(name)) return;
    const clear = this.#clear;
    clear(this.#pending.get(name));
    this.#pending.delete(name);
  }

  clearAll() {
    for (const name of [...this.#pending.keys()]) this.clear(name);
  }
}

/** One WebSocket to the gateway: JSON frames in and out; `connected` reported apart. */
class GatewaySocket {
  #socket;
  connected = false;

  constructor(WebSocketImpl, url, handlers) {
    this.handlers = handlers; // {onConnected, onFrame, onGone(code, reason)}; replaceable
    try {
      this.#socket = new WebSocketImpl(url);
    } catch (error) { // a bad URL or a blocking policy: report it like a failed connection
      this.#socket = { readyState: 3, close() {} };
      queueMicrotask(() => this.handlers.onGone(1006, String(error)));
      return;
    }
    this.#socket.onmessage = (message) => this.#receive(message.data);
    this.#socket.onclose = (event) => this.#gone(event.code, event.reason);
    this.#socket.onerror = () => {}; // a close event always follows
  }

  send(frame) {
    if (this.#socket.readyState !== 1) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  /** Close without reporting it: whoever calls this has already moved on. */
  close() {
    const socket = this.#socket;
    socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(1000);
    } catch {
      // already closed
    }
  }

  // A message is one frame, or (the socket asks for `?batch=1`) an array of frames that
  // queued up during a burst, in order.
  #receive(data) {
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    for (const frame of Array.isArray(parsed) ? parsed : [parsed]) {
      if (!frame || typeof frame !== "object") continue;
      if (frame.type === "connected" && !this.connected) {
        this.connected = true;
        this.handlers.onConnected(frame);
      } else {
        this.handlers.onFrame(frame);
      }
    }
  }

  #gone(code, reason) {
    this.close();
    this.handlers.onGone(code, reason);
  }
}

export class RealtimeClient {
  #gateway;
  #api;
  #impl;
  #timers;
  #handlers = new Map();
  #projects = new Map(); // projectId -> {cursor, awaitingJoin, presence: Map}
  #level = "ws"; // the transport in use or being tried
  #failures = 0; // consecutive failures on this level
  #status = { state: "offline", transport: "ws", retryInMs: null, reason: "not started", code: null };
  #started = false;
  #closed = false;
  #offlineCause = null; // "network" | "final" | "page" while offline
  #ws = null;
  #probe = null;
  #source = null;
  #streamWorked = false; // an SSE stream got through once: SSE is allowed here
  #polls = new Map(); // projectId -> AbortController
  #pingId = 0;
  #unlisten = [];

  constructor({
    gateway,
    api = "",
    WebSocketImpl = globalThis.WebSocket,
    EventSourceImpl = globalThis.EventSource,
    fetchImpl = (...args) => globalThis.fetch(...args),
    random = Math.random,
    setTimeout = (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout = (id) => globalThis.clearTimeout(id),
    window: target = globalThis,
  } = {}) {
    if (!gateway || !gateway.ws || !gateway.http) throw new TypeError("gateway {ws, http} is required");
    // "?batch=1": a burst may arrive as one array of frames (see #receive).
    const ws = `${endpoint(gateway.ws, "/ws")}?batch=1`;
    this.#gateway = { ws, http: endpoint(gateway.http, "/sse") };
    this.#api = String(api).replace(/\/+$/, "");
    this.#impl = { WebSocketImpl, EventSourceImpl, fetchImpl, random, target };
    this.#timers = new Timers(setTimeout, clearTimeout);
  }

  // -- the page's API ---------------------------------------------------------------------

  /** Call `handler` for `type` ("status", "event", an event type, "task", "comment",
   * "presence", "resync", "left"); returns a function that removes it. */
  on(type, handler) {
    if (!this.#handlers.has(type)) this.#handlers.set(type, new Set());
    this.#handlers.get(type).add(handler);
    return () => this.off(type, handler);
  }

  off(type, handler) {
    this.#handlers.get(type)?.delete(handler);
  }

  get status() {
    return { ...this.#status };
  }

  /** Follow a project after `seq` (omitted: from the head when joined). Connects on first use. */
  join(projectId, seq) {
    if (this.#closed) return;
    if (this.#projects.has(projectId)) {
      if (seq != null) this.setCursor(projectId, seq);
      return;
    }
    const cursor = seq == null ? null : toSeq(seq);
    this.#projects.set(projectId, { cursor, awaitingJoin: false, presence: new Map() });
    if (!this.#started) this.#start();
    else this.#follow(projectId);
  }

  leave(projectId) {
    if (!this.#projects.delete(projectId)) return;
    this.#timers.clear(`rejoin:${projectId}`);
    if (this.#level === "ws") this.#ws?.send({ type: "leave", projectId });
    else if (this.#level === "sse" && this.#source) this.#restartStream();
    else this.#stopPoll(projectId);
  }

  cursor(projectId) {
    return this.#projects.get(projectId)?.cursor ?? null;
  }

  /** Move a project's cursor (after a resync's reload). Moving it back fetches again from there. */
  setCursor(projectId, seq) {
    const project = this.#projects.get(projectId);
    const value = toSeq(seq);
    if (!project) return;
    const rewind = project.cursor != null && value < project.cursor;
    project.cursor = value;
    if (rewind) this.#resume(projectId);
  }

  /** Reconnect now: skip a countdown, leave "offline", or probe the WebSocket on a fallback. */
  retryNow() {
    if (this.#closed || !this.#started) return;
    const { state } = this.#status;
    if (state === "offline") {
      this.#teardown();
      this.#offlineCause = null;
      this.#level = "ws";
      this.#failures = 0;
      this.#connect();
    } else if (state === "reconnecting") {
      this.#connect();
    } else if (this.#level !== "ws" && !this.#probe) {
      this.#timers.clear("probe");
      this.#runProbe();
    }
  }

  /** Stop for good: close every transport and forget the projects. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#teardown();
    for (const unlisten of this.#unlisten) unlisten();
    this.#unlisten = [];
    this.#projects.clear();
    this.#setStatus("offline", { reason: "closed" });
  }

  // -- lifecycle ----------------------------------------------------------------------------

  #start() {
    this.#started = true;
    this.#listen("offline", () => this.#suspend("network", "the network is offline"));
    this.#listen("online", () => this.#wake("network"));
    this.#listen("pagehide", () => this.#suspend("page", "page hidden"));
    this.#listen("pageshow", (event) => event.persisted && this.#wake("page"));
    if (globalThis.navigator?.onLine === false) this.#suspend("network", "the network is offline");
    else this.#connect();
  }

  #listen(type, handler) {
    const target = this.#impl.target;
    if (typeof target?.addEventListener !== "function") return;
    target.addEventListener(type, handler);
    this.#unlisten.push(() => target.removeEventListener(type, handler));
  }

  #suspend(cause, reason) {
    if (this.#closed || this.#offlineCause === "final") return; // only retryNow() undoes "final"
    this.#goOffline(reason, null, cause);
  }

  #wake(cause) {
    if (this.#closed || this.#offlineCause !== cause) return;
    this.#offlineCause = null;
    this.#failures = 0;
    this.#connect();
  }

  #goOffline(reason, code, cause) {
    this.#teardown();
    this.#offlineCause = cause;
    this.#setStatus("offline", { reason, code });
  }

  /** Open the transport of the current level (a WebSocket also keeps the probe quiet). */
  #connect() {
    if (this.#closed) return;
    this.#timers.clear("retry");
    if (this.#status.state !== "live" || this.#status.transport !== this.#level) {
      this.#setStatus("connecting");
    }
    if (this.#level === "ws") return this.#openSocket();
    this.#scheduleProbe();
    if (this.#level === "sse") this.#openStream();
    else this.#startPolling();
  }

  /** The transport of this level failed: retry it after a backoff, or go one level down. */
  #fail() {
    this.#timers.clear("stable");
    this.#failures += 1;
    if (this.#failures > RETRIES[this.#level]) return this.#fallBack();
    this.#retryAfter(backoffDelay(this.#failures - 1, this.#impl.random));
  }

  #fallBack() {
    this.#timers.clear("stable");
    this.#level = LOWER_LEVEL[this.#level];
    this.#failures = 0;
    this.#connect();
  }

  /** State "reconnecting" with a countdown updated once a second, then connect. */
  #retryAfter(delayMs) {
    let remaining = Math.max(0, Math.round(delayMs));
    const tick = () => {
      if (remaining <= 0) return this.#connect();
      this.#setStatus("reconnecting", { retryInMs: remaining });
      const step = remaining % TICK_MS || TICK_MS; // later ticks fall on whole seconds
      remaining -= step;
      this.#timers.set("retry", step, tick);
    };
    tick();
  }

  /** Live again. The failure count is forgiven only once the connection has lasted: one
   * that is accepted and then dropped at once still moves down the ladder. */
  #connectedNow() {
    this.#setStatus("live");
    if (this.#failures > 0) this.#timers.set("stable", STABLE_AFTER_MS, () => { this.#failures = 0; });
  }

  /** The transport closed with `code`: stop, wait for its hint, or count a failure. */
  #closedWith(code, reason) {
    if (isFinalClose(code)) return this.#goOffline(reason || `closed (${code})`, code, "final");
    const hint = retryHint(code, reason);
    if (hint != null) return this.#retryAfter(hint);
    this.#fail();
  }

  #teardown() {
    this.#timers.clearAll();
    this.#ws?.close();
    this.#ws = null;
    this.#probe?.close();
    this.#probe = null;
    this.#closeStream();
    for (const projectId of [...this.#polls.keys()]) this.#stopPoll(projectId);
  }

  /** A project was added while connected: start following it on the current transport. */
  #follow(projectId) {
    if (this.#offlineCause || this.#timers.has("retry")) return; // picked up on connect
    if (this.#level === "ws") {
      if (this.#ws?.connected) this.#sendJoin(projectId);
    } else if (this.#level === "sse") {
      this.#restartStream();
    } else if (this.#polls.size || this.#status.state === "live") {
      this.#poll(projectId);
    }
  }

  /** Fetch a project again from its cursor on the current transport. */
  #resume(projectId) {
    const project = this.#projects.get(projectId);
    if (!project || this.#offlineCause) return;
    if (this.#level === "ws") {
      if (this.#ws?.connected && !project.awaitingJoin) this.#sendJoin(projectId);
    } else if (this.#level === "sse") {
      if (this.#source) this.#restartStream();
    } else if (this.#polls.has(projectId)) {
      this.#stopPoll(projectId);
      this.#poll(projectId);
    }
  }

  // -- WebSocket ----------------------------------------------------------------------------

  #newSocket(handlers) {
    return new GatewaySocket(this.#impl.WebSocketImpl, this.#gateway.ws, handlers);
  }

  #openSocket() {
    this.#ws?.close();
    this.#ws = this.#newSocket(this.#socketHandlers());
    this.#timers.set("connect", CONNECT_TIMEOUT_MS, () => this.#socketGone(null, "connect timeout"));
  }

  #socketHandlers() {
    return {
      onConnected: () => this.#socketConnected(),
      onFrame: (frame) => {
        this.#timers.clear("pong"); // any frame shows the connection is alive
        this.#handleFrame(frame);
      },
      onGone: (code, reason) => this.#socketGone(code, reason),
    };
  }

  #socketConnected() {
    this.#timers.clear("connect");
    this.#level = "ws";
    this.#connectedNow();
    this.#timers.set("ping", PING_EVERY_MS, () => this.#ping());
    for (const projectId of this.#projects.keys()) this.#sendJoin(projectId);
  }

  #socketGone(code, reason) {
    for (const name of ["connect", "ping", "pong"]) this.#timers.clear(name);
    this.#ws?.close();
    this.#ws = null;
    this.#closedWith(code, reason);
  }

  #ping() {
    this.#pingId += 1;
    this.#ws?.send({ type: "ping", id: this.#pingId });
    this.#timers.set("pong", PONG_TIMEOUT_MS, () => this.#socketGone(null, "no pong"));
    this.#timers.set("ping", PING_EVERY_MS, () => this.#ping());
  }

  #sendJoin(projectId) {
    const project = this.#projects.get(projectId);
    if (!project) return;
    const frame = { type: "join", projectId };
    if (project.cursor != null) frame.lastSeq = project.cursor;
    project.awaitingJoin = Boolean(this.#ws?.send(frame));
  }

  #scheduleProbe() {
    if (this.#probe || this.#timers.has("probe")) return;
    this.#timers.set("probe", PROBE_EVERY_MS, () => this.#runProbe());
  }

  /** Try a WebSocket while on a fallback; switch to it once its `connected` arrives. */
  #runProbe() {
    const failed = () => {
      this.#timers.clear("probeConnect");
      this.#probe?.close();
      this.#probe = null;
      if (this.#level !== "ws") this.#scheduleProbe();
    };
    const probe = this.#newSocket({
      onConnected: () => this.#switchToProbe(probe),
      onFrame: () => {},
      onGone: failed,
    });
    this.#probe = probe;
    this.#timers.set("probeConnect", CONNECT_TIMEOUT_MS, failed);
  }

  #switchToProbe(probe) {
    this.#timers.clear("probeConnect");
    this.#probe = null;
    this.#timers.clear("retry");
    this.#closeStream();
    for (const projectId of [...this.#polls.keys()]) this.#stopPoll(projectId);
    probe.handlers = this.#socketHandlers();
    this.#ws = probe;
    this.#failures = 0;
    this.#socketConnected();
  }

  // -- Server-Sent Events ---------------------------------------------------------------------

  #streamUrl() {
    const params = new URLSearchParams();
    for (const projectId of this.#projects.keys()) params.append("projectId", projectId);
    const cursor = streamCursor(this.#projects);
    if (cursor) params.set("lastEventId", cursor);
    return `${this.#gateway.http}?${params}`;
  }

  #openStream() {
    this.#closeStream();
    if (this.#projects.size === 0) return this.#setStatus("live"); // nothing to follow yet
    let source;
    try {
      source = new this.#impl.EventSourceImpl(this.#streamUrl(), { withCredentials: true });
    } catch {
      return queueMicrotask(() => this.#level === "sse" && !this.#source && this.#fallBack());
    }
    let heard = false;
    const receive = (message) => {
      if (this.#source !== source) return;
      heard = true;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      this.#handleStreamFrame(frame);
    };
    for (const type of SSE_FRAME_TYPES) source.addEventListener(type, receive);
    source.onerror = () => {
      if (this.#source !== source) return;
      this.#closeStream();
      // Refused before its first message, and never worked here: SSE is not available.
      if (heard || this.#streamWorked) this.#fail();
      else this.#fallBack();
    };
    this.#source = source;
  }

  #handleStreamFrame(frame) {
    if (frame.type === "connected") {
      this.#streamWorked = true;
      this.#connectedNow();
    } else if (frame.type === "close") {
      this.#closeStream(); // the server ends the stream; it says why and when to come back
      this.#closedWith(frame.code, frame.reason);
    } else {
      this.#handleFrame(frame);
    }
  }

  #restartStream() {
    if (this.#offlineCause || this.#timers.has("retry")) return;
    this.#openStream();
  }

  #closeStream() {
    if (!this.#source) return;
    this.#source.onerror = null;
    this.#source.close();
    this.#source = null;
  }

  // -- long polling ---------------------------------------------------------------------------

  #startPolling() {
    if (this.#projects.size === 0) return this.#setStatus("live");
    for (const projectId of this.#projects.keys()) this.#poll(projectId);
  }

  #stopPoll(projectId) {
    this.#polls.get(projectId)?.abort();
    this.#polls.delete(projectId);
  }

  async #poll(projectId) {
    const controller = new AbortController();
    this.#polls.set(projectId, controller);
    const current = () => this.#polls.get(projectId) === controller;
    let presenceDue = true;
    while (current()) {
      const project = this.#projects.get(projectId);
      if (!project) return this.#stopPoll(projectId);
      if (presenceDue) this.#loadPresence(projectId, controller.signal);
      const wait = this.#status.state === "live" ? POLL_WAIT_SECONDS : 0; // live at once
      const query = project.cursor == null
        ? "after=0&limit=1" // no cursor yet: only learn the head
        : `after=${project.cursor}&wait=${wait}`;
      const page = await this.#fetchJson(
        `/api/projects/${encodeURIComponent(projectId)}/events?${query}`, controller.signal);
      if (!current()) return;
      if (page.status !== 200 || !Array.isArray(page.body?.events)) {
        return this.#pollRefused(projectId, page.status);
      }
      this.#failures = 0;
      this.#setStatus("live");
      if (project.cursor == null) project.cursor = page.body.headSeq;
      else if (page.body.headSeq < project.cursor) { // the log started again (a reset)
        this.#onResync({ projectId, seq: page.body.headSeq, reason: "ahead of the log" });
      } else for (const event of page.body.events) this.#handleFrame(event);
      presenceDue = wait > 0 && page.body.events.length === 0; // idle: refresh once per wait
    }
  }

  #pollRefused(projectId, status) {
    if (status === 401) return this.#goOffline("signed out", 401, "final");
    if (status === 403 || status === 404) return this.#dropProject(projectId, "not_found");
    for (const id of [...this.#polls.keys()]) this.#stopPoll(id); // network, 429, 5xx
    this.#fail();
  }

  /** GET a JSON body from the app: {status, body}; status 0 when the request failed. */
  async #fetchJson(path, signal) {
    const fetchImpl = this.#impl.fetchImpl;
    try {
      const response = await fetchImpl(this.#api + path, {
        credentials: "include",
        headers: { Accept: "application/json" },
        signal,
      });
      if (!response.ok) return { status: response.status, body: null };
      return { status: response.status, body: await response.json() };
    } catch {
      return { status: 0, body: null };
    }
  }

  /** Polling shows no presence of its own: ask the API who is here. */
  async #loadPresence(projectId, signal) {
    const path = `/api/projects/${encodeURIComponent(projectId)}/presence`;
    const { status, body } = await this.#fetchJson(path, signal);
    if (status === 200 && Array.isArray(body) && !signal.aborted) this.#setPresence(projectId, body);
  }

  // -- frames, from any transport ---------------------------------------------------------------

  #handleFrame(frame) {
    switch (frame.type) {
      case "joined": return this.#onJoined(frame);
      case "left": return this.#onLeft(frame);
      case "resync_required": return this.#onResync(frame);
      case "user_connected":
      case "user_disconnected": return this.#onPresence(frame);
      case "error": return this.#onError(frame);
      case "connected":
      case "pong": return undefined;
      default: return Number.isInteger(frame.seq) ? this.#onEvent(frame) : undefined;
    }
  }

  #onEvent(event) {
    const project = this.#projects.get(event.projectId);
    if (!project) return;
    if (project.cursor != null && event.seq <= project.cursor) return; // already applied
    if (project.cursor != null && event.seq > project.cursor + 1) {
      return this.#resume(event.projectId); // a gap: fetch again from the cursor
    }
    project.cursor = event.seq;
    this.#emit("event", event);
    this.#emit(event.type, event);
    if (event.type.startsWith("task_")) this.#emit("task", event);
    if (event.type.startsWith("comment_")) this.#emit("comment", event);
  }

  #onJoined({ projectId, seq, presence }) {
    const project = this.#projects.get(projectId);
    if (!project) return;
    project.awaitingJoin = false;
    if (project.cursor == null) project.cursor = seq;
    this.#setPresence(projectId, presence ?? []);
  }

  #onLeft({ projectId, reason }) {
    if (reason !== "left") this.#dropProject(projectId, reason);
  }

  #onResync({ projectId, seq, reason }) {
    const project = this.#projects.get(projectId);
    if (!project) return;
    project.awaitingJoin = false;
    project.cursor = seq;
    this.#emit("resync", { projectId, seq, reason });
  }

  #onError({ code, projectId }) {
    if (!projectId || !this.#projects.has(projectId)) return;
    if (code === "forbidden") return this.#dropProject(projectId, "forbidden");
    if (code === "unavailable") {
      this.#timers.set(`rejoin:${projectId}`, REJOIN_AFTER_MS, () => this.#sendJoin(projectId));
    }
  }

  /** Stop following a project the user can no longer see, and tell the page. */
  #dropProject(projectId, reason) {
    if (!this.#projects.delete(projectId)) return;
    this.#timers.clear(`rejoin:${projectId}`);
    this.#stopPoll(projectId);
    if (this.#level === "sse" && this.#projects.size === 0) this.#closeStream();
    this.#emit("left", { projectId, reason });
  }

  #onPresence({ type, projectId, data }) {
    const project = this.#projects.get(projectId);
    if (!project || !data) return;
    if (type === "user_connected") project.presence.set(data.userId, data.name);
    else project.presence.delete(data.userId);
    this.#emitPresence(projectId);
  }

  #setPresence(projectId, users) {
    const project = this.#projects.get(projectId);
    if (!project) return;
    project.presence = new Map(users.map(({ userId, name }) => [userId, name]));
    this.#emitPresence(projectId);
  }

  #emitPresence(projectId) {
    const users = [...this.#projects.get(projectId).presence].map(([userId, name]) => ({ userId, name }));
    this.#emit("presence", { projectId, users });
  }

  // -- output ------------------------------------------------------------------------------------

  #setStatus(state, { retryInMs = null, reason = null, code = null } = {}) {
    const next = { state, transport: this.#level, retryInMs, reason, code };
    const previous = this.#status;
    if (Object.keys(next).every((key) => next[key] === previous[key])) return;
    this.#status = next;
    this.#emit("status", { ...next });
  }

  #emit(type, payload) {
    for (const handler of [...(this.#handlers.get(type) ?? [])]) {
      try {
        handler(payload);
      } catch (error) {
        reportError(error); // a page's bug must not stop the stream
      }
    }
  }
}
