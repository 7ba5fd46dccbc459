// One project's board kept live on a client: loaded through the API, then changed by
// its events, without a gap and without applying an event twice. No React: useProject
// reads it as an external store.
//
// How nothing is lost or doubled: it listens to the client before it loads, and keeps
// the events that arrive while it loads. The load stands at the project's `seq`
// (project-loader.js); the kept events after it are applied, those at or below it are
// already in it. Only then is the project followed, from that `seq` (the client drops
// events at or below its cursor), or, when another component follows it already, the
// client's cursor is checked to be no later than that `seq`: everything after it either
// was kept or is still to come.

import { TasklaneError } from "@tasklane/realtime";

import { asRealtimeEvent } from "./events.js";
import { followsOf } from "./follows.js";
import { loadProject } from "./project-loader.js";
import { applyEvent, loadedState } from "./project-state.js";

/** @typedef {import("@tasklane/realtime").TasklaneRealtime} TasklaneRealtime */
/** @typedef {import("./events.js").RealtimeEvent} RealtimeEvent */
/** @typedef {import("./events.js").ProjectView} ProjectView */
/** @typedef {import("./events.js").Section} Section */
/** @typedef {import("./events.js").Task} Task */
/** @typedef {import("./project-state.js").ProjectState} ProjectState */
/**
 * What a component renders of the project.
 * @typedef {object} Board
 * @property {ProjectView | null} project  null until loaded
 * @property {Section[]} sections  by rank
 * @property {Task[]} tasks  top-level tasks, by section order, then rank
 * @property {boolean} loading  a load (or a reload) is under way; the last board stays meanwhile
 * @property {Error | null} error  why the board stopped: a failed load (a TasklaneError from
 *   the API), or the project gone (a TasklaneError whose code is the reason: project_deleted,
 *   access_revoked, forbidden, not_found)
 */

/**
 * idle → loading → following; a resync or reload() → loading again; a failed load, a
 * `left` or `project_deleted` → stopped (reload() tries again); close() → closed.
 * @typedef {"idle" | "loading" | "following" | "stopped" | "closed"} Phase
 * @type {Record<Phase, readonly Phase[]>}
 */
const NEXT = {
  idle: ["loading", "closed"],
  loading: ["loading", "following", "stopped", "closed"],
  following: ["loading", "stopped", "closed"],
  stopped: ["loading", "stopped", "closed"], // project_deleted, then `left` saying so
  closed: [],
};

/** @type {Record<string, { status: number, message: string }>} */
const LEFT_BECAUSE = {
  project_deleted: { status: 404, message: "This project was deleted." },
  access_revoked: { status: 403, message: "You no longer have access to this project." },
  forbidden: { status: 403, message: "You may not follow this project." },
  not_found: { status: 404, message: "This project does not exist." },
};

/** Why the project is no longer followed, as the error a board shows.
 * @param {string} reason @returns {TasklaneError} */
export function leftError(reason) {
  const known = LEFT_BECAUSE[reason];
  return new TasklaneError(known?.status ?? 0, reason, known?.message ?? `No longer following this project (${reason}).`);
}

/** @type {Board} */
export const NOT_LOADED = Object.freeze({ project: null, sections: [], tasks: [], loading: false, error: null });

export class LiveProject {
  #client;
  #projectId;
  /** @type {Phase} */
  #phase = "idle";
  /** @type {ProjectState | null} */
  #state = null;
  /** @type {Error | null} */
  #error = null;
  /** @type {RealtimeEvent[]} events that arrived while loading */
  #kept = [];
  /** @type {AbortController | null} */
  #loading = null;
  /** @type {(() => void) | null} */
  #release = null;
  /** @type {(() => void)[]} */
  #unsubscribe = [];
  /** @type {Set<() => void>} */
  #listeners = new Set();
  /** @type {Board} */
  #board = { ...NOT_LOADED, loading: true };

  /** @param {TasklaneRealtime} client @param {string} projectId */
  constructor(client, projectId) {
    this.#client = client;
    this.#projectId = projectId;
  }

  get client() {
    return this.#client;
  }

  get projectId() {
    return this.#projectId;
  }

  /** Listen, then load; follow once loaded. */
  start() {
    const client = this.#client;
    const mine = (/** @type {{ projectId: string }} */ { projectId }) => projectId === this.#projectId;
    this.#unsubscribe = [
      client.on("event", (event) => mine(event) && this.#receive(asRealtimeEvent(event))),
      client.on("resync", (resync) => mine(resync) && this.#reloadAfterResync()),
      client.on("left", (left) => mine(left) && this.#stop(leftError(left.reason))),
    ];
    this.#load();
  }

  /** Load again (after an error, or to be sure); the board stays shown meanwhile. */
  reload() {
    if (this.#phase !== "idle" && this.#phase !== "closed") this.#load();
  }

  close() {
    if (this.#phase === "closed") return;
    this.#moveTo("closed");
    this.#loading?.abort();
    this.#loading = null;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    this.#release?.();
    this.#release = null;
    this.#listeners.clear();
  }

  // -- the external store -----------------------------------------------------------------

  /** @param {() => void} listener @returns {() => void} */
  subscribe = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** @returns {Board} */
  getSnapshot = () => this.#board;

  // -- loading and following ----------------------------------------------------------------

  async #load() {
    this.#loading?.abort();
    const loading = new AbortController();
    this.#loading = loading;
    this.#kept = [];
    this.#moveTo("loading");
    this.#show();
    let loaded;
    try {
      loaded = await loadProject(this.#client, this.#projectId, loading.signal);
    } catch (error) {
      if (loading === this.#loading) this.#stop(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (loading !== this.#loading) return; // superseded by a later load, or closed
    this.#loading = null;
    let state = loadedState(loaded);
    const kept = this.#kept;
    this.#kept = [];
    for (const event of kept) state = applyEvent(state, event);
    this.#state = state;
    this.#error = null;
    if (kept.some((event) => event.type === "project_deleted")) return this.#stop(leftError("project_deleted"));
    this.#moveTo("following");
    this.#show();
    const follows = followsOf(this.#client);
    if (this.#release) follows.resume(this.#projectId, state.seq);
    else this.#release = follows.follow(this.#projectId, state.seq);
  }

  /**
   * After a resync, the client goes on from the log's head, and what came before it is
   * unknown: load again. The events after the head reach the new load as they reach
   * the first one. (The client's cursor is not moved to the new load's `seq`: the
   * events up to it are still handed over, and ignored here, to the other listeners,
   * which need them; see follows.js.)
   */
  #reloadAfterResync() {
    if (this.#phase === "loading" || this.#phase === "following") this.#load();
  }

  /** @param {RealtimeEvent} event */
  #receive(event) {
    if (this.#phase === "loading") {
      this.#kept.push(event);
      return;
    }
    if (this.#phase !== "following" || !this.#state) return;
    const state = applyEvent(this.#state, event);
    if (state === this.#state) return;
    this.#state = state;
    if (event.type === "project_deleted") return this.#stop(leftError("project_deleted"));
    this.#show();
  }

  /** @param {Error} error */
  #stop(error) {
    if (this.#phase === "closed") return;
    this.#loading?.abort();
    this.#loading = null;
    this.#kept = [];
    this.#error = error;
    this.#moveTo("stopped");
    this.#show();
  }

  // -- output ----------------------------------------------------------------------------------

  /** @param {Phase} phase */
  #moveTo(phase) {
    if (!NEXT[this.#phase].includes(phase)) {
      throw new Error(`live project ${this.#projectId}: cannot go from ${this.#phase} to ${phase}`);
    }
    this.#phase = phase;
  }

  /** A new board for React, and a word to whoever renders it. */
  #show() {
    const state = this.#state;
    this.#board = {
      project: state?.project ?? null,
      sections: state?.sections ?? [],
      tasks: state?.tasks ?? [],
      loading: this.#phase === "loading",
      error: this.#error,
    };
    for (const listener of [...this.#listeners]) listener();
  }
}
