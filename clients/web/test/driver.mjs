// Drives headless Chromium for the browser tests (cli_tests/browser.rs).
//
//   node driver.mjs [--sdk-origin http://127.0.0.1:PORT] PAGE
//
// PAGE is a URL, or a file name under clients/web/test/ (e.g. legacy-page.html), which the
// driver then serves from its own small HTTP server on port 0. With --sdk-origin, the served
// page's `src="/sdk/` becomes `src="<origin>/sdk/`: the page comes from one origin and the SDK
// from the sigshim server, so the SDK must connect to where it was served from.
//
// It then reads one JSON command per line on stdin and answers one JSON line on stdout:
//   {"id":1,"eval":"<JS expression>","page":0}  -> {"id":1,"ok":true,"value":…}
//                                                  or {"id":1,"ok":false,"error":"…"}
//   {"id":2,"open":"<PAGE or URL>"}              -> value: the new page's index (a new tab)
//   {"id":3,"reload":0}                          -> reloads page 0
//   {"id":4,"close":0}                           -> closes page 0
//   {"id":5,"drop":0}                            -> closes page 0's open WebSockets from the
//                                                   page side (a broken link, for the SDK)
//   {"id":6,"hold":0,"on":true}                  -> while on, page 0's new WebSockets go to a
//                                                   closed port (reconnects fail)
// The first line on stdout is {"ready":true,"page":"<url>"}. It exits when stdin closes.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let sdkOrigin = null;
let target = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--sdk-origin') sdkOrigin = args[++i].replace(/\/+$/, '');
  else target = args[i];
}
if (!target) {
  process.stderr.write('usage: node driver.mjs [--sdk-origin ORIGIN] PAGE\n');
  process.exit(2);
}

// A static server for the test folder (and the SDK itself at /sdk/AgoraSig.js when no
// --sdk-origin is given).
let base = null;
async function serveTestFolder() {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let file;
    if (url.pathname === '/sdk/AgoraSig.js') file = path.join(here, '..', 'AgoraSig.js');
    else file = path.join(here, path.normalize(url.pathname).replace(/^([/\\])+/, ''));
    if (!file.startsWith(path.join(here, '..'))) {
      res.writeHead(403).end();
      return;
    }
    try {
      let body = await readFile(file);
      let type = 'application/octet-stream';
      if (file.endsWith('.html')) {
        type = 'text/html; charset=utf-8';
        if (sdkOrigin) body = Buffer.from(body.toString('utf8').replaceAll('src="/sdk/', `src="${sdkOrigin}/sdk/`));
      } else if (file.endsWith('.js') || file.endsWith('.mjs')) {
        type = 'text/javascript; charset=utf-8';
      }
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${server.address().port}`;
}

function resolvePage(p) {
  return /^[a-z]+:\/\//i.test(p) ? p : `${base}/${p.replace(/^\/+/, '')}`;
}

// Runs in every page before its scripts: keeps the page's WebSockets so the driver can break
// them, and can redirect new ones to a closed port.
function socketHook() {
  const Orig = window.WebSocket;
  const open = [];
  window.__sigshimTest = { sockets: open, hold: false };
  function Hooked(url, protocols) {
    const target = window.__sigshimTest.hold ? 'ws://127.0.0.1:9/held' : url;
    const ws = protocols === undefined ? new Orig(target) : new Orig(target, protocols);
    open.push(ws);
    ws.addEventListener('close', () => {
      const i = open.indexOf(ws);
      if (i >= 0) open.splice(i, 1);
    });
    return ws;
  }
  Hooked.prototype = Orig.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Hooked[k] = Orig[k];
  window.WebSocket = Hooked;
}

// launch() gives the browser a fresh temporary profile of its own.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const context = await browser.newContext();
await context.addInitScript(socketHook);
const pages = [];

async function openPage(p) {
  const page = await context.newPage();
  const index = pages.length;
  pages.push(page);
  page.on('console', (m) => process.stderr.write(`[page ${index} console.${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[page ${index} error] ${e.stack || e}\n`));
  await page.goto(resolvePage(p), { waitUntil: 'load' });
  return index;
}

function pageAt(i) {
  const page = pages[i ?? 0];
  if (!page) throw new Error(`no page ${i}`);
  return page;
}

let closing = false;
async function shutdown(code) {
  if (closing) return;
  closing = true;
  try {
    await browser.close();
  } catch {
    /* already gone */
  }
  process.exit(code);
}

async function run(cmd) {
  if ('eval' in cmd) return await pageAt(cmd.page).evaluate(cmd.eval);
  if ('open' in cmd) return await openPage(cmd.open || target);
  if ('reload' in cmd) {
    await pageAt(cmd.reload).reload({ waitUntil: 'load' });
    return null;
  }
  if ('close' in cmd) {
    await pageAt(cmd.close).close();
    pages[cmd.close] = null;
    return null;
  }
  if ('drop' in cmd) {
    return await pageAt(cmd.drop).evaluate(() => {
      const s = window.__sigshimTest.sockets.slice();
      for (const ws of s) ws.close(4000, 'dropped by the test');
      return s.length;
    });
  }
  if ('hold' in cmd) {
    return await pageAt(cmd.hold).evaluate((on) => {
      window.__sigshimTest.hold = on;
      return on;
    }, !!cmd.on);
  }
  throw new Error(`unknown command ${JSON.stringify(cmd)}`);
}

function answer(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

try {
  base = await serveTestFolder();
  await openPage(target);
  answer({ ready: true, page: resolvePage(target) });
} catch (e) {
  answer({ ready: false, error: String(e && e.stack ? e.stack : e) });
  await shutdown(1);
}

const rl = createInterface({ input: process.stdin });
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    answer({ id: null, ok: false, error: `bad command: ${e}` });
    return;
  }
  // One command at a time, in order.
  queue = queue.then(async () => {
    try {
      const value = await run(cmd);
      answer({ id: cmd.id, ok: true, value: value === undefined ? null : value });
    } catch (e) {
      answer({ id: cmd.id, ok: false, error: String(e && e.message ? e.message : e) });
    }
  });
});
rl.on('close', () => {
  queue.then(() => shutdown(0));
});
