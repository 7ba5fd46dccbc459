// How the client reaches Tasklane: where the gateway is, and what credential each
// connection carries. Three ways to authenticate (docs/javascript.md, "Signing in"):
//
// - the page's cookie (no `token`, no `getTicket`): for Tasklane's own pages and apps on
//   its origin; the gateway checks the page's Origin.
// - a personal token: every WebSocket and event stream carries a single-use ticket from
//   `POST {api}/api/realtime/ticket`, asked for just before it opens, so the token never
//   rides in a URL; polling and `request()` send it as `Authorization: Bearer`.
// - `getTicket()`: the host application hands out tickets (its server asks Tasklane for
//   them); polling then sends the API origin's cookie.
//
// The gateway's address is given (`gateway: { ws, http }`) or asked of the API once
// (`GET {api}/api/realtime`), which answers the public address the server was configured
// with: `wss://` behind TLS.

import { CLOSE, PROTOCOL_VERSION } from "./constants.js";

/** @typedef {{ ws: string, http: string }} Gateway */
/** @typedef {{ ok: boolean, status: number, json(): Promise<unknown> }} ResponseLike */
/** @typedef {(url: string, init: RequestInit) => Promise<ResponseLike>} FetchLike */
/** @typedef {() => string | Promise<string>} TicketProvider */
/** @typedef {"cookie" | "token" | "ticket"} AuthMode */

/**
 * A request that did not succeed: its HTTP status (0 when no answer came), the API's
 * machine-readable `code` (docs/protocol.md, "Errors") and message.
 */
export class TasklaneError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.name = "TasklaneError";
    this.status = status;
    this.code = code;
  }
}

/**
 * Why a connection could not be opened: `final` when asking again would not help (the
 * token was refused, the server speaks another protocol).
 */
export class AccessError extends Error {
  /** @param {string} message @param {number | null} code @param {boolean} final */
  constructor(message, code, final) {
    super(message);
    this.name = "AccessError";
    this.code = code;
    this.final = final;
  }
}

/**
 * `path` on a base URL, after the base's own path: a server may serve a workspace under
 * a prefix (an episode's `/e/<id>`), and every URL must keep it. (`new URL("/ws", base)`
 * would drop it.) A base that already ends with `path` is the endpoint itself.
 * @param {string} base @param {string} path
 */
export function endpoint(base, path) {
  const root = String(base).replace(/\/+$/, "");
  return root.endsWith(path) ? root : root + path;
}

/** @param {unknown} body */
function errorOf(body) {
  const error = body && typeof body === "object" ? /** @type {{ error?: unknown }} */ (body).error : null;
  if (!error || typeof error !== "object") return { code: "", message: "" };
  const { code, message } = /** @type {{ code?: unknown, message?: unknown }} */ (error);
  return { code: typeof code === "string" ? code : "", message: typeof message === "string" ? message : "" };
}

/** @param {unknown} body @returns {body is { protocol: number, gateway: Gateway }} */
function isDiscovery(body) {
  if (!body || typeof body !== "object") return false;
  const { protocol, gateway } = /** @type {{ protocol?: unknown, gateway?: { ws?: unknown, http?: unknown } }} */ (body);
  return typeof protocol === "number" && typeof gateway?.ws === "string" && typeof gateway?.http === "string";
}

export class Access {
  #api;
  #token;
  #getTicket;
  #fetchImpl;
  /** @type {Gateway | null} */
  #gateway;
  /** @type {Promise<Gateway> | null} */
  #discovering = null;

  /**
   * @param {object} options
   * @param {string} options.api  the API's base: an origin, with the path it is served
   *   under if any (kept: requests go to `api + "/api/…"`); "" for the page's own
   * @param {string | null} options.token
   * @param {TicketProvider | null} options.getTicket
   * @param {Gateway | null} options.gateway
   * @param {FetchLike} options.fetchImpl
   */
  constructor({ api, token, getTicket, gateway, fetchImpl }) {
    if (token && getTicket) throw new TypeError("give a token or getTicket, not both");
    if (gateway && (!gateway.ws || !gateway.http)) throw new TypeError("gateway needs both ws and http");
    this.#api = String(api).replace(/\/+$/, "");
    this.#token = token;
    this.#getTicket = getTicket;
    this.#fetchImpl = fetchImpl;
    this.#gateway = gateway ? { ws: gateway.ws, http: gateway.http } : null;
  }

  /** @returns {AuthMode} */
  get mode() {
    return this.#token ? "token" : this.#getTicket ? "ticket" : "cookie";
  }

  get api() {
    return this.#api;
  }

  /** Whether an event stream sends the cookie (only when the cookie is the credential). */
  get withCredentials() {
    return this.mode === "cookie";
  }

  /**
   * The URL a connection opens: `/ws` or `/sse` on the gateway, with `query` and, unless
   * the cookie is the credential, a fresh ticket. A string when nothing had to be asked
   * (the pages' case); else a promise, rejected with an AccessError.
   * @param {"ws" | "sse"} kind
   * @param {URLSearchParams} query
   * @returns {string | Promise<string>}
   */
  url(kind, query) {
    const build = (/** @type {Gateway} */ gateway, /** @type {string | null} */ ticket) => {
      const params = new URLSearchParams(query);
      if (ticket) params.set("ticket", ticket);
      const base = kind === "ws" ? endpoint(gateway.ws, "/ws") : endpoint(gateway.http, "/sse");
      const search = params.toString();
      return search ? `${base}?${search}` : base;
    };
    if (this.#gateway && this.mode === "cookie") return build(this.#gateway, null);
    return (async () => {
      const gateway = await this.gateway();
      const ticket = this.mode === "cookie" ? null : await this.#ticket();
      return build(gateway, ticket);
    })();
  }

  /** The gateway's address: given, or asked of the API once. @returns {Promise<Gateway>} */
  gateway() {
    if (this.#gateway) return Promise.resolve(this.#gateway);
    this.#discovering ??= this.#discover().finally(() => {
      this.#discovering = null;
    });
    return this.#discovering;
  }

  async #discover() {
    const { status, body } = await this.#send("/api/realtime", { method: "GET" }, false);
    if (status === 0) throw new AccessError("the API did not answer where the gateway is", null, false);
    if (!isDiscovery(body)) throw new AccessError(`the API did not say where the gateway is (${status})`, status, status < 500);
    if (body.protocol !== PROTOCOL_VERSION) {
      throw new AccessError(
        `the server speaks realtime protocol ${body.protocol}; this client speaks ${PROTOCOL_VERSION}`, null, true,
      );
    }
    this.#gateway = { ws: body.gateway.ws, http: body.gateway.http };
    return this.#gateway;
  }

  /** @returns {Promise<string>} */
  async #ticket() {
    if (this.#getTicket) {
      let ticket;
      try {
        ticket = await this.#getTicket();
      } catch (error) {
        throw new AccessError(`getTicket failed: ${error}`, null, false);
      }
      if (typeof ticket !== "string" || !ticket) throw new AccessError("getTicket gave no ticket", null, false);
      return ticket;
    }
    const { status, body } = await this.#send("/api/realtime/ticket", { method: "POST" }, true);
    const ticket = body && typeof body === "object" ? /** @type {{ ticket?: unknown }} */ (body).ticket : null;
    if (status === 201 && typeof ticket === "string") return ticket;
    if (status === 401 || status === 403) {
      throw new AccessError(errorOf(body).message || "the token was refused", CLOSE.UNAUTHORIZED, true);
    }
    throw new AccessError(status ? `no realtime ticket (${status})` : "no realtime ticket: no answer", status || null, false);
  }

  /** What a request to the API carries: the token, or the cookie. @returns {RequestInit} */
  requestInit() {
    /** @type {Record<string, string>} */
    const headers = { Accept: "application/json" };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    return { credentials: this.#token ? "omit" : "include", headers };
  }

  /**
   * A JSON request to the API, authenticated: the parsed answer (null for 204), or a
   * TasklaneError.
   * @param {string} path  e.g. "/api/projects/proj_1/tasks"
   * @param {{ method?: string, body?: unknown, signal?: AbortSignal }} [options]
   * @returns {Promise<any>}
   */
  async request(path, { method = "GET", body, signal } = {}) {
    /** @type {RequestInit} */
    const init = { method };
    if (signal) init.signal = signal;
    if (body !== undefined) init.body = JSON.stringify(body);
    const answer = await this.#send(path, init, true);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const { code, message } = errorOf(answer.body);
    const said = message || (answer.status ? `${method} ${path} failed (${answer.status})` : `${method} ${path}: no answer`);
    throw new TasklaneError(answer.status, code || (answer.status ? "http_error" : "network_error"), said);
  }

  /**
   * @param {string} path @param {RequestInit} init @param {boolean} authenticated
   * @returns {Promise<{ status: number, body: unknown }>}
   */
  async #send(path, init, authenticated) {
    const base = authenticated ? this.requestInit() : { credentials: /** @type {RequestCredentials} */ ("omit") };
    /** @type {Record<string, string>} */
    const headers = { Accept: "application/json", ...(/** @type {Record<string, string>} */ (base.headers ?? {})) };
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    const fetchImpl = this.#fetchImpl; // called bare: window.fetch wants no receiver
    let response;
    try {
      response = await fetchImpl(this.#api + path, { ...init, credentials: base.credentials ?? "omit", headers });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      return { status: 0, body: null };
    }
    if (response.status === 204) return { status: 204, body: null };
    let body = null;
    try {
      body = await response.json();
    } catch {
      // not JSON: the status says enough
    }
    return { status: response.status, body };
  }
}
