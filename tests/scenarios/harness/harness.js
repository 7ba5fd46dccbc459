// The page the scenario runner drives (tests/scenarios/browser_driver.py): it runs
// @tasklane/realtime clients by name and records what each hands to the page. Waits are
// promises settled by the client's own callbacks, each bounded by its own timer.

import { TasklaneRealtime } from "/realtime/index.js";

/** @typedef {import("/realtime/index.js").Transport} Transport */
/** @typedef {{ kind: "event" | "resync" | "left", projectId: string, type?: string, seq?: number, userId?: string | null, reason?: string }} Received */
/** @typedef {{ rt: TasklaneRealtime, received: Received[], wakers: Set<() => void> }} Client */

/** @type {Map<string, Client>} */
const clients = new Map();

/** @param {string} name @returns {Client} */
function client(name) {
  const found = clients.get(name);
  if (!found) throw new Error(`no open client named ${name}`);
  return found;
}

/** @param {Client} entry */
function changed(entry) {
  for (const wake of [...entry.wakers]) wake();
}

/** Resolves true once `check()` holds, false after `withinMs`.
 * @param {Client} entry @param {() => boolean} check @param {number} withinMs */
function until(entry, check, withinMs) {
  return new Promise((resolve) => {
    if (check()) return resolve(true);
    const wake = () => {
      if (!check()) return;
      clearTimeout(timer);
      entry.wakers.delete(wake);
      resolve(true);
    };
    const timer = setTimeout(() => {
      entry.wakers.delete(wake);
      resolve(check());
    }, withinMs);
    entry.wakers.add(wake);
  });
}

const scenario = {
  /** @param {string} name @param {{ api: string, token: string, transports: Transport[] }} options */
  start(name, { api, token, transports }) {
    if (clients.has(name)) throw new Error(`a client named ${name} is already open`);
    const rt = new TasklaneRealtime({ api, token, transports });
    /** @type {Client} */
    const entry = { rt, received: [], wakers: new Set() };
    const record = (/** @type {Received} */ item) => {
      entry.received.push(item);
      changed(entry);
    };
    rt.on("event", ({ projectId, type, seq, userId }) => record({ kind: "event", projectId, type, seq, userId }));
    rt.on("resync", ({ projectId, seq, reason }) => record({ kind: "resync", projectId, seq, reason }));
    rt.on("left", ({ projectId, reason }) => record({ kind: "left", projectId, reason }));
    rt.on("status", () => changed(entry));
    clients.set(name, entry);
  },
  /** @param {string} name @param {string} projectId @param {number | null} seq */
  join(name, projectId, seq) {
    client(name).rt.join(projectId, seq ?? undefined);
  },
  /** @param {string} name @param {string} projectId */
  cursor(name, projectId) {
    return client(name).rt.cursor(projectId);
  },
  /** @param {string} name */
  received(name) {
    return client(name).received;
  },
  /** @param {string} name */
  standing(name) {
    const { state, transport, code, reason } = client(name).rt.status;
    return { state, transport, code, reason };
  },
  /** @param {string} name @param {string} projectId @param {number} count @param {number} withinMs */
  untilReceived(name, projectId, count, withinMs) {
    const entry = client(name);
    return until(entry, () => entry.received.filter((r) => r.projectId === projectId).length >= count, withinMs);
  },
  /** @param {string} name @param {string} state @param {number} withinMs */
  untilState(name, state, withinMs) {
    const entry = client(name);
    return until(entry, () => entry.rt.status.state === state, withinMs);
  },
  /** @param {string} name */
  close(name) {
    client(name).rt.close();
    clients.delete(name);
  },
  closeAll() {
    for (const name of [...clients.keys()]) scenario.close(name);
  },
};
Object.assign(window, { scenario, scenarioReady: true });
