// The projects a client follows, and what a frame from any link means for them. Each
// project has a cursor: the last seq handed to the page. Events reach the page once
// each, in seq order: one at or below the cursor is dropped, one beyond cursor + 1 is a
// gap (the server promises none) and the project is fetched again from its cursor.
// No I/O: the client is told, through the callbacks, what to do about a project.

/** @typedef {import("./link.js").Frame} Frame */
/** @typedef {import("./link.js").Person} Person */
/**
 * A durable event (docs/protocol.md, "The envelope").
 * @typedef {{ type: string, projectId: string, userId: string | null, seq: number, data: Record<string, unknown>, timestamp: string }} DurableEvent
 */
/** @typedef {{ cursor: number | null, awaitingJoin: boolean, presence: Map<string, string> }} Followed */

/**
 * @typedef {object} ProjectCallbacks
 * @property {(type: string, payload: unknown) => void} emit  tell the page
 * @property {(projectId: string) => void} resume  fetch the project again from its cursor
 * @property {(projectId: string) => void} rejoinLater  the server could not serve a join now
 * @property {(projectId: string) => void} dropped  it is no longer followed (the page is told too)
 */

/**
 * A `seq` as given by a page (a number, or digits from a data attribute), or a TypeError.
 * @param {unknown} seq
 */
export function toSeq(seq) {
  const value = typeof seq === "string" && seq.trim() !== "" ? Number(seq) : seq;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new TypeError(`not a seq: ${seq}`);
  return value;
}

export class Projects {
  /** @type {Map<string, Followed>} */
  #followed = new Map();
  #on;

  /** @param {ProjectCallbacks} callbacks */
  constructor(callbacks) {
    this.#on = callbacks;
  }

  get size() {
    return this.#followed.size;
  }

  ids() {
    return [...this.#followed.keys()];
  }

  /** @param {string} projectId */
  has(projectId) {
    return this.#followed.has(projectId);
  }

  /** @param {string} projectId @param {number | null} cursor */
  add(projectId, cursor) {
    this.#followed.set(projectId, { cursor, awaitingJoin: false, presence: new Map() });
  }

  /** @param {string} projectId */
  remove(projectId) {
    return this.#followed.delete(projectId);
  }

  clear() {
    this.#followed.clear();
  }

  /** @param {string} projectId */
  cursor(projectId) {
    return this.#followed.get(projectId)?.cursor ?? null;
  }

  /**
   * Move a project's cursor; whether that moved it back.
   * @param {string} projectId @param {number} seq
   */
  setCursor(projectId, seq) {
    const project = this.#followed.get(projectId);
    if (!project) return false;
    const rewind = project.cursor != null && seq < project.cursor;
    project.cursor = seq;
    return rewind;
  }

  /**
   * A link was asked to follow the project; `awaiting`: a join (or stream, or poll) went
   * out, so a gap seen before its answer needs no second one.
   * @param {string} projectId @param {boolean} awaiting
   */
  followed(projectId, awaiting) {
    const project = this.#followed.get(projectId);
    if (project) project.awaitingJoin = awaiting;
  }

  /** @param {Frame} frame */
  handle(frame) {
    switch (frame.type) {
      case "joined": return this.#onJoined(frame);
      case "left": return this.#onLeft(frame);
      case "resync_required": return this.#onResync(frame);
      case "user_connected":
      case "user_disconnected": return this.#onPresence(frame);
      case "error": return this.#onError(frame);
      default:
        if (Number.isSafeInteger(frame.seq) && typeof frame.projectId === "string") {
          return this.#onEvent(/** @type {DurableEvent} */ (/** @type {unknown} */ (frame)));
        }
        return undefined; // connected, pong, or a frame this client does not know
    }
  }

  /** Who is present, as a whole list: each arrival and departure is told as its own
   * `user_connected` / `user_disconnected`, whatever the transport.
   * @param {string} projectId @param {Person[]} users */
  setPresence(projectId, users) {
    const project = this.#followed.get(projectId);
    if (!project) return;
    const before = project.presence;
    project.presence = new Map(users.map(({ userId, name }) => [userId, name]));
    for (const [userId, name] of before) {
      if (!project.presence.has(userId)) this.#emitPresenceChange("user_disconnected", projectId, userId, name);
    }
    for (const [userId, name] of project.presence) {
      if (!before.has(userId)) this.#emitPresenceChange("user_connected", projectId, userId, name);
    }
    this.#emitPresence(projectId, project);
  }

  /** @param {string} projectId @returns {Person[]} */
  presence(projectId) {
    const project = this.#followed.get(projectId);
    return project ? [...project.presence].map(([userId, name]) => ({ userId, name })) : [];
  }

  /** @param {DurableEvent} event */
  #onEvent(event) {
    const project = this.#followed.get(event.projectId);
    if (!project) return;
    if (project.cursor != null && event.seq <= project.cursor) return; // already handed over
    if (project.cursor != null && event.seq > project.cursor + 1) {
      if (!project.awaitingJoin) this.#on.resume(event.projectId);
      return;
    }
    project.cursor = event.seq;
    this.#on.emit("event", event);
    this.#on.emit(event.type, event);
    if (event.type.startsWith("task_")) this.#on.emit("task", event);
    if (event.type.startsWith("comment_")) this.#on.emit("comment", event);
  }

  /** @param {Frame} frame */
  #onJoined({ projectId, seq, presence }) {
    const project = this.#project(projectId);
    if (!project) return;
    project.awaitingJoin = false;
    if (project.cursor == null && typeof seq === "number") project.cursor = seq;
    if (Array.isArray(presence)) this.setPresence(/** @type {string} */ (projectId), presence);
  }

  /** @param {Frame} frame */
  #onLeft({ projectId, reason }) {
    if (reason !== "left") this.#drop(projectId, String(reason));
  }

  /** @param {Frame} frame */
  #onResync({ projectId, seq, reason }) {
    const project = this.#project(projectId);
    if (!project || typeof seq !== "number") return;
    project.awaitingJoin = false;
    project.cursor = seq;
    this.#on.emit("resync", { projectId, seq, reason });
  }

  /** @param {Frame} frame */
  #onError({ code, projectId }) {
    if (!this.#project(projectId)) return;
    if (code === "forbidden") this.#drop(projectId, "forbidden");
    else if (code === "unavailable") this.#on.rejoinLater(/** @type {string} */ (projectId));
  }

  /** @param {Frame} frame */
  #onPresence({ type, projectId, data }) {
    const project = this.#project(projectId);
    if (!project || !data || typeof data !== "object") return;
    const { userId, name } = /** @type {Partial<Person>} */ (data);
    if (typeof userId !== "string") return;
    const id = /** @type {string} */ (projectId);
    const known = project.presence.get(userId);
    if (type === "user_connected") {
      if (known !== undefined) return; // a second tab of someone already here
      project.presence.set(userId, String(name ?? ""));
      this.#emitPresenceChange(type, id, userId, String(name ?? ""));
    } else {
      if (known === undefined) return;
      project.presence.delete(userId);
      this.#emitPresenceChange("user_disconnected", id, userId, known);
    }
    this.#emitPresence(id, project);
  }

  /**
   * @param {"user_connected" | "user_disconnected"} type
   * @param {string} projectId @param {string} userId @param {string} name
   */
  #emitPresenceChange(type, projectId, userId, name) {
    this.#on.emit(type, { type, projectId, userId, data: { userId, name } });
  }

  /** A project the reader can no longer follow: forget it and tell the page.
   * @param {unknown} projectId @param {string} reason */
  #drop(projectId, reason) {
    if (typeof projectId !== "string" || !this.#followed.delete(projectId)) return;
    this.#on.dropped(projectId);
    this.#on.emit("left", { projectId, reason });
  }

  /** @param {unknown} projectId */
  #project(projectId) {
    return typeof projectId === "string" ? this.#followed.get(projectId) : undefined;
  }

  /** @param {string} projectId @param {Followed} project */
  #emitPresence(projectId, project) {
    const users = [...project.presence].map(([userId, name]) => ({ userId, name }));
    this.#on.emit("presence", { projectId, users });
  }
}
