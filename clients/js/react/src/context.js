// The one client an application shares: the context <WebSocketProvider> fills, and the
// lookup every hook starts with.

import { createContext, useContext } from "react";

/** @typedef {import("@tasklane/realtime").TasklaneRealtime} TasklaneRealtime */

export const RealtimeContext = createContext(/** @type {TasklaneRealtime | null} */ (null));
RealtimeContext.displayName = "TasklaneRealtime";

/**
 * The provider's client; outside a provider, an error that names the hook, as a missing
 * provider is a wiring mistake and nothing could be followed without one.
 * @param {string} caller  the hook or component asking, for the error
 * @returns {TasklaneRealtime}
 */
export function useRealtimeClient(caller = "useRealtimeClient") {
  const client = useContext(RealtimeContext);
  if (!client) throw new Error(`${caller} must be used inside <WebSocketProvider> (from @tasklane/react)`);
  return client;
}
