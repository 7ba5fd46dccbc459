// Which projects the bindings follow on a client, and for how many components. The core
// follows a project once: a second join would move its one cursor, and the first leave
// would stop it for everyone. Here each component holds the project; the first hold
// joins, the last release leaves. No React: the components call it from their effects.

/** @typedef {import("@tasklane/realtime").TasklaneRealtime} TasklaneRealtime */
/** @typedef {(projectId: string) => void} FollowListener */

export class ProjectFollows {
  #client;
  /** @type {Map<string, number>} how many holders each followed project has */
  #holds = new Map();
  /** @type {Set<string>} joined on the client and not left (by us, or by the server) */
  #joined = new Set();
  /** @type {Set<FollowListener>} */
  #listeners = new Set();

  /** @param {TasklaneRealtime} client */
  constructor(client) {
    this.#client = client;
    // The server ended the follow (access revoked, project deleted): the holders still
    // hold it, and the next one to resume joins again.
    client.on("left", ({ projectId }) => {
      if (this.#joined.delete(projectId)) this.#changed(projectId);
    });
  }

  /**
   * Hold `projectId` followed, after `seq` if given; returns the release (idempotent).
   * @param {string} projectId @param {number | null} [seq]
   * @returns {() => void}
   */
  follow(projectId, seq = null) {
    this.#holds.set(projectId, (this.#holds.get(projectId) ?? 0) + 1);
    this.#place(projectId, seq);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#release(projectId);
    };
  }

  /**
   * A holder reloaded its data at `seq`: follow again if the server ended the follow,
   * and make sure nothing after `seq` is skipped.
   * @param {string} projectId @param {number} seq
   */
  resume(projectId, seq) {
    if (this.#holds.has(projectId)) this.#place(projectId, seq);
  }

  /** @param {string} projectId */
  isFollowed(projectId) {
    return this.#joined.has(projectId);
  }

  /** Called with a project's id when it starts or stops being followed.
   * @param {FollowListener} listener @returns {() => void} */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Join, or, when another holder has already joined, make sure the shared cursor is
   * not beyond `seq`. Never forward: that would skip, for every other listener of the
   * client, events they have not had. Back makes the client fetch again from `seq`. For
   * useProject, which listens from before its load, that is only events the client never
   * handed over (a join without a seq starts at the head of then); a connector given an
   * older seq than the others have may show them some events a second time.
   * @param {string} projectId @param {number | null} seq
   */
  #place(projectId, seq) {
    if (!this.#joined.has(projectId)) {
      this.#joined.add(projectId);
      this.#client.join(projectId, seq);
      this.#changed(projectId);
      return;
    }
    if (seq == null) return;
    // No cursor yet: a join without a seq is waiting for its `joined`, which would set
    // it at the head of then; from `seq` on, the client fills any gap it sees.
    const cursor = this.#client.cursor(projectId);
    if (cursor == null || seq < cursor) this.#client.setCursor(projectId, seq);
  }

  /** @param {string} projectId */
  #release(projectId) {
    const holds = (this.#holds.get(projectId) ?? 1) - 1;
    if (holds > 0) {
      this.#holds.set(projectId, holds);
      return;
    }
    this.#holds.delete(projectId);
    if (!this.#joined.delete(projectId)) return;
    this.#client.leave(projectId);
    this.#changed(projectId);
  }

  /** @param {string} projectId */
  #changed(projectId) {
    for (const listener of [...this.#listeners]) listener(projectId);
  }
}

// One per client, whichever provider or component asks: they share the client's cursors.
// Weak, so it goes with its client.
/** @type {WeakMap<TasklaneRealtime, ProjectFollows>} */
const followsByClient = new WeakMap();

/** @param {TasklaneRealtime} client @returns {ProjectFollows} */
export function followsOf(client) {
  let follows = followsByClient.get(client);
  if (!follows) followsByClient.set(client, (follows = new ProjectFollows(client)));
  return follows;
}
