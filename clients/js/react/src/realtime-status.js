// <RealtimeStatus>: the connection's state for people, and for assistive technology.
// Unstyled: its data-state and data-transport attributes are for the application's CSS.

import { createElement } from "react";

import { useWebSocket } from "./connection.js";

/** @typedef {import("@tasklane/realtime").Status} Status */
/** @typedef {import("@tasklane/realtime").Transport} Transport */
/**
 * @typedef {object} StatusText
 * @property {string} label  what the state is
 * @property {string | null} countdown  until the next attempt (" in 4s"), shown, not announced
 * @property {boolean} canRetry  whether "Retry now" would do something
 */

/** @type {Record<Transport, string>} */
export const TRANSPORT_NAMES = { ws: "WebSocket", sse: "Server-Sent Events", poll: "Polling" };

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
      return { label: `Live (${TRANSPORT_NAMES[transport]})`, countdown: null, canRetry: false };
    case "connecting":
      return { label: "Connecting…", countdown: null, canRetry: false };
    case "reconnecting":
      return {
        label: "Reconnecting",
        countdown: retryInMs == null ? "…" : ` in ${Math.ceil(retryInMs / 1000)}s`,
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
 * @typedef {object} RealtimeStatusProps
 * @property {string} [className]
 */

/**
 * "Live (WebSocket)", "Reconnecting in 4s", "Offline: <reason>" with a "Retry now"
 * button, or "Connecting…", in a polite live region. A reconnection's countdown is
 * hidden from screen readers: the region would otherwise announce every second.
 * @param {RealtimeStatusProps} props
 * @returns {import("react").ReactElement}
 */
export function RealtimeStatus({ className }) {
  const { status, client } = useWebSocket();
  const { label, countdown, canRetry } = describeStatus(status);
  return createElement(
    "div",
    {
      role: "status",
      "aria-live": "polite",
      className,
      "data-state": status.state,
      "data-transport": status.transport,
    },
    createElement("span", null, label),
    countdown && createElement("span", { "aria-hidden": true }, countdown),
    canRetry && createElement("button", { type: "button", onClick: () => client.retryNow() }, "Retry now"),
  );
}
