// `/ws` on the gateway: one WebSocket for every project, JSON frames in and out. Its URL
// is known at once (the cookie is the credential) or once a ticket has been asked for. The link is open once the gateway's `connected` frame arrives; joins asked for
// before that go out then. It keeps itself known to be alive: a `ping` every 25 s, and
// a connection that sends nothing back within 10 s of one is lost.

import { CLOSE, CONNECT_TIMEOUT_MS, PING_EVERY_MS, PONG_TIMEOUT_MS } from "./constants.js";
import { closed, lost, unreachable } from "./link.js";
import { Timers } from "./timers.js";

/**
 * What this link uses of a WebSocket.
 * @typedef {object} SocketLike
 * @property {number} readyState
 * @property {(data: string) => void} send
 * @property {(code?: number) => void} close
 * @property {((event: MessageEvent) => void) | null} onmessage
 * @property {((event: CloseEvent) => void) | null} onclose
 * @property {((event: Event) => void) | null} onerror
 */
/** @typedef {new (url: string) => SocketLike} WebSocketConstructor */

const OPEN = 1;

/** @typedef {import("./link.js").Link} Link */

/** @implements {Link} */
export class WebSocketLink {
  /** @type {"ws"} */
  kind = "ws";
  opened = false;
  /** @type {SocketLike | null} */
  #socket = null;
  #timers;
  #handlers;
  #cursorOf;
  /** @type {Set<string>} projects to join once connected */
  #pending = new Set();
  #pingId = 0;
  #done = false; // ended, or closed by the client: nothing more is reported

  /**
   * @param {object} options
   * @param {WebSocketConstructor} options.WebSocketImpl
   * @param {string | Promise<string>} options.url  a promise while a ticket is asked for
   * @param {import("./timers.js").Clock} options.clock
   * @param {import("./link.js").CursorOf} options.cursorOf
   * @param {import("./link.js").LinkHandlers} options.handlers
   */
  constructor({ WebSocketImpl, url, clock, cursorOf, handlers }) {
    this.#timers = new Timers(clock);
    this.#handlers = handlers;
    this.#cursorOf = cursorOf;
    this.#timers.set("connect", CONNECT_TIMEOUT_MS, () => this.#end(lost("no connected frame in time")));
    if (typeof url === "string") this.#open(WebSocketImpl, url);
    else url.then((resolved) => this.#open(WebSocketImpl, resolved), (error) => this.#end(unreachable(error)));
  }

  /** @param {WebSocketConstructor} WebSocketImpl @param {string} url */
  #open(WebSocketImpl, url) {
    if (this.#done) return;
    let socket;
    try {
      socket = new WebSocketImpl(url);
    } catch (error) { // a bad URL or a blocking policy: a failed connection like any other
      queueMicrotask(() => this.#end(lost(`cannot open a WebSocket: ${error}`, CLOSE.ABNORMAL)));
      return;
    }
    socket.onmessage = (message) => this.#receive(message.data);
    socket.onclose = (event) => this.#end(closed(event.code, event.reason));
    socket.onerror = () => {}; // a close event always follows
    this.#socket = socket;
  }

  /** @param {string} projectId */
  follow(projectId) {
    if (this.#done) return false;
    if (!this.opened) {
      this.#pending.add(projectId);
      return true;
    }
    /** @type {{ type: "join", projectId: string, lastSeq?: number }} */
    const join = { type: "join", projectId };
    const cursor = this.#cursorOf(projectId);
    if (cursor != null) join.lastSeq = cursor;
    return this.#send(join);
  }

  /** @param {string} projectId */
  unfollow(projectId) {
    if (this.#pending.delete(projectId)) return;
    this.#send({ type: "leave", projectId });
  }

  /** @param {string} projectId */
  forget(projectId) {
    this.#pending.delete(projectId);
  }

  close() {
    this.#done = true;
    this.#timers.clearAll();
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(1000);
    } catch {
      // already closed
    }
  }

  /** @param {object} frame */
  #send(frame) {
    if (!this.#socket || this.#socket.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  // A message is one frame, or (the link asks for `?batch=1`) an array of frames that
  // queued up during a burst, in order.
  /** @param {unknown} data */
  #receive(data) {
    this.#timers.clear("pong"); // anything at all shows the connection is alive
    let parsed;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      return;
    }
    for (const frame of Array.isArray(parsed) ? parsed : [parsed]) {
      if (this.#done) return; // a handler closed the link
      if (!frame || typeof frame !== "object" || typeof frame.type !== "string") continue;
      if (frame.type === "connected" && !this.opened) this.#connected();
      else this.#handlers.onFrame(frame);
    }
  }

  #connected() {
    this.opened = true;
    this.#timers.clear("connect");
    this.#timers.set("ping", PING_EVERY_MS, () => this.#ping());
    this.#handlers.onOpen();
    if (this.#done) return;
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const projectId of pending) this.follow(projectId);
  }

  #ping() {
    this.#pingId += 1;
    this.#send({ type: "ping", id: this.#pingId });
    this.#timers.set("pong", PONG_TIMEOUT_MS, () => this.#end(lost("no answer to a ping")));
    this.#timers.set("ping", PING_EVERY_MS, () => this.#ping());
  }

  /** @param {import("./link.js").End} outcome */
  #end(outcome) {
    if (this.#done) return;
    this.close();
    this.#handlers.onEnd(outcome);
  }
}
