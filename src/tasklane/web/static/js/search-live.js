// Search results, live: the page follows the logs of every project of the reader's (and
// the reader's own, through person-live.js, for projects they join or leave), and when a
// task changes in one of them the search is run again by the server (this page, fetched)
// and the results put in place — a renamed task leaves or enters, a completed one shows
// it, a task made in a project with no result yet appears. Not while the reader is
// renaming a row: then once they are done.

import { $, readPageData } from "./ui.js";
import { pageRealtime } from "./page-realtime.js";
import { onPersonEvent } from "./person-live.js";

const REGIONS = ['[data-testid="search-results"]', '[data-testid="search-summary"]', '[data-testid="search-empty"]'];

/**
 * @param {{ projects: any[], busy: () => boolean, onDrawn: (tasks: any[]) => void }} options
 *   `projects`: the reader's, each with the head it was read at; `busy`: whether a redraw
 *   must wait (an inline rename is open); `onDrawn(tasks)`: the tasks now shown, for the
 *   page's own map.
 */
export async function followSearch({ projects, busy, onDrawn }) {
  const rt = await pageRealtime();
  if (!rt) return;
  const followed = new Set();
  const follow = (theirs) => {
    for (const project of theirs) {
      if (followed.has(project.id)) continue;
      followed.add(project.id);
      rt.join(project.id, project.seq);
    }
  };
  let timer = null;
  const again = () => {
    clearTimeout(timer);
    timer = setTimeout(() => (busy() ? again() : draw(onDrawn, follow)), 100);
  };
  rt.on("event", (e) => {
    if (followed.has(e.projectId) && e.type.startsWith("task_")) again();
  });
  rt.on("resync", ({ projectId, seq }) => {
    if (!followed.has(projectId)) return;
    again();
    rt.setCursor(projectId, seq);
  });
  onPersonEvent({ event: (e) => e.type.startsWith("member_") || e.type.startsWith("project_") ? again() : null, reload: again });
  follow(projects);
}

async function draw(onDrawn, follow) {
  const response = await fetch(location.pathname + location.search, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const drawn = new DOMParser().parseFromString(await response.text(), "text/html");
  const mine = $("main .page");
  const theirs = drawn.querySelector("main .page");
  if (!mine || !theirs) return;
  const same = REGIONS.every((s) => ($(s, mine)?.outerHTML ?? "") === (theirs.querySelector(s)?.outerHTML ?? ""));
  if (same) return;
  const data = JSON.parse(drawn.getElementById("page-data")?.textContent || "{}");
  // The rows keep their focus where they can: only what differs is replaced.
  mine.replaceWith(document.importNode(theirs, true));
  onDrawn(data.tasks || []);
  follow(data.projects || []);
}
