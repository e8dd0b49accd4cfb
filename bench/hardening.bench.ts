// Hardening (#9): what turning hostile requests away costs a real `lurk start` child (scratch
// SQLite database, embedded simulator, rate limit off so every request reaches validation), each
// figure beside a request the same server answers in the same run: GET /healthz, or one valid
// day of the same route. The hostile mix is the API fuzz test's own seeded walk
// (test/helpers/fuzz.ts). Requests go over keep-alive node:http pools, timed one by one with
// performance.now() (autocannon's histogram rounds to whole milliseconds).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { freePort, waitFor } from '../test/helpers/app.js';
import { tempSqlite } from '../test/helpers/db.js';
import { FUZZ_SEED, fuzzRequests, operations, type OpenApiDoc } from '../test/helpers/fuzz.js';
import { startLurk, stopLurk } from '../test/helpers/process.js';
import { interleavedMedians, median, type BenchContext, type Figure } from './lib.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
/** a request that takes longer than this is a frozen server, not a slow figure */
const REQUEST_TIMEOUT_MS = 15_000;

interface Req {
  method: string;
  path: string;
  body?: string;
}

interface Answer {
  status: number;
  ms: number;
}

/** One request on a keep-alive pool; status 0 when the socket failed (a 431 closes it, say). */
function send(agent: http.Agent, port: number, req: Req): Promise<Answer> {
  return new Promise((resolve) => {
    const start = performance.now();
    // state-changing requests as a same-origin JSON client sends them, as the fuzz test does
    const headers: http.OutgoingHttpHeaders = req.method === 'GET' ? {} : { 'content-type': 'application/json', origin: `http://${HOST}:${port}` };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const r = http.request({ host: HOST, port, method: req.method, path: req.path, agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
      res.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
    r.end(req.body);
  });
}

interface Run {
  answers: Answer[];
  wallMs: number;
}

/** `requests` in order over `connections` keep-alive sockets; `stop` ends a cycling run early. */
async function drive(port: number, requests: readonly Req[], connections: number, stop?: () => boolean): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const answers: Answer[] = [];
  let next = 0;
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (stop ? !stop() : next < requests.length) answers.push(await send(agent, port, requests[next++ % requests.length]!));
      }),
    );
    return { answers, wallMs: performance.now() - start };
  } finally {
    agent.destroy();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Stats {
  rps: number;
  p50: number;
  p99: number;
  max: number;
}

/** The figures of one run, after checking every answer is the status the figure is about. */
function stats(run: Run, what: string, expect: (status: number) => boolean): Stats {
  const wrong = run.answers.filter((a) => !expect(a.status));
  if (wrong.length > 0) throw new Error(`${what}: ${wrong.length} of ${run.answers.length} answers had an unexpected status (${[...new Set(wrong.map((a) => a.status))].join(', ')})`);
  const ms = run.answers.map((a) => a.ms);
  return { rps: run.answers.length / (run.wallMs / 1000), p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(...ms) };
}

/** interleavedMedians for measurements that yield several numbers: the median of each. */
async function interleavedStats(runs: number, measures: readonly (() => Promise<Stats>)[], before: (round: number, index: number) => void): Promise<Stats[]> {
  const kept = measures.map(() => [] as Stats[]);
  await interleavedMedians(
    runs,
    measures.map((measure, i) => async () => {
      kept[i]!.push(await measure());
      return 0;
    }),
    before,
  );
  // the first entry is the warm-up round's
  const of = (i: number, key: keyof Stats) => median(kept[i]!.slice(1).map((s) => s[key]));
  return measures.map((_, i) => ({ rps: of(i, 'rps'), p50: of(i, 'p50'), p99: of(i, 'p99'), max: of(i, 'max') }));
}

const ok = (status: number) => status === 200;
const badRequest = (status: number) => status === 400;
/** the walk's answers: any 4xx, or a 2xx where its hostile value was harmless; never a 5xx */
const handled = (status: number) => status >= 200 && status < 500;

export default async function hardeningBench(ctx: BenchContext): Promise<Figure[]> {
  const runs = ctx.quick ? 2 : 5;
  const burst = ctx.quick ? 400 : 2_000;
  const sequential = ctx.quick ? 80 : 300;
  const probes = ctx.quick ? 200 : 1_000;
  const connections = 4;
  const rounds = (name: string) => (round: number, i: number) => ctx.log(`${name} ${round === 0 ? 'warm-up' : `round ${round}/${runs}`}: ${i === 0 ? 'anchor' : 'measured'}…`);

  const db = await tempSqlite();
  const port = await freePort();
  const lurk = startLurk(['start'], { PORT: String(port), HOST, DATABASE_URL: db.url, LOG_LEVEL: 'warn', LURK_API_RATE_LIMIT: '0', LURK_DIGEST_DIR: 'off' });
  try {
    ctx.log('lurk start on a scratch SQLite database…');
    await waitFor('lurk /readyz', async () => ((await fetch(`http://${HOST}:${port}/readyz`)).ok ? true : undefined), READY_TIMEOUT_MS);
    const doc = (await (await fetch(`http://${HOST}:${port}/api/openapi.json`)).json()) as OpenApiDoc;
    const ops = operations(doc);
    const walk: Req[] = [...fuzzRequests(ops, FUZZ_SEED)].map(({ op, target, body }) => ({ method: op.method, path: target, ...(body !== undefined ? { body } : {}) }));
    // quick: every fourth request, so every operation still gets its share
    const hostile = ctx.quick ? walk.filter((_, i) => i % 4 === 0) : walk;
    const healthz = (n: number): Req[] => Array.from({ length: n }, () => ({ method: 'GET', path: '/healthz' }));
    const figures: Figure[] = [];

    // 1. a non-finite number, refused by the Ajv plugin before the handler
    const infinite = Array.from({ length: burst }, () => ({ method: 'GET', path: '/api/streams/random?count=1e309' }));
    const [h1, inf] = await interleavedStats(
      runs,
      [async () => stats(await drive(port, healthz(burst), connections), 'GET /healthz', ok), async () => stats(await drive(port, infinite, connections), 'count=1e309', badRequest)],
      rounds('count=1e309'),
    );
    const note1 = `${burst.toLocaleString()} requests over ${connections} keep-alive connections, median of ${runs} interleaved rounds after a warm-up`;
    figures.push(
      {
        name: 'hardening: GET /api/streams/random?count=1e309 → 400, throughput',
        value: inf!.rps,
        unit: 'req/s',
        anchor: 'GET /healthz, same server and pool',
        anchorValue: h1!.rps,
        better: 'higher',
        note: note1,
      },
      {
        name: 'hardening: GET /api/streams/random?count=1e309 → 400, p99 latency',
        value: inf!.p99,
        unit: 'ms',
        anchor: 'GET /healthz p99, same server and pool',
        anchorValue: h1!.p99,
        better: 'lower',
        note: `${note1}; p50 ${inf!.p50.toFixed(2)} vs ${h1!.p50.toFixed(2)} ms`,
      },
    );

    // 2. a 200-year range, refused by counting days before any list of them is built
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const oneDay = Array.from({ length: sequential }, () => ({ method: 'GET', path: `/api/watchtime/top?kind=games&from=${yesterday}&to=${yesterday}` }));
    const tooLong = Array.from({ length: sequential }, () => ({ method: 'GET', path: '/api/watchtime/top?kind=games&from=2000-01-01&to=2199-12-31' }));
    const [day, range] = await interleavedStats(
      runs,
      [async () => stats(await drive(port, oneDay, 1), 'one valid day', ok), async () => stats(await drive(port, tooLong, 1), '2000-01-01..2199-12-31', badRequest)],
      rounds('watch-time range'),
    );
    figures.push({
      name: 'hardening: GET /api/watchtime/top 2000-01-01..2199-12-31 → 400, median latency',
      value: range!.p50,
      unit: 'ms',
      anchor: `the same route for one valid day (${yesterday}) → 200`,
      anchorValue: day!.p50,
      better: 'lower',
      note: `${sequential} sequential requests on one keep-alive connection, median of ${runs} interleaved rounds; scratch database, so the valid day reads an empty rollup`,
    });

    // 3. the fuzz walk as fast as the server answers it
    const [h3, fuzz] = await interleavedStats(
      runs,
      [async () => stats(await drive(port, healthz(hostile.length), connections), 'GET /healthz', ok), async () => stats(await drive(port, hostile, connections), 'the fuzz walk', handled)],
      rounds('fuzz walk'),
    );
    figures.push({
      name: `hardening: the API fuzz walk (${hostile.length.toLocaleString()} hostile requests over ${ops.length} operations), throughput`,
      value: fuzz!.rps,
      unit: 'req/s',
      anchor: `${hostile.length.toLocaleString()} × GET /healthz, same pool`,
      anchorValue: h3!.rps,
      better: 'higher',
      note: `seed ${FUZZ_SEED}, ${connections} keep-alive connections, median of ${runs} interleaved rounds; every answer a 2xx–4xx (checked), p99 ${fuzz!.p99.toFixed(1)} ms`,
    });

    // 4. /healthz while a second pool keeps sending the hostile mix
    let loaded = false;
    const underLoad = async (): Promise<Stats> => {
      loaded = true;
      const load = drive(port, hostile, connections, () => !loaded);
      try {
        return stats(await drive(port, healthz(probes), 1), 'GET /healthz under the hostile mix', ok);
      } finally {
        loaded = false;
        stats(await load, 'the hostile mix', handled);
      }
    };
    const [quiet, busy] = await interleavedStats(runs, [async () => stats(await drive(port, healthz(probes), 1), 'GET /healthz', ok), underLoad], rounds('/healthz under load'));
    figures.push({
      name: `hardening: GET /healthz p99 while ${connections} connections send the fuzz walk`,
      value: busy!.p99,
      unit: 'ms',
      anchor: 'GET /healthz p99 with no other load',
      anchorValue: quiet!.p99,
      better: 'lower',
      note: `${probes.toLocaleString()} sequential probes on a connection of their own, median of ${runs} interleaved rounds; every probe answered 200 (checked); p50 ${busy!.p50.toFixed(2)} vs ${quiet!.p50.toFixed(2)} ms, slowest ${busy!.max.toFixed(1)} vs ${quiet!.max.toFixed(1)} ms`,
    });
    return figures;
  } finally {
    await stopLurk(lurk);
    await db.drop();
  }
}
