// The retry schedule and the fallback ladder, with plain numbers: the same rules as the
// Python client's tests/client/test_backoff.py.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  Ladder, retryDelay, probeDelay, isFinalClose, retryHint,
} from "../src/ladder.js";

const always = (value) => () => value;
const MIDDLE = always(0.5); // no jitter at all
const LOWEST = always(0); // -20 %
const HIGHEST = always(0.999999); // just under +20 %

test("the schedule doubles from 2 s to 30 s", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 30].map((n) => retryDelay(n, MIDDLE)), [2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test("each delay is jittered by ±20 %", () => {
  assert.deepEqual([0, 1, 2, 3].map((n) => retryDelay(n, LOWEST)), [1600, 3200, 6400, 12800]);
  assert.ok(Math.abs(retryDelay(0, HIGHEST) - 2400) < 0.01);
  assert.ok(Math.abs(retryDelay(3, HIGHEST) - 19200) < 0.01);
  assert.equal(retryDelay(4, LOWEST), 24000);
});

test("the cap applies after the jitter: never more than 30 s", () => {
  for (const random of [LOWEST, MIDDLE, HIGHEST]) {
    for (let failures = 0; failures < 40; failures++) {
      assert.ok(retryDelay(failures, random) <= 30000, `failures=${failures}`);
    }
  }
  assert.equal(retryDelay(4, HIGHEST), 30000);
  assert.equal(retryDelay(9, always(0.9)), 30000);
});

test("the WebSocket probe comes every 30 s ± 20 %", () => {
  assert.equal(probeDelay(MIDDLE), 30000);
  assert.equal(probeDelay(LOWEST), 24000);
  assert.ok(probeDelay(HIGHEST) > 35990 && probeDelay(HIGHEST) < 36000);
});

/** What the ladder does for `n` losses in a row that never worked. */
function losses(ladder, n, outcome = { wasUp: false }) {
  return Array.from({ length: n }, () => ladder.lost(outcome));
}

test("a WebSocket is retried five times, then SSE is tried at once", () => {
  const ladder = new Ladder(undefined, MIDDLE);
  assert.equal(ladder.transport, "ws");
  assert.deepEqual(losses(ladder, 6), [
    { kind: "retry", transport: "ws", delayMs: 2000 },
    { kind: "retry", transport: "ws", delayMs: 4000 },
    { kind: "retry", transport: "ws", delayMs: 8000 },
    { kind: "retry", transport: "ws", delayMs: 16000 },
    { kind: "retry", transport: "ws", delayMs: 30000 },
    { kind: "fallBack", transport: "sse" },
  ]);
  assert.equal(ladder.transport, "sse");
  assert.equal(ladder.probing, true);
});

test("SSE refused before its first frame is blocked: straight on to polling", () => {
  const ladder = new Ladder(["sse", "poll"], MIDDLE);
  assert.deepEqual(ladder.lost({ wasUp: false }), { kind: "fallBack", transport: "poll" });
  assert.equal(ladder.probing, false, "no WebSocket rung to probe for");
});

test("SSE that worked is retried three times, then polling, which is retried for ever", () => {
  const ladder = new Ladder(["sse", "poll"], MIDDLE);
  ladder.established();
  assert.deepEqual(losses(ladder, 4).map((step) => step.kind), ["retry", "retry", "retry", "fallBack"]);
  assert.equal(ladder.transport, "poll");
  const steps = losses(ladder, 50);
  assert.ok(steps.every((step) => step.kind === "retry" && step.transport === "poll"));
  assert.equal(steps.at(-1).delayMs, 30000);
});

test("reaching SSE again after an upgrade needs a first frame again", () => {
  const ladder = new Ladder(undefined, MIDDLE);
  losses(ladder, 6);
  ladder.established(); // SSE worked
  ladder.upgrade();
  assert.equal(ladder.transport, "ws");
  losses(ladder, 6);
  assert.equal(ladder.transport, "sse");
  assert.deepEqual(ladder.lost({ wasUp: false }), { kind: "fallBack", transport: "poll" });
});

test("failures are forgiven only when the client says the connection lasted", () => {
  const ladder = new Ladder(undefined, MIDDLE);
  losses(ladder, 3);
  ladder.established(); // accepted, then dropped at once: still counts
  assert.deepEqual(ladder.lost({ wasUp: true }), { kind: "retry", transport: "ws", delayMs: 16000 });
  ladder.forgive();
  assert.deepEqual(ladder.lost({ wasUp: true }), { kind: "retry", transport: "ws", delayMs: 2000 });
});

test("a shutdown hint after the link worked is waited for, and is no failure", () => {
  const ladder = new Ladder(undefined, MIDDLE);
  losses(ladder, 2);
  assert.deepEqual(ladder.lost({ wasUp: true, hintMs: 1234 }), { kind: "retry", transport: "ws", delayMs: 1234 });
  assert.equal(ladder.failures, 2);
});

test("a hint on a connection that never worked counts, and waits at least the backoff", () => {
  const ladder = new Ladder(undefined, MIDDLE);
  assert.deepEqual(ladder.lost({ wasUp: false, hintMs: 500 }), { kind: "retry", transport: "ws", delayMs: 2000 });
  assert.deepEqual(ladder.lost({ wasUp: false, hintMs: 9000 }), { kind: "retry", transport: "ws", delayMs: 9000 });
  assert.equal(ladder.failures, 2);
});

test("the last rung never falls further, and restart() goes back to the top", () => {
  const ladder = new Ladder(["ws"], MIDDLE);
  assert.ok(losses(ladder, 10).every((step) => step.kind === "retry"));
  const full = new Ladder(undefined, MIDDLE);
  losses(full, 6);
  full.restart();
  assert.equal(full.transport, "ws");
  assert.equal(full.failures, 0);
});

test("the rungs must be some of ws, sse, poll, in that order", () => {
  for (const bad of [[], ["poll", "ws"], ["ws", "ws"], ["carrier-pigeon"]]) {
    assert.throws(() => new Ladder(bad), RangeError, JSON.stringify(bad));
  }
  assert.doesNotThrow(() => new Ladder(["ws", "poll"]));
});

test("4400-4499 are final; 4001 carries a retryAfterMs hint", () => {
  assert.deepEqual([4400, 4401, 4403, 4429, 4499].map(isFinalClose), [true, true, true, true, true]);
  assert.deepEqual([4399, 4500, 4000, 4001, 1006, null, undefined].map(isFinalClose), [false, false, false, false, false, false, false]);
  assert.equal(retryHint(4001, '{"retryAfterMs": 1500}'), 1500);
  assert.equal(retryHint(4001, '{"retryAfterMs": -1}'), null);
  assert.equal(retryHint(4001, "not json"), null);
  assert.equal(retryHint(4000, '{"retryAfterMs": 1500}'), null);
});
