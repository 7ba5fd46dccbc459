// The page's addresses. One server hosts many workspaces ("episodes"), each under its
// own prefix, `/e/<id>`; the server renders it once, as `<html data-root>` ("" at the
// root), and every address a script makes (an API call, a link, a form's action, a
// page to go to) starts with it, so a page never reaches outside its episode.
// Mirrors web/urls.py.

export const ROOT = globalThis.document?.documentElement?.dataset.root ?? "";

// `path` (from "/", as the routes see it) inside the page's episode.
export function at(path) {
  return ROOT + path;
}

// A path of this site as the routes see it, without the episode's prefix; null for a
// path outside the episode.
export function pathWithin(pathname) {
  if (!ROOT) return pathname;
  if (pathname !== ROOT && !pathname.startsWith(ROOT + "/")) return null;
  return pathname.slice(ROOT.length) || "/";
}
