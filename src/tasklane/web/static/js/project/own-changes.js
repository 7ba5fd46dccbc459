// The project page's own changes. Every write goes through `calls`, and every answer
// names the event the change produced (api.js: its project and seq). The page keeps
// those seqs, so when an event comes back it knows whether it made that change, and
// does not flash it as if someone else had. Another tab of the same person made its
// changes under other seqs: they still flash here. No clock is involved.
//
// Each answer is also remembered with the seq it is current as of (`seqOf`), for the
// store to tell it from an older or newer copy: a change's own seq, or for a read (and
// a change that produced no event) the last event the page had applied when it asked,
// which the answer cannot be older than.

import { api, send, resources } from "../api.js";
import { store } from "./store.js";

const mine = new Map(); // projectId -> Set of the seqs this page's writes produced
const writing = new Set(); // writes not answered yet
const asOf = new WeakMap(); // answer (or an item of a listed answer) -> seq

function remember(answer, seq) {
  if (answer && typeof answer === "object") {
    asOf.set(answer, seq);
    if (Array.isArray(answer)) for (const item of answer) remember(item, seq);
  }
  return answer;
}

function write(method, path, body) {
  const since = store.seq;
  const done = send(method, path, body).then(({ body: answer, receipt }) => {
    if (receipt) {
      if (!mine.has(receipt.projectId)) mine.set(receipt.projectId, new Set());
      mine.get(receipt.projectId).add(receipt.seq);
    }
    return remember(answer, receipt ? receipt.seq : since);
  });
  writing.add(done);
  const settled = () => writing.delete(done);
  done.then(settled, settled);
  return done;
}

function read(path) {
  const since = store.seq;
  return api.get(path).then((answer) => remember(answer, since));
}

const noted = {
  get: read,
  post: (path, body) => write("POST", path, body ?? {}),
  patch: (path, body) => write("PATCH", path, body),
  del: (path) => write("DELETE", path),
};

export const calls = resources(noted);

// The seq an answer of `calls` is current as of (-1 for anything else).
export function seqOf(answer) {
  return asOf.has(answer) ? asOf.get(answer) : -1;
}

// Whether this page made the change whose event `e` is.
export function isOwnEcho(e) {
  return Boolean(mine.get(e.projectId)?.has(e.seq));
}

// The same, once every write in flight when `e` arrived has answered: an event often
// arrives before the answer that names it.
export async function checkOwnEcho(e) {
  if (!isOwnEcho(e) && writing.size > 0) await Promise.allSettled([...writing]);
  return isOwnEcho(e);
}

// After a resync the log may have started again (a reset): old seqs mean nothing now.
export function forgetOwnChanges(projectId) {
  mine.delete(projectId);
}
