// Notes and comments are Markdown, and the server alone renders them (tasklane/markdown.py):
// into the page on first load, and through POST /api/markdown when one changes live
// (events carry the text as typed). One renderer, so a note reads the same however it
// arrived, and what it lets through is decided in one place. The HTML it answers is
// safe to insert as it is: raw HTML comes back as text, links only to http, https and
// mailto addresses.

import { api } from "./api.js";

const KEEP = 200; // texts whose HTML is kept, the most recently used
const known = new Map(); // text -> html, oldest first
const asked = new Map(); // text -> Promise<html>, not answered yet

function keep(text, html) {
  known.delete(text);
  known.set(text, html);
  if (known.size > KEEP) known.delete(known.keys().next().value);
}

// `text` as HTML, asked of the server once per text.
export function markdownHtml(text) {
  if (!text.trim()) return Promise.resolve("");
  if (known.has(text)) {
    const html = known.get(text);
    keep(text, html);
    return Promise.resolve(html);
  }
  if (!asked.has(text)) {
    const answer = api.post("/api/markdown", { text }).then(({ html }) => {
      keep(text, html);
      return html;
    });
    const settled = () => asked.delete(text);
    answer.then(settled, settled);
    asked.set(text, answer);
  }
  return asked.get(text);
}

// Shows `text` rendered in `node`, which remembers the text it shows (`shows`), so the
// same text is not asked for again and a late answer never replaces a newer text.
// `empty()` makes what empty text shows. While the server cannot be reached the text
// shows as typed, and is rendered at the next call.
export async function showMarkdown(node, text, { empty = null } = {}) {
  if (node._markdown && node._markdown.text === text && node._markdown.rendered) return;
  const shown = { text, rendered: false };
  node._markdown = shown;
  if (!text.trim()) {
    node.replaceChildren(...(empty ? [empty()] : []));
    shown.rendered = true;
    return;
  }
  let html;
  try {
    html = await markdownHtml(text);
  } catch {
    html = null;
  }
  if (node._markdown !== shown) return;
  if (html === null) {
    node.textContent = text;
    node.classList.add("as-typed");
    return;
  }
  node.classList.remove("as-typed");
  node.innerHTML = html;
  shown.rendered = true;
}

// Tells `node` that the server already rendered `text` into it (the page's first load).
export function adoptMarkdown(node, text) {
  if (!node._markdown) node._markdown = { text, rendered: true };
}
