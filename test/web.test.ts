import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import AjvModule from 'ajv';
import WebSocket from 'ws';
import { createLurk, type Lurk } from '../src/app.js';
import { finiteNumbers, withFiniteNumbers } from '../src/web/numbers.js';
import { tempSqlite, type TestDatabase } from './helpers/db.js';
import { memoryLogger, testConfig, waitFor } from './helpers/app.js';

let db: TestDatabase;
let lurk: Lurk;
let base: string;
let releaseSlow: (() => void) | undefined;
let releaseBlocking: (() => void) | undefined;
let releaseUnderWay: (() => void) | undefined;

before(async () => {
  db = await tempSqlite();
  lurk = await createLurk(testConfig({ DATABASE_URL: db.url, LURK_BODY_LIMIT: '2048' }), { log: memoryLogger().log });
  // a slow route to prove in-flight requests are drained on shutdown
  lurk.web.get('/test/slow', { schema: { hide: true } }, async () => {
    await new Promise<void>((r) => (releaseSlow = r));
    return { done: true };
  });
  // a body with numbers, to show the finite-number rule covers bodies too
  lurk.web.post(
    '/test/numbers',
    { schema: { hide: true, body: { type: 'object', properties: { n: { type: 'number' }, ids: { type: 'array', items: { type: 'integer' } } } } } },
    async (request) => request.body,
  );
  // a response under way: its headers and part of its body are sent, the rest waits for the test
  lurk.web.get('/test/under-way', { schema: { hide: true } }, async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10' });
    reply.raw.write('hello');
    await new Promise<void>((r) => (releaseUnderWay = r));
    reply.raw.end('world');
  });
  lurk.scheduler.register({
    name: 'test.blocking',
    description: 'waits until the test lets it finish',
    schedule: { cron: '0 0 1 1 *' },
    run: () => new Promise<void>((r) => (releaseBlocking = r)),
  });
  base = await lurk.start();
});

after(async () => {
  await lurk.stop();
  await db.drop();
});

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('health', () => {
  test('/healthz and /readyz answer', async () => {
    assert.deepEqual((await json('/healthz')).body, { status: 'ok' });
    const ready = await json('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  test('/metrics exposes HTTP latency, job runs and DB errors', async () => {
    await json('/healthz');
    await lurk.scheduler.runNow('status.sample');
    await lurk.bus.drain();
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /lurk_http_request_duration_seconds_bucket\{[^}]*route="\/healthz"/);
    assert.match(text, /lurk_job_runs_total\{job="status.sample",outcome="ok",trigger="manual"/);
    assert.match(text, /lurk_db_errors_total\{app="lurk"\} \d+/);
    assert.match(text, /lurk_process_resident_memory_bytes/);
  });
});

describe('one error format', () => {
  test('unknown routes are a JSON 404', async () => {
    const res = await json('/no/such/thing?x=1');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: { code: 'not_found', message: 'No route GET /no/such/thing' } });
    const post = await json('/api/status', { method: 'DELETE' });
    assert.equal(post.status, 404);
    assert.equal(post.body.error.code, 'not_found');
  });

  test('schema validation failures are a 400 naming the field', async () => {
    const res = await json('/api/jobs/status.sample/runs?limit=5000');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'bad_request');
    assert.match(res.body.error.message, /querystring\.limit must be <= 1000/);
    const unknownParam = await json('/api/jobs/status.sample/runs?colour=red');
    assert.equal(unknownParam.status, 400);
    assert.match(unknownParam.body.error.message, /must NOT have additional properties/);
  });

  test('non-finite numbers and unsafe integers are a 400 naming the field, on every route', async () => {
    for (const [query, message] of [
      ['limit=1e309', /querystring\.limit must be a finite number/],
      ['limit=-1e309', /querystring\.limit must be a finite number/],
      ['limit=Infinity', /querystring\.limit must be a finite number/],
      ['limit=1e300', /querystring\.limit must be an integer from -9007199254740991 to 9007199254740991/],
    ] as const) {
      const res = await json(`/api/jobs/status.sample/runs?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.code, 'bad_request');
      assert.match(res.body.error.message, message, query);
    }
    assert.equal((await json('/api/jobs/status.sample/runs?limit=-0')).status, 400, '-0 is below the minimum of 1');
    // JSON.parse reads 1e309 as Infinity too
    const post = (body: string) => json('/test/numbers', { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body });
    const infinite = await post('{"n":1e309,"ids":[1,2e300]}');
    assert.equal(infinite.status, 400);
    assert.match(infinite.body.error.message, /body\.n must be a finite number/);
    assert.match(infinite.body.error.message, /body\.ids\.1 must be an integer from/);
    assert.deepEqual((await post('{"n":1e300,"ids":[-0,9007199254740991]}')).body, { n: 1e300, ids: [0, 9007199254740991] });
    // the OpenAPI document shows the schemas as written
    assert.doesNotMatch(await (await fetch(`${base}/api/openapi.json`)).text(), /finiteNumber/);
  });

  test('the finite-number check reaches every number schema, and only schemas', () => {
    const schema = {
      type: 'object',
      properties: { default: { type: 'integer' }, n: { type: ['number', 'null'] }, list: { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'string' }] } } },
      default: { n: { type: 'number' } },
    };
    const copy = withFiniteNumbers(schema) as any;
    assert.equal(copy.properties.default.finiteNumber, 'integer');
    assert.equal(copy.properties.n.finiteNumber, 'number');
    assert.equal(copy.properties.list.items.anyOf[0].finiteNumber, 'integer');
    assert.equal(copy.properties.list.items.anyOf[1].finiteNumber, undefined);
    assert.deepEqual(copy.default, { n: { type: 'number' } }, 'data is left alone');
    assert.equal(JSON.stringify(schema).includes('finiteNumber'), false, 'the route schema stays as written');
  });

  test('the finite-number check, compiled: a number-or-integer takes fractions, and a schema dependency is a schema', () => {
    const ajv = finiteNumbers(new AjvModule.default({ coerceTypes: true, allErrors: true }));
    const either = ajv.compile({ type: ['integer', 'number'] });
    assert.equal(either(1.5), true, 'a number is allowed, so 1.5 is');
    assert.equal(either('1e309'), false, 'coerced to Infinity');
    // draft-07 `dependencies`: its keys are property names, one may be called "enum"
    const dependent = ajv.compile({ type: 'object', dependencies: { enum: { properties: { n: { type: 'integer' } } } } });
    assert.equal(dependent({ enum: 1, n: 3 }), true);
    assert.equal(dependent({ enum: 1, n: '1e309' }), false, 'coerced to Infinity');
    assert.equal(dependent({ enum: 1, n: 2 ** 53 + 2 }), false, 'an unsafe integer');
  });

  test('what the router refuses is in the same shape: a long path parameter is a 414, a bad %-escape a 400', async () => {
    const long = await json(`/api/jobs/${'x'.repeat(101)}/runs`);
    assert.equal(long.status, 414);
    assert.deepEqual(long.body, { error: { code: 'uri_too_long', message: 'A part of the URL path is longer than 100 characters.' } });
    for (const bad of ['%ED%A0%80', '%zz', '%FF']) {
      const res = await json(`/api/jobs/${bad}/runs`);
      assert.equal(res.status, 400, bad);
      assert.deepEqual(res.body, { error: { code: 'bad_request', message: 'The URL path has a %-escape that is not valid UTF-8.' } });
    }
  });

  test("what Node's HTTP parser refuses is in the same shape: a URL over 16 KB is a 431", async () => {
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(base);
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
        let answer = '';
        socket.on('data', (d) => (answer += d));
        socket.on('end', () => resolve(answer));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
        socket.setTimeout(5_000, () => socket.destroy(new Error('no answer in 5 s')));
      });
    const tooLong = await raw(`GET /api/jobs?q=${'x'.repeat(17 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const [head, body] = tooLong.split('\r\n\r\n') as [string, string];
    assert.match(head, /^HTTP\/1\.1 431 /);
    assert.match(head, /content-type: application\/json/i);
    assert.deepEqual(JSON.parse(body), { error: { code: 'headers_too_large', message: 'The request line and headers are larger than 16384 bytes.' } });
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(garbage.split('\r\n\r\n')[1]!).error.code, 'bad_request');
    assert.deepEqual((await json('/healthz')).body, { status: 'ok' });
  });

  test('a malformed request pipelined behind a response under way closes the connection without writing into that response', async () => {
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    try {
      socket.write('GET /test/under-way HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await waitFor('the first part of the response', () => answer.includes('hello'), 5_000);
      socket.write('NOT HTTP AT ALL\r\n\r\n');
      await closed;
    } finally {
      releaseUnderWay?.();
      socket.destroy();
    }
    // what the client read is the response it asked for, cut short; no second status line inside its body
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.equal(answer.match(/HTTP\/1\.1/g)?.length, 1, answer);
    assert.deepEqual((await json('/healthz')).body, { status: 'ok' });
  });

  test('bodies over the limit are a 413', async () => {
    const res = await json('/api/jobs/status.sample/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(4096) }) });
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, { error: { code: 'payload_too_large', message: 'Request body is larger than the limit of 2048 bytes.' } });
  });

  test('malformed JSON is a 400', async () => {
    const res = await json('/api/jobs/status.sample/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'bad_request');
  });

  test('an unknown job is a 404 and a running one a 409', async () => {
    const missing = await json('/api/jobs/nope/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: { code: 'not_found', message: 'No job named nope' } });
    const first = lurk.scheduler.runNow('test.blocking');
    const busy = await json('/api/jobs/test.blocking/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(busy.status, 409);
    assert.deepEqual(busy.body, { error: { code: 'conflict', message: 'Job test.blocking is already running' } });
    releaseBlocking!();
    await first;
  });

  test('a database failure is a 500 that reveals nothing and is counted', async () => {
    const { sql } = await import('kysely');
    await sql`alter table job_runs rename to job_runs_away`.execute(lurk.store.db);
    try {
      const res = await json('/api/jobs/store.maintenance/runs');
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, { error: { code: 'internal_error', message: 'Something went wrong on the server; the details are in its log.' } });
    } finally {
      await sql`alter table job_runs_away rename to job_runs`.execute(lurk.store.db);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /lurk_db_errors_total\{app="lurk"\} [1-9]/);
  });
});

describe('OpenAPI', () => {
  test('the document is generated from the route schemas', async () => {
    const doc = (await json('/api/openapi.json')).body;
    assert.equal(doc.openapi, '3.0.3');
    assert.ok(doc.paths['/api/status'].get);
    assert.ok(doc.paths['/api/jobs/{name}/run'].post);
    const limit = doc.paths['/api/jobs/{name}/runs'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.equal(limit.schema.maximum, 1000);
    assert.ok(doc.components.schemas.Error);
    assert.equal(doc.paths['/test/slow'], undefined);
  });

  test('a browsable page is served at /api/docs', async () => {
    const res = await fetch(`${base}/api/docs/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /swagger-ui/i);
  });
});

describe('status', () => {
  test('the snapshot reports mode, database and jobs', async () => {
    const { body } = await json('/api/status');
    assert.equal(body.mode, 'simulator');
    assert.equal(body.twitch, 'Simulated Twitch');
    assert.equal(body.database.kind, 'sqlite');
    // the small world's size is fixed; which of its channels are live moves on with its clock
    assert.equal(body.simulator.channels, 800);
    assert.ok(body.simulator.live_channels > 100 && body.simulator.live_channels <= 300, `${body.simulator.live_channels} live`);
    assert.equal(body.simulator.clock.mode, 'real time');
    // the simulator answers where Lurk says it is
    const world = (await (await fetch(`http://localhost:${body.simulator.ports.http}/_sim/world`)).json()) as { seed: number };
    assert.equal(world.seed, body.simulator.seed);
    assert.equal(lurk.twitch().endpoints.helix, `http://localhost:${body.simulator.ports.http}/helix`);
    assert.deepEqual(body.jobs.map((j: { name: string }) => j.name).sort(), [
      'audience.daily',
      'audience.prune',
      'discover.sweep',
      'eventsub.prune',
      'eventsub.reconcile',
      'live.prune',
      'live.refresh',
      'live.sessions.prune',
      'live.validate',
      'mood.prune',
      'status.sample',
      'store.maintenance',
      'test.blocking',
      'watchtime.digest',
      'watchtime.digest-retry',
      'watchtime.maintenance',
    ]);
  });

  test('job runs are stored and listed', async () => {
    await json('/api/jobs/store.maintenance/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await lurk.bus.drain();
    const runs = (await json('/api/jobs/store.maintenance/runs?limit=5')).body;
    assert.ok(runs.length >= 1);
    assert.equal(runs.at(-1).trigger, 'manual');
    assert.equal(runs.at(-1).outcome, 'ok');
  });

  test('the live socket pushes a snapshot at connect and again when a job runs', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/status/live`);
    const messages: any[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    await waitFor('first snapshot', () => messages.length >= 1 || undefined);
    assert.equal(messages[0].type, 'status');
    const before = messages[0].data.jobs.find((j: { name: string }) => j.name === 'store.maintenance').runs;
    await fetch(`${base}/api/jobs/store.maintenance/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const updated = await waitFor('pushed update', () =>
      messages.map((m) => m.data?.jobs?.find((j: { name: string }) => j.name === 'store.maintenance')).find((j) => j && j.runs > before && !j.running),
    );
    assert.equal(updated.lastRun.trigger, 'manual');
    ws.close();
  });
});

describe('shutdown', () => {
  test('stop drains an in-flight request before closing', async () => {
    const pending = fetch(`${base}/test/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await waitFor('slow request to arrive', () => releaseSlow);
    const stopping = lurk.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(stopped, false, 'stop waits for the in-flight request');
    releaseSlow!();
    const res = await pending;
    assert.deepEqual(res, { status: 200, body: { done: true } });
    await stopping;
    await assert.rejects(fetch(`${base}/healthz`));
  });
});
