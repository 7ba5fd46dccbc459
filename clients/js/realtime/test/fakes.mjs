// Fakes for the realtime client's seams: a clock that runs only when told, fixed
// randomness, and the three transports with their server side in the test's hands.

import { TasklaneRealtime } from "../src/client.js";

export const GATEWAY = { ws: "ws://gateway.test", http: "http://gateway.test" };

/** setTimeout/clearTimeout on a clock that moves only by `advance`. */
export class FakeClock {
  now = 0;
  #nextId = 1;
  #timers = new Map(); // id -> {at, fn}

  setTimeout = (fn, ms) => {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (id) => {
    this.#timers.delete(id);
  };

  /** Run every timer due within `ms` (and those they set), in order of their time. */
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let due = null;
      for (const [id, timer] of this.#timers) {
        if (timer.at <= end && (!due || timer.at < due.timer.at)) due = { id, timer };
      }
      if (!due) break;
      this.#timers.delete(due.id);
      this.now = due.timer.at;
      due.timer.fn();
    }
    this.now = end;
  }

  /** Milliseconds until each pending timer, soonest first. */
  pending() {
    return [...this.#timers.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }
}

/** Let every promise chain started so far run to its end. */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

export const CONNECTED = { type: "connected", connectionId: "conn_1", userId: "user_me", heartbeatSeconds: 20 };

/** A WebSocket class whose every instance the test drives from the server's side. */
export function fakeWebSockets() {
  const sockets = [];
  class FakeWebSocket {
    readyState = 0;
    sent = [];
    closedWith = null;
    onmessage = null;
    onclose = null;
    onerror = null;

    constructor(url) {
      this.url = url;
      sockets.push(this);
    }

    send(data) {
      if (this.readyState !== 1) throw new Error("send on a socket that is not open");
      this.sent.push(JSON.parse(data));
    }

    close(code) {
      this.closedWith = code ?? 1005;
      this.readyState = 3;
    }

    // -- the server's side

    accept(frame = CONNECTED) {
      this.readyState = 1;
      this.deliver(frame);
    }

    /** One message: a frame, or several as one batch (an array). */
    deliver(...frames) {
      this.onmessage?.({ data: JSON.stringify(frames.length === 1 ? frames[0] : frames) });
    }

    drop(code = 1006, reason = "") {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    }

    joins() {
      return this.sent.filter((frame) => frame.type === "join");
    }
  }
  return {
    WebSocketImpl: FakeWebSocket,
    sockets,
    get last() {
      return sockets.at(-1);
    },
  };
}

/** An EventSource class whose every stream the test drives from the server's side. */
export function fakeEventSources() {
  const sources = [];
  class FakeEventSource {
    closed = false;
    onerror = null;
    #listeners = new Map();

    constructor(url, init) {
      this.url = new URL(url);
      this.init = init;
      sources.push(this);
    }

    addEventListener(type, fn) {
      if (!this.#listeners.has(type)) this.#listeners.set(type, []);
      this.#listeners.get(type).push(fn);
    }

    close() {
      this.closed = true;
    }

    // -- the server's side

    send(frame) {
      for (const fn of this.#listeners.get(frame.type) ?? []) fn({ data: JSON.stringify(frame) });
    }

    fail() {
      this.onerror?.({ type: "error" });
    }

    get projects() {
      return this.url.searchParams.getAll("projectId");
    }

    get lastEventId() {
      return this.url.searchParams.get("lastEventId");
    }
  }
  return {
    EventSourceImpl: FakeEventSource,
    sources,
    get last() {
      return sources.at(-1);
    },
    get open() {
      return sources.filter((s) => !s.closed);
    },
  };
}

/** A fetch whose every request waits for the test to answer it. */
export function fakeFetch() {
  const requests = [];
  const fetchImpl = (url, init) => new Promise((resolve, reject) => {
    const request = {
      url: new URL(url, "http://app.test"),
      init,
      answered: false,
      respond(status, body = null) {
        request.answered = true;
        resolve({ ok: status >= 200 && status < 300, status, json: async () => body });
      },
      fail() {
        request.answered = true;
        reject(new TypeError("fetch failed"));
      },
    };
    init?.signal?.addEventListener("abort", () => {
      request.answered = true;
      reject(new DOMException("aborted", "AbortError"));
    });
    requests.push(request);
  });
  return {
    fetchImpl,
    requests,
    /** The unanswered requests whose path ends with `suffix`. */
    waiting(suffix) {
      return requests.filter((r) => !r.answered && r.url.pathname.endsWith(suffix));
    },
  };
}

/** A page's window: online/offline/pagehide/pageshow. */
export function fakeWindow() {
  const target = new EventTarget();
  target.fire = (type, props = {}) => target.dispatchEvent(Object.assign(new Event(type), props));
  return target;
}

/**
 * A client on fakes, with what it told the page recorded: `statuses`, `events`,
 * `presence`, `resyncs`, `left`.
 */
export function makeClient({ random = () => 0.5, transports, ...options } = {}) {
  const clock = new FakeClock();
  const ws = fakeWebSockets();
  const sse = fakeEventSources();
  const http = fakeFetch();
  const window = fakeWindow();
  const client = new TasklaneRealtime({
    gateway: GATEWAY,
    api: "http://app.test",
    transports,
    WebSocketImpl: ws.WebSocketImpl,
    EventSourceImpl: sse.EventSourceImpl,
    fetchImpl: http.fetchImpl,
    random,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    window,
    ...options,
  });
  const seen = { statuses: [], events: [], presence: [], resyncs: [], left: [] };
  client.on("status", (s) => seen.statuses.push(s));
  client.on("event", (e) => seen.events.push(e));
  client.on("presence", (p) => seen.presence.push(p));
  client.on("resync", (r) => seen.resyncs.push(r));
  client.on("left", (l) => seen.left.push(l));
  return { client, clock, ws, sse, http, window, ...seen };
}

/** A durable event as the gateway sends it. */
export function event(projectId, seq, type = "task_updated", data = {}) {
  return { type, projectId, userId: "user_other", seq, data, timestamp: "2026-01-01T12:00:00.000Z" };
}
