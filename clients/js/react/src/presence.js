// usePresence(): who is viewing a project now, as the client last heard.

import { useMemo, useSyncExternalStore } from "react";

import { useRealtimeClient } from "./context.js";
import { followsOf } from "./follows.js";

/** @typedef {import("@tasklane/realtime").TasklaneRealtime} TasklaneRealtime */
/** @typedef {import("@tasklane/realtime").Person} Person */

/** @type {Person[]} */
const NOBODY = [];

/** @param {Person[]} a @param {Person[]} b */
function samePeople(a, b) {
  return a.length === b.length && a.every((person, i) => person.userId === b[i]?.userId && person.name === b[i]?.name);
}

/**
 * The client's presence list of a project as an external store: told by "presence" (the
 * list from `joined`, and each arrival or departure), emptied when the project is left.
 * @param {TasklaneRealtime} client @param {string} projectId
 */
function presenceStore(client, projectId) {
  let current = client.presence(projectId);
  return {
    /** @param {() => void} notify */
    subscribe(notify) {
      const mine = (/** @type {{ projectId: string }} */ payload) => payload.projectId === projectId && notify();
      const unsubscribe = [
        client.on("presence", mine),
        client.on("left", mine),
        followsOf(client).subscribe((id) => id === projectId && notify()),
      ];
      return () => {
        for (const off of unsubscribe) off();
      };
    },
    getSnapshot() {
      const now = client.presence(projectId);
      if (!samePeople(now, current)) current = now;
      return current;
    },
  };
}

const nobodyStore = { subscribe: () => () => {}, getSnapshot: () => NOBODY };

/**
 * Who is viewing `projectId` now: `[{ userId, name }]`, the signed-in user included,
 * updated as people arrive and leave. It does not follow the project itself (someone
 * listed as present is someone viewing it, and a list of projects should not make its
 * reader present in each): mount a ProjectWebSocketConnector or useProject for it.
 * Empty while the project is not followed.
 * @param {string | null | undefined} projectId
 * @returns {Person[]}
 */
export function usePresence(projectId) {
  const client = useRealtimeClient("usePresence");
  const store = useMemo(() => (projectId == null ? nobodyStore : presenceStore(client, projectId)), [client, projectId]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
