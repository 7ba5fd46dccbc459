// The page's one realtime connection, made on first use and exposed for tests as
// `window.tasklaneRealtime`: a project page follows its project on it, and every page its
// reader's own log (person-live.js). Null if the client could not load.

import { readPageData } from "./ui.js";
import { ROOT } from "./urls.js";

let made = null;

/** @returns {Promise<any>} */
export function pageRealtime() {
  if (!made) {
    made = import("./realtime/index.js") // beside this module, in the episode
      .then(({ TasklaneRealtime }) => {
        // The API of the page's episode (its polling and presence), and its gateway: the
        // page's data names the episode's, with the prefix.
        const rt = new TasklaneRealtime({ gateway: readPageData().gateway, api: ROOT });
        window.tasklaneRealtime = rt;
        return rt;
      })
      .catch((err) => {
        console.warn("Tasklane: realtime client unavailable", err);
        return null;
      });
  }
  return made;
}
