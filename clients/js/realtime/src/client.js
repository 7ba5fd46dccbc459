// The realtime client: one link at a time, chosen by the fallback ladder, and the
// projects it follows. It hands every durable event to the page once, in seq order per
// project, whatever the transport; the usage and the ladder are described in index.js,
// the frames in docs/protocol.md.

import { Access } from "./access.js";
import { REJOIN_AFTER_MS, STABLE_AFTER_MS, TRANSPORTS } from "./constants.js";
import { Ladder, probeDelay } from "./ladder.js";
import { Projects, toSeq } from "./projects.js";
import { WebSocketLink } from "./websocket-link.js";
import { SseLink } from "./sse-link.js";
import { PollLink } from "./poll-link.js";
import { Timers, realClock } from "./timers.js";

/** @typedef {import("./ladder.js").Transport} Transport */
/** @typedef {import("./link.js").Link} Link */
/** @typedef {"connecting" | "live" | "reconnecting" | "offline"} State */
/**
 * @typedef {object} Status
 * @property {State} state
 * @property {Transport} transport
 * @property {number | null} retryInMs  while reconnecting, the countdown (else null)
 * @property {string | null} reason  why it is offline, or why the last connection was lost
 * @property {number | null} code  the close code (or HTTP status) that said so
 */
/** @typedef {import("./projects.js").DurableEvent} DurableEvent */
/** @typedef {import("./link.js").Person} Person */
/**
 * An arrival or a departure (the first tab in, the last tab out).
 * @typedef {{ type: "user_connected" | "user_disconnected", projectId: string, userId: string, data: Person }} PresenceChange
 */
/**
 * What each name `on()` takes hands over.
 * @typedef {object} RealtimeEvents
 * @property {Status} status
 * @property {DurableEvent} event  every durable event
 * @property {DurableEvent} task  any task_* event
 * @property {DurableEvent} comment  any comment_* event
 * @property {DurableEvent} project_created
 * @property {DurableEvent} project_updated
 * @property {DurableEvent} project_deleted
 * @property {DurableEvent} member_added
 * @property {DurableEvent} member_updated
 * @property {DurableEvent} member_removed
 * @property {DurableEvent} section_created
 * @property {DurableEvent} section_updated
 * @property {DurableEvent} section_deleted
 * @property {DurableEvent} task_created
 * @property {DurableEvent} task_updated
 * @property {DurableEvent} task_status_changed
 * @property {DurableEvent} task_deleted
 * @property {DurableEvent} comment_created
 * @property {DurableEvent} comment_updated
 * @property {DurableEvent} comment_deleted
 * @property {PresenceChange} user_connected
 * @property {PresenceChange} user_disconnected
 * @property {{ projectId: string, users: Person[] }} presence  who is here, the whole list
 * @property {{ projectId: string, seq: number, reason: string }} resync  reload, then setCursor
 * @property {{ projectId: string, reason: string }} left  no longer followed, and why
 */
/** @typedef {"network" | "page" | "final"} OfflineCause  what has to happen to go on */
/** @typedef {(event: Event & { persisted?: boolean }) => void} WindowListener */
/** @typedef {{ addEventListener(type: string, fn: WindowListener): void, removeEventListener(type: string, fn: WindowListener): void }} EventTargetLike */

/**
 * The client's phases. `idle` until the first join, `closed` after close(); the others
 * are the status's states. Every move is checked: an impossible one is a bug and throws.
 * @typedef {"idle" | State | "closed"} Phase
 * @type {Record<Phase, readonly Phase[]>}
 */
const NEXT = {
  idle: ["connecting", "offline", "closed"],
  connecting: ["connecting", "live", "reconnecting", "offline", "closed"],
  live: ["live", "connecting", "reconnecting", "offline", "closed"],
  reconnecting: ["reconnecting", "connecting", "live", "offline", "closed"], // ticks of the countdown
  offline: ["connecting", "offline", "closed"],
  closed: [],
};

const TICK_MS = 1_000;
const BATCHED = () => new URLSearchParams({ batch: "1" }); // a burst may arrive as one array of frames

/** @param {unknown} error */
function reportError(error) {
  if (typeof globalThis.reportError === "function") globalThis.reportError(error);
  else console.error(error);
}

export class TasklaneRealtime {
  #access;
  #impl;
  #ladder;
  #timers;
  /** @type {Map<string, Set<(payload: any) => void>>} */
  #handlers = new Map();
  #projects = new Projects({
    emit: (type, payload) => this.#emit(type, payload),
    resume: (projectId) => this.#follow(projectId),
    rejoinLater: (projectId) => this.#timers.set(`rejoin:${projectId}`, REJOIN_AFTER_MS, () => this.#follow(projectId)),
    dropped: (projectId) => {
      this.#timers.clear(`rejoin:${projectId}`);
      this.#link?.forget(projectId);
    },
  });
  /** @type {Phase} */
  #phase = "idle";
  /** @type {OfflineCause | null} */
  #offlineCause = null;
  /** @type {Status} */
  #status;
  /** @type {Link | null} the link in use (or being opened) */
  #link = null;
  /** @type {WebSocketLink | null} a WebSocket tried while on a fallback */
  #probe = null;
  /** @type {(() => void)[]} */
  #unlisten = [];

  /**
   * @param {object} [options]
   * @param {string} [options.api]  the API's base URL: an origin, or an origin and a path
   *   (a gym episode's `http://host:3001/e/<id>`); "" for the page's own
   * @param {string | null} [options.token]  a personal token: a ticket per connection, Bearer for polling
   * @param {import("./access.js").TicketProvider | null} [options.getTicket]  tickets from the host application
   * @param {import("./access.js").Gateway | null} [options.gateway]  the gateway's address; asked of the API if not given
   * @param {readonly Transport[]} [options.transports]  the ladder's rungs (some of ws, sse, poll, in order)
   * @param {import("./websocket-link.js").WebSocketConstructor} [options.WebSocketImpl]
   * @param {import("./sse-link.js").EventSourceConstructor} [options.EventSourceImpl]
   * @param {import("./access.js").FetchLike} [options.fetchImpl]
   * @param {() => number} [options.random]
   * @param {import("./timers.js").Clock["setTimeout"]} [options.setTimeout]
   * @param {import("./timers.js").Clock["clearTimeout"]} [options.clearTimeout]
   * @param {EventTargetLike | null} [options.window]  where online/offline/pagehide/pageshow come from
   */
  constructor({
    api = "",
    token = null,
    getTicket = null,
    gateway = null,
    transports = TRANSPORTS,
    WebSocketImpl = globalThis.WebSocket,
    EventSourceImpl = globalThis.EventSource,
    fetchImpl = (url, init) => globalThis.fetch(url, init),
    random = Math.random,
    setTimeout = realClock.setTimeout,
    clearTimeout = realClock.clearTimeout,
    window: target = /** @type {EventTargetLike | null} */ (globalThis.window ?? null),
  } = {}) {
    this.#access = new Access({ api, token, getTicket, gateway, fetchImpl });
    const clock = { setTimeout, clearTimeout };
    this.#impl = { WebSocketImpl, EventSourceImpl, fetchImpl, clock, target };
    this.#ladder = new Ladder(transports, random);
    this.#timers = new Timers(clock);
    this.#status = { state: "offline", transport: this.#ladder.transport, retryInMs: null, reason: "not started", code: null };
  }

  // -- the page's API ---------------------------------------------------------------------

  /** Call `handler` for `type` ("status", "event", an event type, "task", "comment",
   * "presence", "resync", "left"); returns a function that removes it.
   * @template {keyof RealtimeEvents} K
   * @param {K} type
   * @param {(payload: RealtimeEvents[K]) => void} handler
   * @returns {() => void} */
  on(type, handler) {
    let handlers = this.#handlers.get(type);
    if (!handlers) this.#handlers.set(type, (handlers = new Set()));
    handlers.add(handler);
    return () => this.off(type, handler);
  }

  /** @template {keyof RealtimeEvents} K
   * @param {K} type @param {(payload: RealtimeEvents[K]) => void} handler */
  off(type, handler) {
    this.#handlers.get(type)?.delete(handler);
  }

  /** @returns {Status} */
  get status() {
    return { ...this.#status };
  }

  /** Who is viewing a followed project now, as the last `presence` said.
   * @param {string} projectId @returns {import("./link.js").Person[]} */
  presence(projectId) {
    return this.#projects.presence(projectId);
  }

  /** A JSON request to the API with this client's credential: the parsed answer, or a
   * TasklaneError with the API's `status` and `code`. For loading what the events follow.
   * @param {string} path  e.g. `/api/projects/${id}`
   * @param {{ method?: string, body?: unknown, signal?: AbortSignal }} [options]
   * @returns {Promise<any>} */
  request(path, options) {
    return this.#access.request(path, options);
  }

  /** Follow a project after `seq` (omitted: from the head when joined). Connects on first use.
   * @param {string} projectId @param {number | string | null} [seq] */
  join(projectId, seq) {
    if (this.#phase === "closed") return;
    if (this.#projects.has(projectId)) {
      if (seq != null) this.setCursor(projectId, seq);
      return;
    }
    this.#projects.add(projectId, seq == null ? null : toSeq(seq));
    if (this.#phase === "idle") this.#start();
    else this.#follow(projectId);
  }

  /** @param {string} projectId */
  leave(projectId) {
    if (!this.#projects.remove(projectId)) return;
    this.#timers.clear(`rejoin:${projectId}`);
    this.#link?.unfollow(projectId);
  }

  /** @param {string} projectId */
  cursor(projectId) {
    return this.#projects.cursor(projectId);
  }

  /** Move a project's cursor (after a resync's reload). Moving it back fetches again from there.
   * @param {string} projectId @param {number | string} seq */
  setCursor(projectId, seq) {
    if (this.#projects.setCursor(projectId, toSeq(seq))) this.#follow(projectId);
  }

  /** Reconnect now: skip a countdown, leave "offline", or probe the WebSocket on a fallback. */
  retryNow() {
    if (this.#phase === "offline") {
      this.#teardown();
      this.#offlineCause = null;
      this.#ladder.restart();
      this.#connect();
    } else if (this.#phase === "reconnecting") {
      this.#connect();
    } else if ((this.#phase === "live" || this.#phase === "connecting") && this.#ladder.probing && !this.#probe) {
      this.#timers.clear("probe");
      this.#runProbe();
    }
  }

  /** Stop for good: close every transport and forget the projects. */
  close() {
    if (this.#phase === "closed") return;
    this.#teardown();
    for (const unlisten of this.#unlisten) unlisten();
    this.#unlisten = [];
    this.#projects.clear();
    this.#moveTo("closed", { reason: "closed" });
  }

  // -- lifecycle ----------------------------------------------------------------------------

  #start() {
    this.#listen("offline", () => this.#suspend("network", "the network is offline"));
    this.#listen("online", () => this.#wake("network"));
    this.#listen("pagehide", () => this.#suspend("page", "page hidden"));
    this.#listen("pageshow", (event) => event.persisted && this.#wake("page"));
    if (globalThis.navigator?.onLine === false) this.#goOffline("the network is offline", null, "network");
    else this.#connect();
  }

  /** @param {string} type @param {WindowListener} handler */
  #listen(type, handler) {
    const target = this.#impl.target;
    if (typeof target?.addEventListener !== "function") return;
    target.addEventListener(type, handler);
    this.#unlisten.push(() => target.removeEventListener(type, handler));
  }

  /** @param {OfflineCause} cause @param {string} reason */
  #suspend(cause, reason) {
    if (this.#phase === "closed" || this.#offlineCause === "final") return; // only retryNow() undoes "final"
    this.#goOffline(reason, null, cause);
  }

  /** @param {OfflineCause} cause */
  #wake(cause) {
    if (this.#phase !== "offline" || this.#offlineCause !== cause) return;
    this.#offlineCause = null;
    this.#ladder.forgive();
    this.#connect();
  }

  /** @param {string} reason @param {number | null} code @param {OfflineCause} cause */
  #goOffline(reason, code, cause) {
    this.#teardown();
    this.#offlineCause = cause;
    this.#moveTo("offline", { reason, code });
  }

  #teardown() {
    this.#timers.clearAll();
    this.#link?.close();
    this.#link = null;
    this.#probe?.close();
    this.#probe = null;
  }

  /** Open a link on the ladder's rung and follow every project on it. */
  #connect() {
    this.#timers.clear("retry");
    this.#timers.clear("stable");
    this.#link?.close();
    this.#moveTo("connecting");
    const link = this.#newLink(this.#ladder.transport);
    this.#link = link;
    if (this.#ladder.probing) this.#scheduleProbe();
    // Nothing to follow yet on a fallback: nothing to wait for either.
    if (link.kind !== "ws" && this.#projects.size === 0) return this.#moveTo("live");
    for (const projectId of this.#projects.ids()) this.#follow(projectId);
  }

  /** @param {Transport} kind @returns {Link} */
  #newLink(kind) {
    const cursorOf = (/** @type {string} */ projectId) => this.cursor(projectId);
    /** @type {Link} */
    let link;
    /** @type {import("./link.js").LinkHandlers} */
    const handlers = {
      onOpen: () => link === this.#link && this.#opened(),
      onFrame: (frame) => link === this.#link && this.#projects.handle(frame),
      onPresence: (projectId, users) => link === this.#link && this.#projects.setPresence(projectId, users),
      onEnd: (end) => link === this.#link && this.#ended(link, end),
    };
    const { WebSocketImpl, EventSourceImpl, fetchImpl, clock } = this.#impl;
    const access = this.#access;
    if (kind === "ws") {
      link = new WebSocketLink({ WebSocketImpl, url: access.url("ws", BATCHED()), clock, cursorOf, handlers });
    } else if (kind === "sse") {
      const urlOf = (/** @type {URLSearchParams} */ query) => access.url("sse", query);
      link = new SseLink({ EventSourceImpl, urlOf, withCredentials: access.withCredentials, cursorOf, handlers });
    } else {
      const requestInit = () => access.requestInit();
      link = new PollLink({ fetchImpl, api: access.api, requestInit, cursorOf, handlers });
    }
    return link;
  }

  /** Live. The rung's failures are forgiven only once the link has lasted. */
  #opened() {
    this.#ladder.established();
    this.#moveTo("live");
    if (this.#ladder.failures > 0) this.#timers.set("stable", STABLE_AFTER_MS, () => this.#ladder.forgive());
  }

  /** @param {Link} link @param {import("./link.js").End} end */
  #ended(link, end) {
    this.#link = null;
    this.#timers.clear("stable");
    if (end.kind === "refused") return this.#goOffline(end.reason, end.code, "final");
    const next = this.#ladder.lost({ wasUp: link.opened, hintMs: end.retryAfterMs });
    if (next.kind === "fallBack") this.#connect();
    else this.#retryAfter(next.delayMs, end);
  }

  /** State "reconnecting" with a countdown updated once a second (and why the last
   * connection was lost), then connect.
   * @param {number} delayMs @param {{ reason: string, code: number | null }} lost */
  #retryAfter(delayMs, { reason, code }) {
    let remaining = Math.max(0, Math.round(delayMs));
    const tick = () => {
      if (remaining <= 0) return this.#connect();
      this.#moveTo("reconnecting", { retryInMs: remaining, reason, code });
      const step = remaining % TICK_MS || TICK_MS; // later ticks fall on whole seconds
      remaining -= step;
      this.#timers.set("retry", step, tick);
    };
    tick();
  }

  /** Follow (or resume) a project on the link in use, if there is one: without one, the
   * next connection follows every project anyway.
   * @param {string} projectId */
  #follow(projectId) {
    if (!this.#projects.has(projectId) || !this.#link) return;
    this.#projects.followed(projectId, this.#link.follow(projectId));
  }

  // -- the WebSocket probe, while on a fallback ----------------------------------------------

  #scheduleProbe() {
    if (this.#probe || this.#timers.has("probe")) return;
    this.#timers.set("probe", probeDelay(this.#ladder.random), () => this.#runProbe());
  }

  /** Try a WebSocket; once its `connected` frame arrives it takes over. */
  #runProbe() {
    const { WebSocketImpl, clock } = this.#impl;
    /** @type {WebSocketLink} */
    const probe = new WebSocketLink({
      WebSocketImpl,
      url: this.#access.url("ws", BATCHED()),
      clock,
      cursorOf: (projectId) => this.cursor(projectId),
      handlers: {
        onOpen: () => this.#upgrade(probe),
        onFrame: (frame) => probe === this.#link && this.#projects.handle(frame),
        onPresence: () => {},
        onEnd: (end) => {
          if (probe === this.#link) return this.#ended(probe, end);
          if (probe !== this.#probe) return;
          this.#probe = null;
          if (this.#ladder.probing) this.#scheduleProbe();
        },
      },
    });
    this.#probe = probe;
  }

  /** @param {WebSocketLink} probe */
  #upgrade(probe) {
    if (probe !== this.#probe) return;
    this.#probe = null;
    this.#timers.clear("retry");
    this.#timers.clear("stable");
    this.#link?.close();
    this.#link = probe;
    this.#ladder.upgrade();
    this.#moveTo("live");
    for (const projectId of this.#projects.ids()) this.#follow(projectId);
  }

  // -- output ------------------------------------------------------------------------------------

  /**
   * Move to `phase` (checked) and tell the page the status, if it changed.
   * @param {Phase} phase
   * @param {{ retryInMs?: number | null, reason?: string | null, code?: number | null }} [details]
   */
  #moveTo(phase, { retryInMs = null, reason = null, code = null } = {}) {
    if (!NEXT[this.#phase].includes(phase)) {
      throw new Error(`realtime client: cannot go from ${this.#phase} to ${phase}`);
    }
    this.#phase = phase;
    const state = phase === "closed" || phase === "idle" ? "offline" : phase;
    /** @type {Status} */
    const next = { state, transport: this.#ladder.transport, retryInMs, reason, code };
    const previous = this.#status;
    const keys = /** @type {(keyof Status)[]} */ (Object.keys(next));
    if (keys.every((key) => next[key] === previous[key])) return;
    this.#status = next;
    this.#emit("status", { ...next });
  }

  /** @param {string} type @param {unknown} payload */
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
