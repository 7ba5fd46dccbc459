// <ProjectWebSocketConnector>: follow a project for as long as it is mounted.

import { useEffect } from "react";

import { useRealtimeClient } from "./context.js";
import { followsOf } from "./follows.js";

/**
 * @typedef {object} ProjectWebSocketConnectorProps
 * @property {string} projectId
 * @property {number | null | undefined} [seq]  the `seq` the page's data was loaded at: events after it
 *   are handed over (omitted: from the head when joined)
 * @property {import("react").ReactNode} [children]
 */

/**
 * Joins `projectId` on the provider's client while mounted, from `seq` if given, and
 * leaves it when unmounted, unless another component still follows it (useProject, a
 * second connector): the project is followed while anyone holds it. Renders its
 * children, or nothing.
 * @param {ProjectWebSocketConnectorProps} props
 * @returns {import("react").ReactNode}
 */
export function ProjectWebSocketConnector({ projectId, seq = null, children = null }) {
  const client = useRealtimeClient("<ProjectWebSocketConnector>");
  useEffect(() => followsOf(client).follow(projectId, seq), [client, projectId, seq]);
  return children;
}
