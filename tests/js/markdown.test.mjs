// Notes and comments are rendered by the server (POST /api/markdown): each text is asked
// for once, a late answer never replaces a newer text, and without the server the text
// shows as typed until it can be rendered.

import { test, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";

import { markdownHtml, showMarkdown, adoptMarkdown } from "../../src/tasklane/web/static/js/markdown.js";

const realFetch = globalThis.fetch;
let asked; // the texts the fake API was asked to render
let hold; // text -> a promise the answer for it waits for
let down; // whether the fake API is unreachable

beforeEach(() => {
  asked = [];
  hold = new Map();
  down = false;
  globalThis.fetch = async (_url, init) => {
    const { text } = JSON.parse(init.body);
    asked.push(text);
    if (down) throw new TypeError("Failed to fetch");
    if (hold.has(text)) await hold.get(text);
    const body = JSON.stringify({ html: `<p>${text.toUpperCase()}</p>` });
    return new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });
  };
});

afterEach(() => {
  globalThis.fetch = realFetch;
});

// What showMarkdown uses of an element.
function fakeNode() {
  const classes = new Set();
  return {
    innerHTML: "",
    textContent: "",
    children: [],
    replaceChildren(...nodes) {
      this.children = nodes;
      this.innerHTML = "";
    },
    classList: {
      add: (c) => classes.add(c),
      remove: (c) => classes.delete(c),
      contains: (c) => classes.has(c),
    },
  };
}

test("each text is asked for once, however often and however soon it is shown", async () => {
  const [a, b] = await Promise.all([markdownHtml("once *a*"), markdownHtml("once *a*")]);
  assert.equal(a, "<p>ONCE *A*</p>");
  assert.equal(b, a);
  assert.equal(await markdownHtml("once *a*"), a);
  assert.deepEqual(asked, ["once *a*"]);
});

test("empty text is shown empty without asking", async () => {
  const node = fakeNode();
  await showMarkdown(node, "  ", { empty: () => "placeholder" });
  assert.deepEqual(node.children, ["placeholder"]);
  assert.deepEqual(asked, []);
});

test("a late answer never replaces a newer text", async () => {
  const node = fakeNode();
  let release;
  hold.set("older", new Promise((resolve) => (release = resolve)));
  const first = showMarkdown(node, "older");
  await showMarkdown(node, "newer");
  assert.equal(node.innerHTML, "<p>NEWER</p>");
  release();
  await first;
  assert.equal(node.innerHTML, "<p>NEWER</p>");
});

test("what the server rendered into the page is not asked for again", async () => {
  const node = fakeNode();
  node.innerHTML = "<p>from the server</p>";
  adoptMarkdown(node, "kept");
  await showMarkdown(node, "kept");
  assert.equal(node.innerHTML, "<p>from the server</p>");
  assert.deepEqual(asked, []);
});

test("without the server the text shows as typed, and is rendered when it is back", async () => {
  const node = fakeNode();
  down = true;
  await showMarkdown(node, "**offline** note");
  assert.equal(node.textContent, "**offline** note");
  assert.ok(node.classList.contains("as-typed"));
  down = false;
  await showMarkdown(node, "**offline** note");
  assert.equal(node.innerHTML, "<p>**OFFLINE** NOTE</p>");
  assert.ok(!node.classList.contains("as-typed"));
});
