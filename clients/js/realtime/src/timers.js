// Named one-shot timers on an injected clock, so that tests advance time instead of
// waiting for it.

/**
 * @typedef {object} Clock
 * @property {(fn: () => void, ms: number) => unknown} setTimeout
 * @property {(id: unknown) => void} clearTimeout
 */

/** The page's own clock. */
export const realClock = Object.freeze({
  /** @type {Clock["setTimeout"]} */
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  /** @type {Clock["clearTimeout"]} */
  clearTimeout: (id) => globalThis.clearTimeout(/** @type {number} */ (id)),
});

/** Setting a name that is pending replaces its timer. */
export class Timers {
  /** @type {Clock} */
  #clock;
  /** @type {Map<string, unknown>} */
  #pending = new Map();

  /** @param {Clock} clock */
  constructor(clock) {
    this.#clock = clock;
  }

  /**
   * @param {string} name
   * @param {number} ms
   * @param {() => void} fn
   */
  set(name, ms, fn) {
    this.clear(name);
    const setTimer = this.#clock.setTimeout; // called bare: window.setTimeout wants no receiver
    const id = setTimer(() => {
      this.#pending.delete(name);
      fn();
    }, ms);
    this.#pending.set(name, id);
  }

  /** @param {string} name */
  has(name) {
    return this.#pending.has(name);
  }

  /** @param {string} name */
  clear(name) {
    if (!this.#pending.has(name)) return;
    const clearTimer = this.#clock.clearTimeout;
    clearTimer(this.#pending.get(name));
    this.#pending.delete(name);
  }

  clearAll() {
    for (const name of [...this.#pending.keys()]) this.clear(name);
  }
}
