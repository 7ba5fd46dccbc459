// <WebSocketProvider>: the one client of an application, given or made here. A client
// made here lives as long as the provider and is closed after it; React StrictMode's
// mount → unmount → mount in development must neither open a second connection nor
// close the one in use.

import { createElement, useEffect, useMemo, useRef } from "react";
import { TasklaneRealtime } from "@tasklane/realtime";

import { RealtimeContext } from "./context.js";
import { useLatest } from "./latest.js";

/** @typedef {import("react").ReactNode} ReactNode */
/** @typedef {NonNullable<ConstructorParameters<typeof TasklaneRealtime>[0]>} ClientOptions */
/** @typedef {{ setTimeout: NonNullable<ClientOptions["setTimeout"]>, clearTimeout: NonNullable<ClientOptions["clearTimeout"]> }} Clock */
/**
 * Either a client the application made (and closes itself), or the options
 * of `new TasklaneRealtime(…)` for the provider to make one.
 * @typedef {{ client: TasklaneRealtime, children?: ReactNode }
 *   | (ClientOptions & { client?: undefined, children?: ReactNode })} WebSocketProviderProps
 */

/** @type {Clock} */
const globalClock = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) => globalThis.clearTimeout(/** @type {ReturnType<typeof setTimeout>} */ (id)),
};

/**
 * Shares one TasklaneRealtime with the hooks below it. Nothing connects until a project
 * is followed (<ProjectWebSocketConnector>, useProject).
 * @param {WebSocketProviderProps} props
 * @returns {import("react").ReactElement}
 */
export function WebSocketProvider(props) {
  const { client: given, children, ...options } = props;
  if (given && Object.values(options).some((value) => value !== undefined)) {
    throw new TypeError("<WebSocketProvider>: give a `client` or the options to make one, not both");
  }
  const owned = useOwnedClient(given ? null : options);
  const client = given ?? owned;
  return createElement(RealtimeContext.Provider, { value: client }, children);
}

/**
 * A client made from `options` (none for null), the same one for as long as the options
 * have the same values, closed once no provider uses it.
 * @param {ClientOptions | null} options
 * @returns {TasklaneRealtime | null}
 */
function useOwnedClient(options) {
  // getTicket is often written inline, a new function every render: the client calls
  // the latest one, and only whether there is one decides the kind of client.
  const getTicket = useLatest(options?.getTicket ?? null);
  const made = useMemo(
    () => (options ? make(options, () => /** @type {() => string | Promise<string>} */ (getTicket.current)()) : null),
    // By value, not by identity: a provider rendered with `gateway={{ ws, http }}`
    // must not make a client per render. Functions and classes are taken as given.
    [
      options != null,
      options?.api,
      options?.token,
      options?.getTicket != null,
      options?.gateway?.ws,
      options?.gateway?.http,
      options?.transports?.join(","),
      options?.WebSocketImpl,
      options?.EventSourceImpl,
      options?.fetchImpl,
      options?.random,
      options?.setTimeout,
      options?.clearTimeout,
      options?.window,
    ],
  );

  // StrictMode runs this effect, its cleanup and the effect again with the same client:
  // the cleanup only schedules the close, a task later, and the effect cancels a
  // pending close of its client. Closing at once would leave the remounted provider
  // with a dead client; a new client per mount would open a second connection.
  const closing = useRef(/** @type {Map<TasklaneRealtime, unknown>} */ (new Map()));
  useEffect(() => {
    if (!made) return undefined;
    const { client, clock } = made;
    const pending = closing.current;
    if (pending.has(client)) {
      clock.clearTimeout(pending.get(client));
      pending.delete(client);
    }
    return () => {
      const timer = clock.setTimeout(() => {
        pending.delete(client);
        client.close();
      }, 0);
      pending.set(client, timer);
    };
  }, [made]);

  return made ? made.client : null;
}

/**
 * @param {ClientOptions} options
 * @param {() => string | Promise<string>} latestGetTicket
 * @returns {{ client: TasklaneRealtime, clock: Clock }}
 */
function make(options, latestGetTicket) {
  const client = new TasklaneRealtime({ ...options, getTicket: options.getTicket ? latestGetTicket : null });
  // The close waits on the client's own clock, so that a test's fake clock decides it.
  const clock = options.setTimeout && options.clearTimeout
    ? { setTimeout: options.setTimeout, clearTimeout: options.clearTimeout }
    : globalClock;
  return { client, clock };
}
