// The project page's own changes. Every write goes through `calls`, so when its event
// comes back the page knows the change was its own and does not flash it as if someone
// else had made it. Other tabs of the same person still flash (no request in flight).

import { api, resources } from "../api.js";
import { me } from "./context.js";

const ECHO_WINDOW_MS = 1500;
const mine = { inflight: 0, settledAt: 0 };

async function mutate(call) {
  mine.inflight += 1;
  try {
    return await call();
  } finally {
    mine.inflight -= 1;
    mine.settledAt = Date.now();
  }
}

const noted = {
  get: api.get,
  post: (path, body) => mutate(() => api.post(path, body)),
  patch: (path, body) => mutate(() => api.patch(path, body)),
  del: (path) => mutate(() => api.del(path)),
};

export const calls = resources(noted);

// Whether event `e` is most likely this page hearing about its own change.
export function isOwnEcho(e) {
  return e.userId === me.id && (mine.inflight > 0 || Date.now() - mine.settledAt < ECHO_WINDOW_MS);
}
