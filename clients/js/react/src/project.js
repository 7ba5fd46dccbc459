// useProject() and useTasks(): a project's board, loaded and kept live (live-project.js).

import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { useRealtimeClient } from "./context.js";
import { useLatest } from "./latest.js";
import { LiveProject, NOT_LOADED } from "./live-project.js";

/** @typedef {import("./live-project.js").Board} Board */
/** @typedef {Board & { reload: () => void }} ProjectBoard */
/** @typedef {Pick<ProjectBoard, "tasks" | "loading" | "error" | "reload">} TaskList */

/** @type {Board} */
const LOADING = Object.freeze({ ...NOT_LOADED, loading: true });
const noStore = {
  subscribe: () => () => {},
  getSnapshot: () => NOT_LOADED,
};

/**
 * A project's board: the project, its sections and its top-level tasks (in section
 * order, then rank), loaded through the provider's client and changed by the project's
 * events while mounted. The project is followed from the `seq` it was loaded at. A
 * resync loads it again; `reload()` does too. No project id: nothing is loaded.
 * @param {string | null | undefined} projectId
 * @returns {ProjectBoard}
 */
export function useProject(projectId) {
  const client = useRealtimeClient("useProject");
  const [live, setLive] = useState(/** @type {LiveProject | null} */ (null));
  useEffect(() => {
    if (projectId == null) return undefined;
    const next = new LiveProject(client, projectId);
    next.start();
    setLive(next);
    return () => next.close();
  }, [client, projectId]);

  // Until the effect has made the LiveProject of this client and project (the first
  // render, or one with a new project id), the board is loading, not the last project's.
  const current = live && live.client === client && live.projectId === projectId ? live : null;
  const store = current ?? noStore;
  const board = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const shown = current ? board : projectId == null ? NOT_LOADED : LOADING;

  const latest = useLatest(current);
  const reload = useCallback(() => latest.current?.reload(), []);
  return useMemo(() => ({ ...shown, reload }), [shown, reload]);
}

/**
 * The tasks of useProject(projectId): its top-level tasks, kept live.
 * @param {string | null | undefined} projectId
 * @returns {TaskList}
 */
export function useTasks(projectId) {
  const { tasks, loading, error, reload } = useProject(projectId);
  return useMemo(() => ({ tasks, loading, error, reload }), [tasks, loading, error, reload]);
}
