// The fan-out benchmark's subscribers: `count` WebSocket connections to one server, all
// following one project (or room), counting what each receives. Driven by bench/fanout.py
// over stdin/stdout, one JSON object per line.
//
//   node client.mjs '{"kind":"tasklane","url":"ws://127.0.0.1:PORT/ws","count":5000,...}'
//
// kind: "tasklane" (Tasklane's /ws: `connected`, then send `join`, wait for `joined`;
//       events are envelopes with `seq` and `timestamp`, or with ?batch=1 maybe arrays),
//       "raw" (bench/refservers/raw_websockets: `joined` on connect; events carry
//       `seq` and `ts`), "socketio" (bench/refservers/socketio_server: emit `join` with an
//       ack; events arrive as socket.io "event" with `seq` and `ts`).
//
// Out: {"event":"ready",...} once every connection joined or failed; {"event":"armed"}
//      after `arm`; {"event":"progress"} every second of a phase; {"event":"done"} once
//      every connection has every expected seq; {"event":"stats",...}; {"event":"closed"}.
// In:  {"cmd":"arm","name":"burst","first":S,"count":K}: expect seqs S..S+K-1 on every
//      joined connection; {"cmd":"stats"}; {"cmd":"close"}.
//
// Per connection and seq it counts receipts (loss = zeros, duplicates = extra receipts),
// and keeps a histogram of commit-to-receive latency in 1 ms buckets (Date.now() minus
// the event's timestamp, first receipts only). It reports its own CPU time
// (process.cpuUsage) so the driver can tell whether the client saturated.
//
// Events are not fully parsed: Tasklane's envelope has its keys in a fixed order
// (docs/protocol.md), so `seq` is the first `"seq":` and the timestamp is the last 24
// characters before the closing `"}`; arrays (?batch=1) are split at the top level.
// The first VERIFY frames are also parsed with JSON.parse and compared ("mismatches").

import crypto from "node:crypto";
import net from "node:net";
import readline from "node:readline";
import { io } from "socket.io-client";
import { WebSocket } from "ws";

const config = JSON.parse(process.argv[2]);
const COUNT = config.count;
const CONCURRENCY = config.concurrency ?? 200;
const TIMEOUT_MS = config.timeoutMs ?? 30000;
const MAX_LATENCY_MS = 120000; // the last bucket holds everything slower
const VERIFY = 2000;

const SEQ_KEY = Buffer.from('"seq":');
const TS_KEY = Buffer.from(',"ts":');
const TIMESTAMP_KEY = '"timestamp":"';
const CONTROL = new Set(["connected", "joined", "left", "pong", "error", "resync_required"]);

const connections = [];
const failures = new Map(); // reason -> count
const closes = new Map(); // close code after joining -> count
let joined = 0;
let failed = 0;
let stray = 0; // events received outside any phase
let mismatches = 0;
let verified = 0;
let connectStarted = 0;
let phase = null;

function emit(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

function bump(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

// -- what is measured ---------------------------------------------------------------------

function arm(name, first, count) {
  const active = connections.filter((c) => c.joined && !c.closed);
  for (const conn of connections) conn.counts = null;
  for (const conn of active) conn.counts = new Uint8Array(count);
  phase = {
    name,
    first,
    count,
    connections: active.length,
    expected: active.length * count,
    unique: 0,
    duplicates: 0,
    unexpected: 0,
    negative: 0,
    hist: new Uint32Array(MAX_LATENCY_MS + 1),
    firstReceive: null,
    lastReceive: null,
    messages: 0,
    batches: 0,
    frameBytes: 0,
    frames: 0,
    closed: 0,
    cpuStart: process.cpuUsage(),
    wallStart: Date.now(),
    cpuDone: null,
    wallDone: null,
    done: false,
    lastProgress: -1,
  };
  if (phase.expected === 0) finish();
}

function record(conn, seq, timestampMs, now) {
  const p = phase;
  if (p === null) {
    stray++;
    return;
  }
  const index = seq - p.first;
  if (conn.counts === null || index < 0 || index >= p.count) {
    p.unexpected++;
    return;
  }
  const seen = conn.counts[index];
  if (seen < 255) conn.counts[index] = seen + 1;
  if (seen > 0) {
    p.duplicates++;
    return;
  }
  let latency = now - timestampMs;
  if (latency < 0) {
    p.negative++;
    latency = 0;
  }
  p.hist[latency < MAX_LATENCY_MS ? latency : MAX_LATENCY_MS]++;
  if (p.firstReceive === null) p.firstReceive = now;
  p.lastReceive = now;
  p.unique++;
  if (p.unique === p.expected) finish();
}

function finish() {
  phase.done = true;
  phase.cpuDone = process.cpuUsage(phase.cpuStart);
  phase.wallDone = Date.now();
  emit({ event: "done", name: phase.name });
}

function stats() {
  const p = phase;
  if (p === null) return { event: "stats", name: null };
  let lost = 0;
  for (const conn of connections) {
    if (conn.counts === null) continue;
    for (let i = 0; i < conn.counts.length; i++) if (conn.counts[i] === 0) lost++;
  }
  const hist = [];
  for (let ms = 0; ms <= MAX_LATENCY_MS; ms++) if (p.hist[ms] > 0) hist.push([ms, p.hist[ms]]);
  const cpu = p.cpuDone ?? process.cpuUsage(p.cpuStart);
  return {
    event: "stats",
    name: p.name,
    connections: p.connections,
    expected: p.expected,
    delivered: p.unique,
    lost,
    duplicates: p.duplicates,
    unexpected: p.unexpected,
    negative: p.negative,
    hist,
    firstReceiveMs: p.firstReceive,
    lastReceiveMs: p.lastReceive,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    wallMs: (p.wallDone ?? Date.now()) - p.wallStart,
    messages: p.messages,
    batches: p.batches,
    frameBytes: p.frames ? p.frameBytes / p.frames : null,
    closedDuring: p.closed,
    stray,
    mismatches,
    verified,
    done: p.done,
  };
}

// -- reading events cheaply ---------------------------------------------------------------

let lastStamp = "";
let lastStampMs = 0;

function stampMs(text) {
  if (text !== lastStamp) {
    lastStamp = text;
    lastStampMs = Date.parse(text);
  }
  return lastStampMs;
}

function digitsAt(buf, at) {
  let value = 0;
  for (let c = buf[at]; c >= 48 && c <= 57; c = buf[++at]) value = value * 10 + (c - 48);
  return value;
}

// Tasklane: one frame in buf[start..end] (end = index of its closing brace); whether it
// was a durable event.
function tasklaneFrame(conn, buf, start, end, now) {
  if (buf[start] !== 0x7b || buf[start + 1] !== 0x22) return controlFrame(conn, buf, start, end);
  const typeEnd = buf.indexOf(0x22, start + 9);
  const type = buf.toString("latin1", start + 9, typeEnd);
  if (CONTROL.has(type)) return controlFrame(conn, buf, start, end);
  if (type.startsWith("user_")) return false; // presence: no seq
  const at = buf.indexOf(SEQ_KEY, typeEnd);
  if (at < 0 || at > end || buf.toString("latin1", end - 38, end - 25) !== TIMESTAMP_KEY) {
    mismatches++;
    const frame = JSON.parse(buf.toString("utf8", start, end + 1));
    record(conn, frame.seq, Date.parse(frame.timestamp), now);
    return true;
  }
  const seq = digitsAt(buf, at + SEQ_KEY.length);
  const ms = stampMs(buf.toString("latin1", end - 25, end - 1));
  if (verified < VERIFY) verify(buf, start, end, seq, ms);
  record(conn, seq, ms, now);
  return true;
}

function verify(buf, start, end, seq, ms) {
  verified++;
  const frame = JSON.parse(buf.toString("utf8", start, end + 1));
  if (frame.seq !== seq || Date.parse(frame.timestamp) !== ms) mismatches++;
}

function controlFrame(conn, buf, start, end) {
  const frame = JSON.parse(buf.toString("utf8", start, end + 1));
  if (frame.type === "connected") {
    conn.ws.send(JSON.stringify({ type: "join", projectId: config.projectId }));
  } else if (frame.type === "joined") {
    joinedNow(conn);
  } else if (frame.type === "error" || frame.type === "resync_required" || frame.type === "left") {
    bump(failures, `${frame.type}: ${frame.code ?? frame.reason ?? ""}`);
    if (!conn.joined) failNow(conn, `${frame.type} before joined`);
  }
  return false;
}

// The top-level objects of a JSON array: [start, end] of each, string-aware.
function* topLevel(buf) {
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 1; i < buf.length - 1; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (depth++ === 0) start = i;
    } else if ((c === 0x7d || c === 0x5d) && --depth === 0) yield [start, i];
  }
}

function onTasklaneMessage(conn, buf) {
  const now = Date.now();
  if (phase !== null) phase.messages++;
  if (buf[0] === 0x5b) {
    if (phase !== null) phase.batches++;
    for (const [start, end] of topLevel(buf)) tasklaneFrame(conn, buf, start, end, now);
    return;
  }
  if (tasklaneFrame(conn, buf, 0, buf.length - 1, now) && phase !== null) {
    phase.frameBytes += buf.length;
    phase.frames++;
  }
}

function onRawMessage(conn, buf) {
  const now = Date.now();
  if (!conn.joined) {
    joinedNow(conn);
    return;
  }
  const at = buf.indexOf(SEQ_KEY);
  const ts = buf.indexOf(TS_KEY);
  if (phase !== null) {
    phase.messages++;
    phase.frameBytes += buf.length;
    phase.frames++;
  }
  if (at < 0 || ts < 0) {
    mismatches++;
    return;
  }
  record(conn, digitsAt(buf, at + SEQ_KEY.length), digitsAt(buf, ts + TS_KEY.length), now);
}

function onSocketioEvent(conn, event) {
  const now = Date.now();
  if (phase !== null) {
    phase.messages++;
    if (phase.frames === 0) {
      phase.frameBytes = Buffer.byteLength(JSON.stringify(event));
      phase.frames = 1;
    }
  }
  record(conn, event.seq, event.ts, now);
}

// -- connecting ---------------------------------------------------------------------------

function joinedNow(conn) {
  if (conn.joined || conn.settled) return;
  conn.joined = true;
  joined++;
  settle(conn);
}

function failNow(conn, reason) {
  if (conn.settled) return;
  failed++;
  bump(failures, String(reason).slice(0, 120));
  settle(conn);
  conn.close();
}

function settle(conn) {
  conn.settled = true;
  clearTimeout(conn.timer);
  conn.resolve();
  if (joined + failed === COUNT) {
    emit({
      event: "ready",
      joined,
      failed,
      failures: Object.fromEntries(failures),
      connectMs: Date.now() - connectStarted,
    });
  }
}

function onClosed(conn, code) {
  if (conn.closed) return;
  conn.closed = true;
  if (!conn.settled) failNow(conn, `closed ${code} before joining`);
  else {
    bump(closes, String(code));
    if (phase !== null && conn.counts !== null) phase.closed++;
  }
}

// -- a lean WebSocket client (RFC 6455) on net.Socket ------------------------------------
//
// What a subscriber needs and no more: the opening handshake (with extra headers), text
// messages (fragmented or not), answering pings, the closing handshake. Frames are read
// straight from each chunk the socket delivers; the `ws` library's stream machinery costs
// about twice the CPU per message, which made the client as busy as the fastest server.

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function frame(opcode, payload) {
  const mask = crypto.randomBytes(4);
  const length = payload.length;
  const head = length < 126 ? 2 : 4; // control frames and joins are small
  const out = Buffer.alloc(head + 4 + length);
  out[0] = 0x80 | opcode;
  if (length < 126) out[1] = 0x80 | length;
  else {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  }
  mask.copy(out, head);
  for (let i = 0; i < length; i++) out[head + 4 + i] = payload[i] ^ mask[i & 3];
  return out;
}

class LeanSocket {
  constructor(url, headers, onOpen, onMessage, onClose) {
    const target = new URL(url);
    this.key = crypto.randomBytes(16).toString("base64");
    this.onOpen = onOpen;
    this.onMessage = onMessage;
    this.onClose = onClose;
    this.open = false;
    this.closed = false;
    this.pending = null;
    this.fragments = null;
    this.code = 1006;
    this.socket = net.connect({ host: target.hostname, port: Number(target.port) });
    this.socket.setNoDelay(true);
    let request = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n`;
    request += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
    request += `Sec-WebSocket-Key: ${this.key}\r\n`;
    for (const [name, value] of Object.entries(headers)) request += `${name}: ${value}\r\n`;
    this.socket.write(request + "\r\n");
    this.socket.on("data", (chunk) => this.data(chunk));
    this.socket.on("error", (err) => this.finish(err.code ?? err.message));
    this.socket.on("close", () => this.finish(this.code));
  }

  send(text) {
    if (this.open) this.socket.write(frame(0x1, Buffer.from(text)));
  }

  close(code = 1000) {
    if (!this.open) return this.socket.destroy();
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    this.socket.write(frame(0x8, body));
    this.open = false;
  }

  terminate() {
    this.socket.destroy();
  }

  finish(why) {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose(why);
  }

  handshake(buf) {
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) return -1;
    const head = buf.toString("latin1", 0, end);
    const accept = crypto.createHash("sha1").update(this.key + GUID).digest("base64");
    if (!head.startsWith("HTTP/1.1 101") || !head.includes(accept)) {
      this.finish(`handshake: ${head.split("\r\n", 1)[0]}`);
      return -1;
    }
    this.open = true;
    this.onOpen();
    return end + 4;
  }

  data(chunk) {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let at = 0;
    if (!this.open && !this.closed) {
      at = this.handshake(buf);
      if (at < 0) {
        if (!this.closed) this.pending = Buffer.from(buf);
        return;
      }
    }
    while (at + 2 <= buf.length) {
      let length = buf[at + 1] & 0x7f;
      let head = 2;
      if (length === 126) {
        if (at + 4 > buf.length) break;
        length = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (length === 127) {
        if (at + 10 > buf.length) break;
        length = Number(buf.readBigUInt64BE(at + 2));
        head = 10;
      }
      if (at + head + length > buf.length) break;
      this.frame(buf[at], buf.subarray(at + head, at + head + length));
      at += head + length;
    }
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at)); // a copy: chunks are pooled
  }

  frame(first, payload) {
    const opcode = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    if (opcode === 0x1 || opcode === 0x0) {
      if (fin && this.fragments === null) return this.onMessage(payload);
      this.fragments = [...(this.fragments ?? []), Buffer.from(payload)];
      if (fin) {
        const whole = Buffer.concat(this.fragments);
        this.fragments = null;
        this.onMessage(whole);
      }
    } else if (opcode === 0x9) {
      this.socket.write(frame(0xa, payload));
    } else if (opcode === 0x8) {
      this.code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (this.open) this.close(this.code);
      this.socket.end();
    }
  }
}

function openLean(conn) {
  const onMessage = config.kind === "tasklane" ? onTasklaneMessage : onRawMessage;
  const ws = new LeanSocket(
    config.url,
    config.headers ?? {},
    () => {},
    (data) => onMessage(conn, data),
    (why) => onClosed(conn, why),
  );
  conn.ws = ws;
  conn.close = () => ws.terminate();
}

function openWebSocket(conn) {
  const headers = config.headers ?? {};
  const ws = new WebSocket(config.url, {
    headers,
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handshakeTimeout: TIMEOUT_MS,
  });
  conn.ws = ws;
  conn.close = () => ws.terminate();
  const onMessage = config.kind === "tasklane" ? onTasklaneMessage : onRawMessage;
  ws.on("message", (data) => onMessage(conn, data));
  ws.on("error", (err) => failNow(conn, err.code ?? err.message));
  ws.on("close", (code) => onClosed(conn, code));
}

function openSocketio(conn) {
  const socket = io(config.url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: TIMEOUT_MS,
    perMessageDeflate: false,
  });
  conn.ws = socket;
  conn.close = () => socket.disconnect();
  socket.on("connect", () => socket.emit("join", "project", () => joinedNow(conn)));
  socket.on("event", (event) => onSocketioEvent(conn, event));
  socket.on("connect_error", (err) => failNow(conn, err.message));
  socket.on("disconnect", (reason) => onClosed(conn, reason));
}

function open(conn) {
  return new Promise((resolve) => {
    conn.resolve = resolve;
    conn.timer = setTimeout(() => failNow(conn, "timeout"), TIMEOUT_MS);
    if (config.kind === "socketio") openSocketio(conn);
    else if (config.library === "ws") openWebSocket(conn);
    else openLean(conn);
  });
}

async function connectAll() {
  connectStarted = Date.now();
  for (let i = 0; i < COUNT; i++) {
    connections.push({ id: i, joined: false, settled: false, closed: false, counts: null });
  }
  let next = 0;
  const worker = async () => {
    while (next < COUNT) await open(connections[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, COUNT) }, worker));
}

// -- the driver's commands ----------------------------------------------------------------

async function closeAll() {
  const open = connections.filter((c) => c.ws && !c.closed);
  const gone = open.map(
    (conn) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, 5000);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        if (config.kind === "socketio") {
          conn.ws.once("disconnect", done);
          conn.ws.disconnect();
        } else if (config.library === "ws") {
          conn.ws.once("close", done);
          conn.ws.close(1000);
        } else {
          const closed = conn.ws.onClose;
          conn.ws.onClose = (why) => {
            closed(why);
            done();
          };
          conn.ws.close(1000);
        }
      }),
  );
  await Promise.all(gone);
  emit({ event: "closed", closes: Object.fromEntries(closes) });
  process.exit(0);
}

function command(line) {
  const message = JSON.parse(line);
  if (message.cmd === "arm") {
    arm(message.name, message.first, message.count);
    emit({ event: "armed", name: message.name, connections: phase.connections });
  } else if (message.cmd === "stats") {
    emit(stats());
  } else if (message.cmd === "close") {
    closeAll();
  }
}

setInterval(() => {
  if (phase !== null && !phase.done && phase.unique !== phase.lastProgress) {
    phase.lastProgress = phase.unique;
    emit({ event: "progress", name: phase.name, delivered: phase.unique });
  }
}, 1000).unref();

readline.createInterface({ input: process.stdin }).on("line", command).on("close", () => {
  process.exit(0);
});
connectAll();
