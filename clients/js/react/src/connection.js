// useWebSocket(): the connection's status as React state, from the client's "status"
// events.

import { useMemo, useSyncExternalStore } from "react";

import { useRealtimeClient } from "./context.js";

/** @typedef {import("@tasklane/realtime").TasklaneRealtime} TasklaneRealtime */
/** @typedef {import("@tasklane/realtime").Status} Status */
/**
 * @typedef {object} WebSocketState
 * @property {Status} status  state, transport, the reconnect countdown, why it is offline
 * @property {boolean} isConnected  status.state is "live"
 * @property {TasklaneRealtime} client  the provider's client (request(), retryNow(), …)
 */

/** @param {Status} a @param {Status} b */
function sameStatus(a, b) {
  return a.state === b.state && a.transport === b.transport && a.retryInMs === b.retryInMs
    && a.reason === b.reason && a.code === b.code;
}

/**
 * The client's status as an external store. `client.status` is a fresh copy on every
 * read, and React wants the same object back while nothing changed.
 * @param {TasklaneRealtime} client
 */
function statusStore(client) {
  let current = client.status;
  return {
    /** @param {() => void} notify */
    subscribe: (notify) => client.on("status", notify),
    getSnapshot: () => {
      const now = client.status;
      if (!sameStatus(now, current)) current = now;
      return current;
    },
  };
}

/**
 * The provider's client and its connection status; re-renders when the status changes
 * (the countdown of a reconnection: once a second).
 * @returns {WebSocketState}
 */
export function useWebSocket() {
  const client = useRealtimeClient("useWebSocket");
  const store = useMemo(() => statusStore(client), [client]);
  const status = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return useMemo(() => ({ status, isConnected: status.state === "live", client }), [status, client]);
}
