// Which tasks the reader has selected for a bulk change (bulk-bar.js draws it), without
// the DOM: a set of task ids and the anchor of a Shift+click range, the task last set.

export class TaskSelection {
  constructor() {
    /** @type {Set<string>} */
    this.ids = new Set();
    /** @type {string | null} */
    this.anchor = null;
  }

  get size() {
    return this.ids.size;
  }

  /** @param {string} id */
  has(id) {
    return this.ids.has(id);
  }

  /**
   * Task `id`'s checkbox was set to `on`. With `range` (Shift held), every task of
   * `list` (the ids of the list it is in, in order) from the anchor to it is set to
   * `on` too, when the anchor is in the same list; otherwise `id` alone.
   * @param {string} id @param {boolean} on
   * @param {{ range?: boolean, list?: string[] }} [options]
   */
  set(id, on, { range = false, list = [] } = {}) {
    const from = this.anchor === null ? -1 : list.indexOf(this.anchor);
    const to = list.indexOf(id);
    const ids = range && from >= 0 && to >= 0
      ? list.slice(Math.min(from, to), Math.max(from, to) + 1)
      : [id];
    for (const each of ids) {
      if (on) this.ids.add(each);
      else this.ids.delete(each);
    }
    this.anchor = id;
  }

  /**
   * Keeps only the tasks of `shown` (deleted by anyone, or no longer in the view, a
   * task leaves the selection); whether any left.
   * @param {Iterable<string>} shown
   */
  retain(shown) {
    const keep = new Set(shown);
    const before = this.ids.size;
    for (const id of [...this.ids]) if (!keep.has(id)) this.ids.delete(id);
    if (this.anchor !== null && !keep.has(this.anchor)) this.anchor = null;
    return this.ids.size !== before;
  }

  clear() {
    this.ids.clear();
    this.anchor = null;
  }

  /** The selected ids in the order of `order`. @param {string[]} order */
  inOrder(order) {
    return order.filter((id) => this.ids.has(id));
  }
}
