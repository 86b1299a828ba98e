#!/usr/bin/env node
'use strict';
// Load generator for the peer systems: one process, one adapter per system (./systems/*.js).
//   node gen.js --system redis --scenario peer --servers redis://127.0.0.1:6390 \
//               --server-pids 1234 [--pairs 100] [--rate 10000] [--duration 10] [--warmup 2]
// Prints progress to stderr each second and one JSON line to stdout at the end (also appended
// to ../results/peers.jsonl, or --out FILE). See ../README.md.
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');
const hdr = require('hdr-histogram-js');

const SYSTEMS = ['socketio-redis', 'redis', 'nats', 'mosquitto'];
const ROOM = 'room';

function parseArgs(argv) {
  const a = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    const eq = k.indexOf('=');
    if (eq > 0) a[k.slice(2, eq)] = k.slice(eq + 1);
    else a[k.slice(2)] = argv[++i];
  }
  return a;
}

function usage(msg) {
  if (msg) console.error(`gen.js: ${msg}`);
  console.error(`usage: node gen.js --system ${SYSTEMS.join('|')} --scenario peer|fanout --servers URL[,URL..]
  [--pairs 100] [--members 1000] [--rate R (peer 10000, fanout 100; 0 = saturation)]
  [--duration 10] [--warmup 2] [--window 64] [--drain 2] [--server-pids PID[,PID..]]
  [--connect-concurrency 100] [--out FILE]`);
  process.exit(msg ? 2 : 0);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) usage();
const args = parseArgs(process.argv.slice(2));
const system = args.system;
const scenario = args.scenario || 'peer';
if (!SYSTEMS.includes(system)) usage(`--system must be one of ${SYSTEMS.join(', ')}`);
if (!['peer', 'fanout'].includes(scenario)) usage('--scenario must be peer or fanout');
if (!args.servers) usage('--servers is required');
const num = (k, d) => {
  const v = args[k] === undefined ? d : Number(args[k]);
  if (!Number.isFinite(v) || v < 0) usage(`--${k} must be a non-negative number`);
  return v;
};
const servers = args.servers.split(',').filter(Boolean);
const pairs = Math.floor(num('pairs', 100));
const members = Math.floor(num('members', 1000));
const rate = num('rate', scenario === 'peer' ? 10000 : 100);
const durationS = num('duration', 10);
const warmupS = num('warmup', 2);
const windowSize = Math.max(1, Math.floor(num('window', 64)));
const drainS = num('drain', 2);
const concurrency = Math.max(1, Math.floor(num('connect-concurrency', 100)));
const serverPids = (args['server-pids'] || '').split(',').filter(Boolean).map(Number);
const outFile = args.out || path.join(__dirname, '..', 'results', 'peers.jsonl');
if (durationS <= 0) usage('--duration must be > 0');
if (scenario === 'peer' && pairs < 1) usage('--pairs must be >= 1');
if (scenario === 'fanout' && members < 1) usage('--members must be >= 1');

const adapter = require(`./systems/${system}.js`);

// ---- clock and payload ---------------------------------------------------------------------
// Nanoseconds since the generator started, from process.hrtime.bigint() (one clock for senders
// and receivers; a Number stays exact here for ~100 days).
const BASE = process.hrtime.bigint();
const nowNs = () => Number(process.hrtime.bigint() - BASE);
const PAD = 'x'.repeat(64);
// `t<intended ns>|<seq>|xxx…`, 64 bytes (the same text shape as `sigshim bench`).
function payload(intended, seq) {
  const s = `t${intended}|${seq}|`;
  return s.length >= 64 ? s : s + PAD.slice(s.length);
}
function parse(text) {
  const a = text.indexOf('|');
  const b = text.indexOf('|', a + 1);
  return { t: Number(text.slice(1, a)), seq: Number(text.slice(a + 1, b)) };
}

// ---- /proc sampling --------------------------------------------------------------------------
let clkTck = 100;
try { clkTck = Number(execSync('getconf CLK_TCK').toString().trim()) || 100; } catch (_) { /* default */ }
function cpuTicks(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
  } catch (_) { return NaN; }
}
function rssKib(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch (_) { return NaN; }
}
const sum = (xs) => xs.reduce((x, y) => x + y, 0);
function snapshot() {
  return {
    wallNs: nowNs(),
    serverTicks: sum(serverPids.map(cpuTicks)),
    own: process.cpuUsage(),
  };
}

// ---- state -----------------------------------------------------------------------------------
const hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
let sentRaw = 0; // messages handed to the client library, warm-up included
let recvRaw = 0; // deliveries, warm-up included
let acked = 0;
let sent = 0; // counted deliveries expected: messages whose intended time is in the window (× members for fanout)
let delivered = 0; // counted deliveries received
let failures = 0;
let winFrom = 0;
let winUntil = 0;
let stopAt = 0;
let finished = false;
let sendFn = null; // (senderIndex, intendedNs) => void

function onError(msg) {
  if (finished) return;
  failures++;
  if (failures <= 10) console.error(`gen.js: ${msg}`);
}
const onAck = () => { acked++; };

function record(intended) {
  recvRaw++;
  if (intended >= winFrom && intended < winUntil) {
    delivered++;
    const us = Math.max(1, Math.floor((nowNs() - intended) / 1000));
    hist.recordValue(Math.min(us, 60_000_000));
  }
}

async function pool(n, fn) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}
const serverFor = (i) => servers[i % servers.length];

// ---- scenarios -------------------------------------------------------------------------------
// Each builds its connections and returns { connections, senders, unit (deliveries per message),
// onRefill } where senders[i](intended, seq) sends one message.
const inflight = [];
let seqNext = 0;

async function setupPeer() {
  // Receiver i and sender i sit on different servers when there are several (cross-node path).
  const receivers = await pool(pairs, async (i) => {
    const c = await adapter.connect({
      url: serverFor(i + 1), user: `r${i}`, onAck, onError,
      onMessage: (text) => {
        const { t } = parse(text);
        record(t);
        if (rate === 0) { inflight[i]--; refill(i); }
      },
    });
    await c.listenUser();
    return c;
  });
  const senderConns = await pool(pairs, (i) => adapter.connect({ url: serverFor(i), user: `s${i}`, onAck, onError, onMessage: () => {} }));
  sendFn = (i, intended) => {
    const counted = intended >= winFrom && intended < winUntil;
    if (counted) sent++;
    sentRaw++;
    inflight[i]++;
    senderConns[i].sendUser(`r${i}`, payload(intended, seqNext++));
  };
  for (let i = 0; i < pairs; i++) inflight.push(0);
  return { conns: receivers.concat(senderConns), senders: pairs };
}

// Fan-out saturation: a message stays in flight until all members have it.
const remaining = new Map();
async function setupFanout() {
  const memberConns = await pool(members, async (i) => {
    const c = await adapter.connect({
      url: serverFor(i), user: `m${i}`, onAck, onError,
      onMessage: (text) => {
        const { t, seq } = parse(text);
        record(t);
        if (rate === 0) {
          const left = remaining.get(seq) - 1;
          if (left > 0) remaining.set(seq, left);
          else { remaining.delete(seq); inflight[0]--; refill(0); }
        }
      },
    });
    await c.joinRoom(ROOM);
    return c;
  });
  const pub = await adapter.connect({ url: serverFor(0), user: 'p0', onAck, onError, onMessage: () => {} });
  inflight.push(0);
  sendFn = (_i, intended) => {
    if (intended >= winFrom && intended < winUntil) sent += members;
    sentRaw++;
    inflight[0]++;
    const seq = seqNext++;
    if (rate === 0) remaining.set(seq, members);
    pub.sendRoom(ROOM, payload(intended, seq));
  };
  return { conns: memberConns.concat([pub]), senders: 1 };
}

// Saturation: keep `windowSize` messages in flight per sender until the end of the window.
function refill(i) {
  if (finished) return;
  while (inflight[i] < windowSize) {
    const now = nowNs();
    if (now >= stopAt) return;
    sendFn(i, now);
  }
}

// Open loop: slot j of the merged schedule is sent by sender j % senders at start + j/rate, so
// each sender runs at rate/senders with its slots offset evenly. Timers fire at ~1 ms granularity;
// a late slot still carries its intended time, so the wait shows in the latency.
function runOpenLoop(senders, start) {
  return new Promise((resolve) => {
    const interval = 1e9 / rate;
    let j = 0;
    const tick = () => {
      const now = nowNs();
      let burst = 0;
      for (;;) {
        const at = start + Math.round(j * interval);
        if (at >= stopAt) return resolve();
        if (at > now) {
          setTimeout(tick, Math.max(0, Math.floor((at - now) / 1e6)));
          return;
        }
        if (DEBUG) sendLag.recordValue(Math.max(1, Math.min(60e6, Math.floor((now - at) / 1000))));
        sendFn(j % senders, at);
        j++;
        if (++burst >= 2000) { setImmediate(tick); return; } // let replies in between
      }
    };
    setTimeout(tick, Math.max(0, Math.floor((start - nowNs()) / 1e6)));
  });
}

function runSaturation(senders, start) {
  return new Promise((resolve) => {
    setTimeout(() => {
      for (let i = 0; i < senders; i++) refill(i);
      setTimeout(resolve, Math.max(0, Math.ceil((stopAt - nowNs()) / 1e6)));
    }, Math.max(0, Math.floor((start - nowNs()) / 1e6)));
  });
}

const DEBUG = !!process.env.GEN_DEBUG;
const sendLag = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
const loopDelay = require('perf_hooks').monitorEventLoopDelay({ resolution: 1 });
if (DEBUG) loopDelay.enable();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const t0 = Date.now();
  const { conns, senders } = scenario === 'peer' ? await setupPeer() : await setupFanout();
  console.error(`gen.js: ${system} ${scenario}: ${conns.length} connections ready in ${Date.now() - t0} ms`);
  if (failures) throw new Error('connection errors during setup');

  const start = nowNs() + 200e6;
  winFrom = start + warmupS * 1e9;
  winUntil = winFrom + durationS * 1e9;
  stopAt = winUntil;

  const began = Date.now();
  const progress = setInterval(() => {
    console.error(`[${String(Math.round((Date.now() - began) / 1000)).padStart(3)}s] sent ${sentRaw} delivered ${recvRaw}` +
      (acked ? ` acked ${acked}` : '') + (failures ? ` errors ${failures}` : ''));
  }, 1000);

  let snapFrom = null;
  let snapUntil = null;
  setTimeout(() => { snapFrom = snapshot(); }, Math.max(0, (winFrom - nowNs()) / 1e6));
  const untilTimer = new Promise((r) => setTimeout(() => { snapUntil = snapshot(); r(); }, Math.max(0, (winUntil - nowNs()) / 1e6)));

  await (rate > 0 ? runOpenLoop(senders, start) : runSaturation(senders, start));
  await untilTimer;
  // Drain: wait for the counted messages still on their way, at most `drainS`.
  const drainUntil = Date.now() + drainS * 1000;
  while (delivered < sent && Date.now() < drainUntil) await sleep(20);
  clearInterval(progress);
  finished = true;

  const wallUs = (snapUntil.wallNs - snapFrom.wallNs) / 1000;
  const ownUs = (snapUntil.own.user - snapFrom.own.user) + (snapUntil.own.system - snapFrom.own.system);
  const serverCpu = serverPids.length
    ? ((snapUntil.serverTicks - snapFrom.serverTicks) / clkTck) / (wallUs / 1e6) * 100
    : null;
  const rss = serverPids.length ? sum(serverPids.map(rssKib)) : null;
  const empty = hist.totalCount === 0;
  const q = (p) => (empty ? 0 : hist.getValueAtPercentile(p));
  const r1 = (x) => (x === null || Number.isNaN(x) ? null : Math.round(x * 10) / 10);
  const report = {
    system,
    scenario,
    connections: scenario === 'peer' ? 2 * pairs : members + 1,
    rate,
    duration_s: durationS,
    sent,
    delivered,
    lost: Math.max(0, sent - delivered),
    throughput: r1(delivered / durationS),
    p50_us: q(50),
    p99_us: q(99),
    p999_us: q(99.9),
    max_us: empty ? 0 : hist.maxValue,
    server_rss_kib: rss === null || Number.isNaN(rss) ? null : rss,
    server_cpu_pct: r1(serverCpu),
    generator_cpu_pct: r1(ownUs / wallUs * 100),
  };
  const line = JSON.stringify(report);
  process.stdout.write(line + '\n');
  try {
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.appendFileSync(outFile, line + '\n');
  } catch (e) {
    console.error(`gen.js: cannot append to ${outFile}: ${e.message}`);
  }
  if (failures) console.error(`gen.js: ${failures} connection/client errors during the run`);
  if (DEBUG) {
    console.error(`gen.js: send lag us p50 ${sendLag.getValueAtPercentile(50)} p99 ${sendLag.getValueAtPercentile(99)} max ${sendLag.maxValue}; ` +
      `event loop delay ms p50 ${(loopDelay.percentile(50) / 1e6).toFixed(2)} p99 ${(loopDelay.percentile(99) / 1e6).toFixed(2)} max ${(loopDelay.max / 1e6).toFixed(2)}`);
  }
  await Promise.race([Promise.allSettled(conns.map((c) => c.close())), sleep(3000)]);
  process.exit(0);
}

main().catch((e) => {
  console.error(`gen.js: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
