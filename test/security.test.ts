import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createLurk, type Lurk } from '../src/app.js';
import { hostAllowed, hostPolicy } from '../src/web/origin.js';
import { loggedUrl } from '../src/web/server.js';
import { tempSqlite, type TestDatabase } from './helpers/db.js';
import { memoryLogger, testConfig, waitFor } from './helpers/app.js';
import { ROOT } from './helpers/process.js';

// A web page the visitor has open elsewhere must not be able to act through their browser:
// every browser-shaped attack below goes over real HTTP to a real Lurk.

let db: TestDatabase;
let lurk: Lurk;
let base: string;
let port: number;
let runs = 0;
const EVIL = 'http://evil.example';

before(async () => {
  db = await tempSqlite();
  lurk = await createLurk(testConfig({ DATABASE_URL: db.url }), { log: memoryLogger().log });
  lurk.scheduler.register({
    name: 'test.target',
    description: 'what a foreign page would like to run',
    schedule: { cron: '0 0 1 1 *' },
    run: async () => void runs++,
  });
  base = await lurk.start();
  port = Number(new URL(base).port);
});

after(async () => {
  await lurk.stop();
  await db.drop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One request with exactly these headers (fetch may not set Host, Origin or Sec-Fetch-*). */
function raw(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: url, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: unknown = text;
        if (String(res.headers['content-type'] ?? '').startsWith('application/json') && text) parsed = JSON.parse(text);
        resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const run = (headers: Record<string, string>, body?: string) => raw('POST', '/api/jobs/test.target/run', headers, body);

/** the job's stored history, and the in-process count, once every job event is recorded */
async function targetRuns(): Promise<{ stored: number; counted: number }> {
  await lurk.bus.drain();
  const history = await raw('GET', '/api/jobs/test.target/runs');
  assert.equal(history.status, 200);
  return { stored: (history.body as unknown[]).length, counted: runs };
}

function assertError(res: Answer, status: number, code: string, message?: RegExp) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  if (message) assert.match(res.body.error.message, message);
}

describe('state-changing requests from other origins', () => {
  test('a foreign page cannot run a job, whatever it sends', async () => {
    const before = await targetRuns();
    const json = { 'content-type': 'application/json' };
    // a cross-site fetch with JSON (the browser would preflight; Lurk still refuses on Origin)
    assertError(await run({ ...json, origin: EVIL }, '{}'), 403, 'cross_origin', /Origin "http:\/\/evil\.example"/);
    // what a form post or a no-cors fetch looks like: text/plain, urlencoded, empty
    assertError(await run({ origin: EVIL, 'content-type': 'text/plain' }, 'x'), 403, 'cross_origin');
    assertError(await run({ origin: EVIL, 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'), 403, 'cross_origin');
    assertError(await run({ origin: EVIL }), 403, 'cross_origin');
    // the same host on another port is another origin (another app on this machine)
    assertError(await run({ ...json, origin: `http://127.0.0.1:${port + 1}` }, '{}'), 403, 'cross_origin');
    assertError(await run({ ...json, origin: 'null' }, '{}'), 403, 'cross_origin');
    // Fetch metadata: only same-origin may act (none is a typed URL or a bookmark)
    for (const site of ['cross-site', 'same-site', 'none']) assertError(await run({ ...json, 'sec-fetch-site': site }, '{}'), 403, 'cross_origin', new RegExp(site));
    assert.deepEqual(await targetRuns(), before, 'the job did not run');
  });

  test('a state-changing request must be JSON, so no cross-site "simple request" can be one', async () => {
    const before = await targetRuns();
    assertError(await run({ 'content-type': 'text/plain' }, '{}'), 415, 'unsupported_media_type', /Content-Type: application\/json/);
    assertError(await run({ 'content-type': 'text/plain;charset=UTF-8' }, '{}'), 415, 'unsupported_media_type');
    assertError(await run({ 'content-type': 'multipart/form-data; boundary=x' }, '--x--'), 415, 'unsupported_media_type');
    assertError(await run({}), 415, 'unsupported_media_type');
    assertError(await run({}, ''), 415, 'unsupported_media_type');
    assert.deepEqual(await targetRuns(), before, 'the job did not run');
  });

  test("Lurk's own pages and non-browser clients still run jobs with JSON", async () => {
    const before = await targetRuns();
    const json = { 'content-type': 'application/json' };
    // the UI: same origin, as chromium sends it
    const own = await run({ ...json, origin: base, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }, '{}');
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.trigger, 'manual');
    // under another of its names, with a charset parameter
    assert.equal((await run({ host: `localhost:${port}`, origin: `http://localhost:${port}`, 'content-type': 'application/json; charset=utf-8' }, '{}')).status, 200);
    // curl or a script: no Origin, no Sec-Fetch-Site
    assert.equal((await run(json, '{}')).status, 200);
    const res = await fetch(`${base}/api/jobs/test.target/run`, { method: 'POST', headers: json, body: '{}' });
    assert.equal(res.status, 200);
    const now = await targetRuns();
    assert.equal(now.counted, before.counted + 4);
    assert.equal(now.stored, before.stored + 4);
  });

  test('reads stay open to every client, and unknown routes stay 404', async () => {
    assert.equal((await raw('GET', '/api/jobs', { origin: EVIL, 'sec-fetch-site': 'cross-site' })).status, 200);
    assertError(await raw('DELETE', '/api/status', { origin: EVIL }), 404, 'not_found');
  });
});

describe('allowed hosts (DNS rebinding)', () => {
  test("a request under a name that is not Lurk's is refused before any route runs, reads included", async () => {
    const before = await targetRuns();
    const rebound = { host: `evil.example:${port}` };
    for (const url of ['/api/status', '/api/jobs/test.target/runs', '/', '/status', '/healthz']) {
      assertError(await raw('GET', url, rebound), 421, 'host_not_allowed', /Host "evil\.example:\d+".*LURK_ALLOWED_HOSTS/);
    }
    // the rebinding page is same-origin with itself: Origin and Sec-Fetch-Site look right
    assertError(await run({ ...rebound, origin: `http://evil.example:${port}`, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, '{}'), 421, 'host_not_allowed');
    assert.deepEqual(await targetRuns(), before, 'the job did not run');
  });

  test('the default names are the listen address and the loopback names, on any port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `LOCALHOST.:${port}`, `[::1]:${port}`]) {
      assert.equal((await raw('GET', '/healthz', { host })).status, 200, host);
    }
  });

  test('the policy: listen address, every-interface defaults, explicit lists', () => {
    const local = hostPolicy('127.0.0.1', undefined);
    assert.ok(hostAllowed(local, '127.0.0.1:8080'));
    assert.ok(!hostAllowed(local, '192.168.1.5:8080'), 'another address is not this listener');
    assert.ok(!hostAllowed(local, 'localhost.evil.example'));
    assert.ok(hostAllowed(hostPolicy('lurk.lan', undefined), 'Lurk.LAN:8080'));
    // on every interface: the machine's name and addresses, never a foreign name
    const everywhere = hostPolicy('0.0.0.0', undefined);
    assert.ok(hostAllowed(everywhere, `${os.hostname()}:8080`));
    assert.ok(hostAllowed(everywhere, '192.168.1.5:8080'));
    assert.ok(hostAllowed(everywhere, '[fe80::1]:8080'));
    assert.ok(!hostAllowed(everywhere, 'evil.example:8080'));
    assert.ok(!hostAllowed(hostPolicy('::', undefined), 'evil.example'));
    // an explicit list is exactly that list
    const listed = hostPolicy('0.0.0.0', ['lurk.example.com', '.home.arpa', '192.168.1.5']);
    assert.ok(hostAllowed(listed, 'lurk.example.com:443'));
    assert.ok(hostAllowed(listed, 'nas.home.arpa'));
    assert.ok(hostAllowed(listed, 'home.arpa'));
    assert.ok(hostAllowed(listed, '192.168.1.5:8080'));
    assert.ok(!hostAllowed(listed, 'localhost:8080'));
    assert.ok(!hostAllowed(listed, 'evilhome.arpa'));
    assert.ok(hostAllowed(hostPolicy('127.0.0.1', ['*']), 'anything.example'));
  });
});

describe('WebSockets', () => {
  /** resolves with the first message, or rejects with the refusal's HTTP status */
  function open(headers: Record<string, string>, origin?: string): Promise<{ first: any; status?: never } | { status: number }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/status/live`, { headers, ...(origin ? { origin } : {}) });
      ws.once('message', (data) => {
        resolve({ first: JSON.parse(String(data)) });
        ws.close();
      });
      ws.once('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode! });
        res.resume();
        ws.terminate();
      });
      ws.once('error', (err) => reject(err));
    });
  }

  test('a socket from a foreign page is refused before it opens', async () => {
    assert.deepEqual(await open({}, EVIL), { status: 403 });
    assert.deepEqual(await open({ 'sec-fetch-site': 'cross-site' }, EVIL), { status: 403 });
    assert.deepEqual(await open({}, `http://127.0.0.1:${port + 1}`), { status: 403 });
    assert.deepEqual(await open({ host: `evil.example:${port}` }, `http://evil.example:${port}`), { status: 421 });
  });

  test('the server closes the connection of a refused handshake (no socket left open per attempt)', async () => {
    for (const headers of [`Origin: ${EVIL}`, `Host: evil.example:${port}`]) {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => (answer += d));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const handshake = [
        'GET /api/status/live HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ];
      socket.write([...handshake.filter((h) => !(headers.startsWith('Host') && h.startsWith('Host'))), headers, '', ''].join('\r\n'));
      try {
        await waitFor('the server to close the refused connection', () => (socket.readableEnded || socket.destroyed ? true : undefined), 5000);
      } finally {
        socket.destroy();
      }
      await closed;
      assert.match(answer, /^HTTP\/1\.1 (403|421) /, headers);
    }
  });

  test("a socket from Lurk's own page, or without Origin, opens", async () => {
    const own = await open({ 'sec-fetch-site': 'same-origin' }, base);
    assert.equal('first' in own && own.first.type, 'status');
    const script = await open({});
    assert.equal('first' in script && script.first.type, 'status');
  });
});

describe('security headers', () => {
  const uiBuilt = existsSync(path.join(ROOT, 'dist/ui/index.html'));

  function assertHardened(res: Answer, url: string) {
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/, url);
    assert.match(csp, /script-src 'self'(;|$)/, `${url}: no inline or foreign script`);
    assert.match(csp, /frame-src https:\/\/player\.twitch\.tv/, url);
    assert.match(csp, /img-src 'self' data: https:\/\/static-cdn\.jtvnw\.net/, url);
    assert.match(csp, /connect-src 'self'/, url);
    assert.match(csp, /object-src 'none'/, url);
    assert.match(csp, /frame-ancestors 'none'/, url);
    assert.equal(res.headers['x-frame-options'], 'DENY', url);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    assert.equal(res.headers['referrer-policy'], 'strict-origin-when-cross-origin', url);
  }

  test('the UI pages, an asset and the API carry them; index.html is never cached stale', async () => {
    assert.ok(uiBuilt, 'the UI must be built first (npm test runs the build)');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(readFileSync(path.join(ROOT, 'dist/ui/index.html'), 'utf8'))![1]!;
    for (const url of ['/', '/status', '/discover?game=x', '/watchtime', '/mood?channel=x', '/index.html']) {
      const res = await raw('GET', url);
      assert.equal(res.status, 200, url);
      assertHardened(res, url);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
    }
    const js = await raw('GET', asset);
    assert.equal(js.status, 200);
    assertHardened(js, asset);
    assert.match(String(js.headers['cache-control']), /immutable/);
    for (const url of ['/api/status', '/api/jobs/nope/runs', '/healthz']) assertHardened(await raw('GET', url), url);
    // refusals too
    assertHardened(await raw('GET', '/api/status', { host: 'evil.example' }), 'a 421');
  });

  test('overlay pages may be framed; the API docs keep their own policy and still load', async () => {
    for (const url of ['/overlay/anything', '/overlay/mood?channel=x']) {
      const overlay = await raw('GET', url);
      assert.equal(overlay.headers['x-frame-options'], undefined, url);
      assert.doesNotMatch(String(overlay.headers['content-security-policy']), /frame-ancestors/, url);
      assert.match(String(overlay.headers['content-security-policy']), /script-src 'self'/, url);
      assert.equal(overlay.headers['x-content-type-options'], 'nosniff', url);
    }
    // Mood's OBS overlay is a real page (the UI's index.html), not a 404 that happens to be frameable
    assert.equal((await raw('GET', '/overlay/mood?channel=x')).status, 200);

    const docs = await raw('GET', '/api/docs/');
    assert.equal(docs.status, 200);
    assert.match(String(docs.body), /swagger-ui/i);
    const docsCsp = String(docs.headers['content-security-policy']);
    assert.match(docsCsp, /validator\.swagger\.io/, "swagger-ui's own policy");
    assert.match(docsCsp, /frame-ancestors 'none'/);
    assert.doesNotMatch(docsCsp, /upgrade-insecure-requests/, 'a plain-HTTP Lurk keeps its docs assets on http');
    const init = /src="\.\/(static\/swagger-initializer\.js)"/.exec(String(docs.body))?.[1] ?? 'static/swagger-initializer.js';
    assert.equal((await raw('GET', `/api/docs/${init}`)).status, 200);
    assert.equal(docs.headers['x-content-type-options'], 'nosniff');
  });
});

test('request logs never carry an OAuth code or state, an overlay key or a token from the query', () => {
  assert.equal(loggedUrl('/auth/callback?code=abc123&scope=bits%3Aread&state=s3cr3t'), '/auth/callback?code=****&scope=bits%3Aread&state=****');
  assert.equal(loggedUrl('/api/live/socket?overlay=42.sig'), '/api/live/socket?overlay=****');
  assert.equal(loggedUrl('/api/live/overlay?channel=foo&key=42.sig'), '/api/live/overlay?channel=foo&key=****');
  assert.equal(loggedUrl('/api/discover/random?language=en'), '/api/discover/random?language=en', 'other parameters stay readable');
});
