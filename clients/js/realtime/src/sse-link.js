// `/sse` on the gateway: ONE EventSource for every followed project,
// `?projectId=a&projectId=b&lastEventId=a:12,b:7` (and a fresh `ticket` each time, unless
// the cookie is the credential: then withCredentials). Following one more project, or one
// fewer, opens the stream again with the new list. A stream is never reopened by the
// browser (its first error closes it), so it always resumes from the client's cursors,
// not from the last id that merely arrived.

import { CLOSE, SSE_FRAME_TYPES } from "./constants.js";
import { closed, lost, unreachable } from "./link.js";

/**
 * What this link uses of an EventSource.
 * @typedef {object} EventSourceLike
 * @property {(type: string, listener: (event: MessageEvent) => void) => void} addEventListener
 * @property {((event: Event) => void) | null} onerror
 * @property {() => void} close
 */
/** @typedef {new (url: string, init: { withCredentials: boolean }) => EventSourceLike} EventSourceConstructor */

/**
 * The stream's cursor for `lastEventId`: `proj_a:12,proj_b:7` (projects without a
 * cursor start live, from their head).
 * @param {Iterable<string>} projectIds
 * @param {import("./link.js").CursorOf} cursorOf
 */
export function streamCursor(projectIds, cursorOf) {
  return [...projectIds]
    .map((projectId) => [projectId, cursorOf(projectId)])
    .filter(([, cursor]) => cursor != null)
    .map(([projectId, cursor]) => `${projectId}:${cursor}`)
    .join(",");
}

/** @typedef {import("./link.js").Link} Link */

/** @implements {Link} */
export class SseLink {
  /** @type {"sse"} */
  kind = "sse";
  opened = false;
  #EventSourceImpl;
  #urlOf;
  #withCredentials;
  #cursorOf;
  #handlers;
  /** @type {Set<string>} */
  #projects = new Set();
  /** @type {EventSourceLike | null} */
  #source = null;
  #done = false;
  #reopening = false;
  /** @type {symbol | null} a stream whose URL is being made (a ticket asked for) */
  #opening = null;

  /**
   * @param {object} options
   * @param {EventSourceConstructor} options.EventSourceImpl
   * @param {(query: URLSearchParams) => string | Promise<string>} options.urlOf  the
   *   gateway's /sse with the query (a promise while a ticket is asked for)
   * @param {boolean} options.withCredentials  whether the cookie is the credential
   * @param {import("./link.js").CursorOf} options.cursorOf
   * @param {import("./link.js").LinkHandlers} options.handlers
   */
  constructor({ EventSourceImpl, urlOf, withCredentials, cursorOf, handlers }) {
    this.#EventSourceImpl = EventSourceImpl;
    this.#urlOf = urlOf;
    this.#withCredentials = withCredentials;
    this.#cursorOf = cursorOf;
    this.#handlers = handlers;
  }

  /** @param {string} projectId */
  follow(projectId) {
    if (this.#done) return false;
    this.#projects.add(projectId);
    this.#reopenSoon();
    return true;
  }

  /** @param {string} projectId */
  unfollow(projectId) {
    if (this.#projects.delete(projectId)) this.#reopenSoon();
  }

  /** The server ended it; the stream goes on for the others (or ends by itself).
   * @param {string} projectId */
  forget(projectId) {
    if (this.#projects.delete(projectId) && this.#projects.size === 0) this.#shut();
  }

  close() {
    this.#done = true;
    this.#shut();
  }

  #streamQuery() {
    const params = new URLSearchParams();
    for (const projectId of this.#projects) params.append("projectId", projectId);
    const cursor = streamCursor(this.#projects, this.#cursorOf);
    if (cursor) params.set("lastEventId", cursor);
    return params;
  }

  // Every project followed in one turn (a connection following them all) opens one stream.
  #reopenSoon() {
    if (this.#reopening) return;
    this.#reopening = true;
    queueMicrotask(() => {
      this.#reopening = false;
      this.#reopen();
    });
  }

  #reopen() {
    this.#shut();
    if (this.#done || this.#projects.size === 0) return;
    const opening = Symbol("opening");
    this.#opening = opening;
    const url = this.#urlOf(this.#streamQuery());
    if (typeof url === "string") return this.#openStream(url);
    url.then(
      (resolved) => this.#opening === opening && this.#openStream(resolved),
      (error) => this.#opening === opening && this.#end(unreachable(error)),
    );
  }

  /** @param {string} url */
  #openStream(url) {
    this.#opening = null;
    /** @type {EventSourceLike} */
    let source;
    try {
      source = new this.#EventSourceImpl(url, { withCredentials: this.#withCredentials });
    } catch (error) {
      queueMicrotask(() => this.#end(lost(`cannot open an event stream: ${error}`, CLOSE.ABNORMAL)));
      return;
    }
    let heard = false;
    /** @param {MessageEvent} message */
    const receive = (message) => {
      if (this.#source !== source) return;
      heard = true;
      let frame;
      try {
        frame = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (!frame || typeof frame !== "object" || typeof frame.type !== "string") return;
      this.#receive(frame);
    };
    for (const type of SSE_FRAME_TYPES) source.addEventListener(type, receive);
    source.onerror = () => {
      if (this.#source !== source) return;
      this.#end(lost(heard ? "the event stream failed" : "the event stream was refused", CLOSE.ABNORMAL));
    };
    this.#source = source;
  }

  /** @param {import("./link.js").Frame} frame */
  #receive(frame) {
    if (frame.type === "connected") { // every stream starts so; the link opens once
      if (this.opened) return;
      this.opened = true;
      this.#handlers.onOpen();
    } else if (frame.type === "close") { // the server ends the stream; it says why and when to come back
      const code = typeof frame.code === "number" ? frame.code : null;
      this.#end(closed(code, typeof frame.reason === "string" ? frame.reason : ""));
    } else {
      this.#handlers.onFrame(frame);
    }
  }

  #shut() {
    this.#opening = null;
    const source = this.#source;
    this.#source = null;
    if (!source) return;
    source.onerror = null;
    source.close();
  }

  /** @param {import("./link.js").End} outcome */
  #end(outcome) {
    if (this.#done) return;
    this.close();
    this.#handlers.onEnd(outcome);
  }
}
