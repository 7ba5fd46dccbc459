// The open project lives in the URL's hash (#/projects/<id>), so a board can be
// reloaded and linked, and any static server can serve the app.

import { useSyncExternalStore } from "react";

const PROJECT = /^#\/projects\/([^/?#]+)$/;

function subscribe(notify: () => void): () => void {
  window.addEventListener("hashchange", notify);
  return () => window.removeEventListener("hashchange", notify);
}

function projectInHash(): string | null {
  const match = PROJECT.exec(window.location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/** The id of the project the URL names, or null. */
export function useOpenProjectId(): string | null {
  return useSyncExternalStore(subscribe, projectInHash, () => null);
}

export function projectHref(projectId: string): string {
  return `#/projects/${encodeURIComponent(projectId)}`;
}
