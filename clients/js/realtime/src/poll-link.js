// Long polling on the API: one loop per project on
// `GET {api}/api/projects/{id}/events?after=<cursor>&wait=25`. The first ask answers at
// once and says where the head is (a `joined`); a cursor the log cannot serve becomes a
// `resync_required`, as on the gateway; a project whose log ended (deleted) a `left`.
// Polling carries no presence, so the link asks the API who is here, at the start and
// after every wait that brought nothing.

import { CLOSE, POLL_PAGE, POLL_WAIT_SECONDS } from "./constants.js";
import { lost } from "./link.js";

/** @typedef {import("./access.js").FetchLike} FetchLike */
/** @typedef {{ events: import("./link.js").Frame[], headSeq: number, hasMore: boolean, ended: boolean }} EventPage */

/**
 * @param {unknown} body
 * @returns {body is EventPage}
 */
function isEventPage(body) {
  if (!body || typeof body !== "object") return false;
  const page = /** @type {Record<string, unknown>} */ (body);
  return Array.isArray(page.events) && Number.isSafeInteger(page.headSeq);
}

/**
 * @param {unknown} body
 * @returns {body is import("./link.js").Person[]}
 */
function isPersonList(body) {
  return Array.isArray(body) && body.every((p) => p && typeof p.userId === "string" && typeof p.name === "string");
}

/** @typedef {import("./link.js").Link} Link */

/** @returns {RequestInit} */
function cookieInit() {
  return { credentials: "include", headers: { Accept: "application/json" } };
}

/** @implements {Link} */
export class PollLink {
  /** @type {"poll"} */
  kind = "poll";
  opened = false;
  #fetchImpl;
  #api;
  #requestInit;
  #cursorOf;
  #handlers;
  #waitSeconds;
  /** @type {Map<string, AbortController>} */
  #loops = new Map();
  #done = false;

  /**
   * @param {object} options
   * @param {FetchLike} options.fetchImpl
   * @param {string} options.api  the app's origin ("" for the page's own)
   * @param {() => RequestInit} [options.requestInit]  the credential: the cookie, or the token's header
   * @param {import("./link.js").CursorOf} options.cursorOf
   * @param {import("./link.js").LinkHandlers} options.handlers
   * @param {number} [options.waitSeconds]
   */
  constructor({ fetchImpl, api, requestInit = cookieInit, cursorOf, handlers, waitSeconds = POLL_WAIT_SECONDS }) {
    this.#fetchImpl = fetchImpl;
    this.#api = api;
    this.#requestInit = requestInit;
    this.#cursorOf = cursorOf;
    this.#handlers = handlers;
    this.#waitSeconds = waitSeconds;
  }

  /** @param {string} projectId */
  follow(projectId) {
    if (this.#done) return false;
    this.#stop(projectId);
    const controller = new AbortController();
    this.#loops.set(projectId, controller);
    this.#run(projectId, controller);
    return true;
  }

  /** @param {string} projectId */
  unfollow(projectId) {
    this.#stop(projectId);
  }

  /** @param {string} projectId */
  forget(projectId) {
    this.#stop(projectId);
  }

  close() {
    this.#done = true;
    for (const projectId of [...this.#loops.keys()]) this.#stop(projectId);
  }

  /** @param {string} projectId */
  #stop(projectId) {
    this.#loops.get(projectId)?.abort();
    this.#loops.delete(projectId);
  }

  /**
   * @param {string} projectId
   * @param {AbortController} controller
   */
  async #run(projectId, controller) {
    const { signal } = controller;
    const current = () => !this.#done && this.#loops.get(projectId) === controller;
    const events = `/api/projects/${encodeURIComponent(projectId)}/events`;
    this.#loadPresence(projectId, signal, current);
    const head = await this.#get(`${events}?after=${this.#cursorOf(projectId) ?? 0}&limit=1&wait=0`, signal);
    if (!current()) return;
    if (!isEventPage(head.body)) return this.#refused(projectId, head.status, false);
    if (!this.opened) {
      this.opened = true;
      this.#handlers.onOpen();
    }
    if (!current()) return;
    this.#handlers.onFrame({ type: "joined", projectId, seq: head.body.headSeq });
    while (current()) {
      const cursor = this.#cursorOf(projectId);
      if (cursor == null) return; // the client no longer follows it
      const page = await this.#get(`${events}?after=${cursor}&limit=${POLL_PAGE}&wait=${this.#waitSeconds}`, signal);
      if (!current()) return;
      if (!isEventPage(page.body)) return this.#refused(projectId, page.status, true);
      // As the gateway does: a cursor the log cannot serve is a resync.
      const first = page.body.events[0]?.seq;
      if (cursor > page.body.headSeq || (first !== undefined && first !== cursor + 1)) {
        const reason = cursor > page.body.headSeq ? "ahead of the log" : "no longer in the log";
        this.#handlers.onFrame({ type: "resync_required", projectId, seq: page.body.headSeq, reason });
        continue;
      }
      for (const event of page.body.events) {
        if (!current()) return; // the client resumed it from elsewhere
        this.#handlers.onFrame(event);
      }
      if (!current()) return;
      if (page.body.ended && !page.body.hasMore) { // project_deleted was the last event
        this.#stop(projectId);
        return this.#handlers.onFrame({ type: "left", projectId, reason: "project_deleted" });
      }
      if (page.body.events.length === 0) this.#loadPresence(projectId, signal, current);
    }
  }

  /**
   * @param {string} projectId
   * @param {number} status
   * @param {boolean} joined  whether this loop had an answer before
   */
  #refused(projectId, status, joined) {
    if (status === 401) {
      this.close();
      return this.#handlers.onEnd({ kind: "refused", reason: "signed out", code: CLOSE.UNAUTHORIZED });
    }
    if (status === 403 || status === 404) {
      // Before the first answer it cannot be followed (as /ws says with "forbidden");
      // after, it was deleted or access was removed.
      this.#stop(projectId);
      return this.#handlers.onFrame({ type: "left", projectId, reason: joined ? "not_found" : "forbidden" });
    }
    this.close(); // the network, 429, 5xx: the whole link is lost, the client retries it
    this.#handlers.onEnd(lost(status ? `polling failed (${status})` : "polling failed: no answer", status || null));
  }

  /**
   * @param {string} projectId
   * @param {AbortSignal} signal
   * @param {() => boolean} current
   */
  async #loadPresence(projectId, signal, current) {
    const { status, body } = await this.#get(`/api/projects/${encodeURIComponent(projectId)}/presence`, signal);
    if (status === 200 && isPersonList(body) && current()) this.#handlers.onPresence(projectId, body);
  }

  /**
   * GET a JSON body from the API: {status, body}; status 0 when the request failed.
   * @param {string} path
   * @param {AbortSignal} signal
   * @returns {Promise<{ status: number, body: unknown }>}
   */
  async #get(path, signal) {
    const fetchImpl = this.#fetchImpl; // called bare: window.fetch wants no receiver
    try {
      const response = await fetchImpl(this.#api + path, { ...this.#requestInit(), signal });
      if (!response.ok) return { status: response.status, body: null };
      return { status: response.status, body: await response.json() };
    } catch {
      return { status: 0, body: null };
    }
  }
}
