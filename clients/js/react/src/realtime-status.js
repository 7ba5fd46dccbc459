// <RealtimeStatus>: the connection's state for people, and for assistive technology, in
// the words of Tasklane's own pages. Unstyled: its data-state and data-transport
// attributes are for the application's CSS.

import { createElement } from "react";

import { useWebSocket } from "./connection.js";

/** @typedef {import("@tasklane/realtime").Status} Status */
/** @typedef {import("@tasklane/realtime").Transport} Transport */
/**
 * @typedef {object} StatusText
 * @property {string} label  what the state is
 * @property {string | null} countdown  until the next attempt (" in 4 s…"), shown, not announced
 * @property {boolean} canRetry  whether "Retry now" would do something
 */

/** @type {Record<Transport, string>} the words for being live on each transport */
export const LIVE_LABELS = { ws: "Live", sse: "Live (fallback: SSE)", poll: "Live (polling)" };

// The core reports the time before its first connection, and after close(), as
// "offline" with these reasons; retrying does nothing then, and nothing has failed.
/** @type {Record<string, string>} */
const NOT_RUNNING = { "not started": "Not connected", closed: "Closed" };

/**
 * The words for a status.
 * @param {Status} status
 * @returns {StatusText}
 */
export function describeStatus({ state, transport, retryInMs, reason }) {
  switch (state) {
    case "live":
      return { label: LIVE_LABELS[transport], countdown: null, canRetry: false };
    case "connecting":
      return { label: "Connecting…", countdown: null, canRetry: false };
    case "reconnecting":
      return {
        label: "Reconnecting",
        countdown: retryInMs == null ? "…" : ` in ${Math.ceil(retryInMs / 1000)} s…`,
        canRetry: true,
      };
    case "offline": {
      const notRunning = reason == null ? undefined : NOT_RUNNING[reason];
      if (notRunning) return { label: notRunning, countdown: null, canRetry: false };
      return { label: reason ? `Offline: ${reason}` : "Offline", countdown: null, canRetry: true };
    }
  }
}

/**
 * Any attribute of a <div> (className, id, style, data-*…) is passed on to the region.
 * @typedef {Omit<import("react").HTMLAttributes<HTMLDivElement>, "role" | "children">
 *   & { [data: `data-${string}`]: string | undefined }} RealtimeStatusProps
 */

/**
 * "Live", "Live (fallback: SSE)", "Live (polling)", "Reconnecting in 4 s…" and
 * "Offline: <reason>" with a "Retry now" button, or "Connecting…", in a polite live
 * region. A reconnection's countdown is hidden from screen readers: the region would
 * otherwise announce every second.
 * @param {RealtimeStatusProps} props
 * @returns {import("react").ReactElement}
 */
export function RealtimeStatus(props) {
  const { status, client } = useWebSocket();
  const { label, countdown, canRetry } = describeStatus(status);
  return createElement(
    "div",
    {
      ...props,
      role: "status",
      "aria-live": "polite",
      "data-state": status.state,
      "data-transport": status.transport,
    },
    createElement("span", null, label),
    countdown && createElement("span", { "aria-hidden": true }, countdown),
    canRetry && createElement("button", { type: "button", onClick: () => client.retryNow() }, "Retry now"),
  );
}
