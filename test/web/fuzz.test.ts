// Walks every route of /api/openapi.json with hostile values against a real `lurk start` child
// (its own process, so a request that freezes it is seen as a /healthz that stops answering, not
// as a hung test). Seeded: LURK_FUZZ_SEED=<n> replays or explores another sequence; the walk
// itself is test/helpers/fuzz.ts, shared with bench/hardening.bench.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort, waitFor } from '../helpers/app.js';
import { tempSqlite, type TestDatabase } from '../helpers/db.js';
import { fuzzRequests, FUZZ_SEED, operations, type OpenApiDoc, type Operation } from '../helpers/fuzz.js';
import { startLurk, stopLurk, type Running } from '../helpers/process.js';

const SEED = Number(process.env.LURK_FUZZ_SEED ?? FUZZ_SEED);

let db: TestDatabase;
let lurk: Running;
let base: string;
let port: number;

async function startChild(): Promise<void> {
  lurk = startLurk(['start'], { PORT: String(port), DATABASE_URL: db.url, LOG_LEVEL: 'warn', LURK_API_RATE_LIMIT: '0', LURK_DIGEST_DIR: 'off' });
  await waitFor('lurk /readyz', async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 30_000);
}

before(async () => {
  db = await tempSqlite();
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await startChild();
});

after(async () => {
  await stopLurk(lurk);
  await db.drop();
});

async function healthy(): Promise<boolean> {
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1_000) });
    await res.text();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** why a non-2xx body is not Lurk's error shape, or undefined when it is */
function shapeProblem(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 120)}`;
  }
  const e = (body as { error?: Record<string, unknown> })?.error;
  const ok =
    typeof body === 'object' &&
    body !== null &&
    Object.keys(body).join() === 'error' &&
    typeof e === 'object' &&
    e !== null &&
    Object.keys(e).sort().join() === 'code,message' &&
    typeof e.code === 'string' &&
    typeof e.message === 'string';
  return ok ? undefined : `not {"error":{"code","message"}}: ${text.slice(0, 160)}`;
}

test(`every route of the OpenAPI document survives hostile values (seed ${SEED})`, { timeout: 180_000 }, async (t) => {
  t.diagnostic(`LURK_FUZZ_SEED=${SEED}`);
  const ops = operations((await (await fetch(`${base}/api/openapi.json`)).json()) as OpenApiDoc);
  assert.ok(ops.length >= 15, `the OpenAPI document lists ${ops.length} operations`);

  const failures: string[] = [];
  let requests = 0;
  let restarts = 0;
  const send = async (op: Operation, target: string, body?: string) => {
    requests++;
    const what = `${op.method} ${target.length > 200 ? `${target.slice(0, 200)}…(${target.length})` : target}${body !== undefined ? ` body ${body.slice(0, 60)}` : ''}`;
    const init: RequestInit = { method: op.method, redirect: 'manual', signal: AbortSignal.timeout(15_000) };
    // state-changing requests as a same-origin JSON client sends them
    if (op.method !== 'GET') init.headers = { 'content-type': 'application/json', origin: base };
    if (body !== undefined) init.body = body;
    try {
      const res = await fetch(`${base}${target}`, init);
      const text = await res.text();
      if (res.status >= 500) failures.push(`${what} → ${res.status} ${text.slice(0, 160)}`);
      else if (res.status >= 400) {
        const problem = shapeProblem(text);
        if (problem) failures.push(`${what} → ${res.status} ${problem}`);
      }
    } catch (err) {
      failures.push(`${what} → no answer (${(err as Error).message})`);
    }
    if (!(await healthy())) {
      failures.push(`${what} → /healthz stopped answering within 1 s`);
      assert.ok(restarts++ < 3, `Lurk stopped answering too often:\n${failures.join('\n')}`);
      lurk.child.kill('SIGKILL');
      await lurk.exited;
      await startChild();
    }
  };

  for (const { op, target, body } of fuzzRequests(ops, SEED)) await send(op, target, body);
  t.diagnostic(`${requests} requests over ${ops.length} operations`);
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed (LURK_FUZZ_SEED=${SEED}):\n${failures.slice(0, 60).join('\n')}`);
});
