// Walks every route of /api/openapi.json with hostile values against a real `lurk start` child
// (its own process, so a request that freezes it is seen as a /healthz that stops answering, not
// as a hung test). Seeded: LURK_FUZZ_SEED=<n> replays or explores another sequence.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort, waitFor } from '../helpers/app.js';
import { tempSqlite, type TestDatabase } from '../helpers/db.js';
import { startLurk, type Running } from '../helpers/process.js';

const SEED = Number(process.env.LURK_FUZZ_SEED ?? 20261201);
/** random combinations per operation, on top of every value in every parameter */
const COMBINATIONS = 12;

/** mulberry32: small, seeded, the same sequence on every machine */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** a hostile value, already percent-encoded for a URL (so lone surrogates and %00 get through) */
type Raw = string;
const enc = encodeURIComponent;
const NUMBERS: Raw[] = ['1e309', '-1e309', 'NaN', 'Infinity', '-Infinity', '1e300', '-1e300', '-1', '-0', '0', String(2 ** 53 + 1), '0x10', enc(' 5 '), '1.5', '1e1', '', '%2B1', '0b11', '00001', '1%2C2', '4294967296'];
const STRINGS: Raw[] = [
  'x'.repeat(10_000),
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%ED%B0%80x',
  '%FF%FE',
  enc('\u202Eevil\u200F'),
  enc('😀'.repeat(40)),
  enc('１２３'),
  enc('\uFEFF1'),
  '%',
  '%zz',
  '..%2F..%2Fetc%2Fpasswd',
  '..',
  enc("' OR 1=1 --"),
  enc('<script>alert(1)</script>'),
  'null',
  'true',
  '%5B%5D',
  '%7B%7D',
  '__proto__',
  'constructor',
  enc('\r\nX-Injected: 1'),
];
const DATES: Raw[] = ['9999-12-31', '0000-01-01', '2026-02-30', '2026-13-01', '1999-12-31', '2200-01-01', '2026-1-1', '20260101', '2026-02-29', '2024-02-29', '%2B002026-01-01', '2026-01-01T00%3A00%3A00Z', '-001-01-01', '2000-01-01', '2199-12-31'];
const ALL: Raw[] = [...NUMBERS, ...STRINGS, ...DATES];
/** path parameters: the same, plus what a router might resolve */
const PATH_VALUES: Raw[] = [...ALL.filter((v) => v !== ''), '%2F', '..%2F..%2F..%2Fetc%2Fpasswd', 'a%2Fb', 'x'.repeat(101), '%2E%2E'];
const BODIES: string[] = ['', '{}', '[]', 'null', '"x"', '1e309', '-0', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}', '{', '{"limit":1e309}', JSON.stringify({ s: 'x'.repeat(1500) }), '"\\ud800"'];

interface Param {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: { type?: string | string[]; enum?: unknown[]; default?: unknown; minimum?: number; pattern?: string };
}
interface Operation {
  method: string;
  path: string;
  params: Param[];
}

/** a value the parameter accepts, so the other parameters' hostile values reach the handler */
function baseline(p: Param): string {
  const s = p.schema;
  if (s.enum) return String(s.enum[0]);
  if (s.default !== undefined) return String(s.default);
  if (s.type === 'integer' || s.type === 'number') return String(s.minimum ?? 1);
  const candidates = ['status.sample', '1', 'abc'];
  if (s.pattern) return candidates.find((c) => new RegExp(s.pattern!).test(c)) ?? 'abc';
  return 'abc';
}

function url(op: Operation, values: Map<Param, Raw[]>): string {
  let path = op.path;
  const query: string[] = [];
  for (const p of op.params) {
    const list = values.get(p) ?? (p.required || p.in === 'path' ? [enc(baseline(p))] : []);
    if (p.in === 'path') path = path.replace(`{${p.name}}`, list[0] ?? '');
    else for (const v of list) query.push(`${p.name}=${v}`);
  }
  return query.length ? `${path}?${query.join('&')}` : path;
}

let db: TestDatabase;
let lurk: Running;
let base: string;
let port: number;

async function startChild(): Promise<void> {
  lurk = startLurk(['start'], { PORT: String(port), DATABASE_URL: db.url, LOG_LEVEL: 'warn', LURK_API_RATE_LIMIT: '0', LURK_DIGEST_DIR: 'off' });
  await waitFor('lurk /readyz', async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 30_000);
}

async function stopChild(): Promise<void> {
  if (lurk.child.exitCode !== null || lurk.child.signalCode !== null) return;
  lurk.child.kill('SIGTERM');
  // a frozen process ignores SIGTERM; do not let it outlive the test
  const killer = setTimeout(() => lurk.child.kill('SIGKILL'), 5_000);
  await lurk.exited;
  clearTimeout(killer);
}

before(async () => {
  db = await tempSqlite();
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await startChild();
});

after(async () => {
  await stopChild();
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
    typeof body === 'object' && body !== null && Object.keys(body).join() === 'error' &&
    typeof e === 'object' && e !== null && Object.keys(e).sort().join() === 'code,message' && typeof e.code === 'string' && typeof e.message === 'string';
  return ok ? undefined : `not {"error":{"code","message"}}: ${text.slice(0, 160)}`;
}

test(`every route of the OpenAPI document survives hostile values (seed ${SEED})`, { timeout: 180_000 }, async (t) => {
  t.diagnostic(`LURK_FUZZ_SEED=${SEED}`);
  const random = prng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: Param[] }>> };

  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({ method: method.toUpperCase(), path, params: (op.parameters ?? []).map((p) => ({ ...p, required: p.required ?? p.in === 'path', schema: p.schema ?? {} })) });
    }
  }
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

  for (const op of ops) {
    // every value in every parameter, the others at an accepted baseline
    for (const p of op.params) {
      const values = p.in === 'path' ? PATH_VALUES : ALL;
      for (const v of values) await send(op, url(op, new Map([[p, [v]]])));
      // repeated parameters
      if (p.in === 'query') await send(op, url(op, new Map([[p, [pick(ALL), pick(ALL)]]])));
    }
    // random combinations of every parameter at once
    for (let i = 0; i < COMBINATIONS && op.params.length > 0; i++) {
      const values = new Map(op.params.filter(() => random() < 0.7).map((p) => [p, [pick(p.in === 'path' ? PATH_VALUES : ALL)]] as [Param, Raw[]]));
      await send(op, url(op, values));
    }
    // an unknown parameter, and an empty one
    await send(op, `${url(op, new Map())}${op.params.some((p) => p.in === 'query' && p.required) ? '&' : '?'}${pick(STRINGS)}=${pick(ALL)}`);
    if (op.method !== 'GET') for (const body of BODIES) await send(op, url(op, new Map()), body);
  }
  t.diagnostic(`${requests} requests over ${ops.length} operations`);
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed (LURK_FUZZ_SEED=${SEED}):\n${failures.slice(0, 60).join('\n')}`);
});
