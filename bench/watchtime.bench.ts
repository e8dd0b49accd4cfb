// Watch time: accuracy against the simulator's ground truth over one Lurk day (real Sweeper over
// HTTP into a real WatchtimeService) beside @TwitchWatchTime's 30-minute sampling on the same
// sweeps; the CPU cost of ingesting one 100k-stream sweep beside a raw better-sqlite3 loop;
// leaderboard latency over 30 days of 100k-stream rollups beside the naive GROUP BY; and digest
// chart rendering beside a bare canvas encode.
//   LURK_BENCH_WATCHTIME_ONLY=accuracy,ingest,leaderboards,charts   runs some parts only
//   LURK_BENCH_WATCHTIME_LIVE=3000 LURK_BENCH_WATCHTIME_HOURS=24      sizes the accuracy world
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createCanvas } from '@napi-rs/canvas';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { loadConfig, type WatchtimeConfig } from '../src/config/load.js';
import { InProcessBus } from '../src/core/bus.js';
import { ManualClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { DiscoverStore } from '../src/discover/store.js';
import { Sweeper } from '../src/discover/sweeper.js';
import { renderBarChart } from '../src/publish/chart.js';
import { openStore, type Store } from '../src/store/database.js';
import type { Database } from '../src/store/schema.js';
import { AppTokenProvider } from '../src/twitch/app-token.js';
import { HelixBudget } from '../src/twitch/budget.js';
import { HelixClient } from '../src/twitch/helix-client.js';
import type { HelixStream } from '../src/twitch/helix.external.js';
import type { WatchQueries } from '../src/watchtime/queries.js';
import { WatchtimeService } from '../src/watchtime/service.js';
import { median, type BenchContext, type Figure } from './lib.js';
import { postgresCpuMs, scratchPostgres } from './support/postgres.js';
import { mulberry32 } from './support/streams.js';
import { gameId, gameName, GAMES, login, nextSweep, rollupDays, sweepStreams, userId, Zipf, type RollupDay, type RollupShape } from './support/watchtime-data.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const log = createLogger('warn');

/** Watch time's settings as shipped (no config file, no environment) */
function defaultConfig(dir: string): WatchtimeConfig {
  return loadConfig({ env: {}, cwd: dir }).watchtime;
}

async function child(root: string, script: string, args: string[]): Promise<{ process: ChildProcess; info: Record<string, any> }> {
  const proc = spawn(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', path.join(root, 'bench/support', script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: proc.stdout! }), 'line')) as [string];
  return { process: proc, info: JSON.parse(line) };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  await exited;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** CPU (user + system) and wall milliseconds of `fn` */
async function measured(fn: () => Promise<unknown> | unknown): Promise<{ cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started };
}

// ================================================================ 1. accuracy against the truth
// The truth integrates every viewer's real presence; Helix's viewer_count, like Twitch's, is
// refreshed once a minute per channel, so Lurk sees each audience 0–60 s late. That lag, not the
// integration, is what separates Lurk from the truth: at a stream's end the last half minute or
// so of its real audience is never reported, and a raid shows up to a minute late.

const DAY = '2026-11-23';
const DAY_START = Date.UTC(2026, 10, 23, 8); // the default Lurk day starts at 08:00 UTC
/** sweeps before the day, so streams already live at 08:00 are not "first seen" at 08:00 */
const WARMUP_MS = 10 * MINUTE_MS;
/** truth is kept ~6 simulated hours: it is fetched in windows of at most this */
const TRUTH_WINDOW_MS = 3 * HOUR_MS;

type Hours = Map<string, number>;

interface Ranked {
  games: Hours;
  streamers: Hours;
}

function credit(map: Hours, id: string, hours: number): void {
  map.set(id, (map.get(id) ?? 0) + hours);
}

function topIds(hours: Hours, n: number): string[] {
  return [...hours.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([id]) => id);
}

interface ErrorSummary {
  /** relative errors in per cent, one per top-50 id of the truth */
  errors: number[];
  max: number;
  median: number;
  /** mean of the signed errors: a bias shows here, noise averages out */
  bias: number;
  worst: string;
}

function errorsAgainst(truth: Hours, ids: readonly string[], measured: (id: string) => number): ErrorSummary {
  const signed = ids.map((id) => ((measured(id) - truth.get(id)!) / truth.get(id)!) * 100);
  const errors = signed.map(Math.abs);
  const worstAt = errors.indexOf(Math.max(...errors));
  return { errors, max: errors[worstAt]!, median: median(errors), bias: mean(signed), worst: ids[worstAt]! };
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

interface TruthAnswer {
  final_until: string;
  horizon: string;
  rows: { game_id?: string; user_id?: string; hours: number }[];
}

/** the simulator's exact hours watched in [from, to), by game and by streamer */
async function truthBetween(base: string, from: number, to: number, into: Ranked): Promise<void> {
  for (const by of ['game', 'streamer'] as const) {
    const answer = await getJson<TruthAnswer>(`${base}/_sim/truth/watchtime?by=${by}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
    if (Date.parse(answer.horizon) > from || Date.parse(answer.final_until) < to) {
      throw new Error(`truth for ${new Date(from).toISOString()}–${new Date(to).toISOString()} is not exact (horizon ${answer.horizon}, final until ${answer.final_until})`);
    }
    for (const row of answer.rows) credit(by === 'game' ? into.games : into.streamers, (by === 'game' ? row.game_id : row.user_id)!, row.hours);
  }
}

export interface AccuracyRun {
  live: number;
  hours: number;
  sweeps: number;
  wallS: number;
  truth: Ranked;
  lurk: { games: ErrorSummary; streamers: ErrorSummary; top5Games: boolean; top5Streamers: boolean; totalError: number };
  original: { games: ErrorSummary; streamers: ErrorSummary; top5Games: boolean; top5Streamers: boolean; totalError: number };
  first100: { games: ErrorSummary; streamers: ErrorSummary; top5Games: boolean; top5Streamers: boolean; totalError: number };
}

/**
 * One Lurk day (or, quick, its first hours) swept once a simulated minute on a stepped clock:
 * the real Sweeper fetches every page over HTTP and publishes it on the bus, the real
 * WatchtimeService integrates and writes to SQLite; the original bot's method is replayed on
 * every 30th sweep of the same data.
 */
async function accuracyRun(ctx: BenchContext, live: number, hours: number): Promise<AccuracyRun> {
  const dayEnd = DAY_START + hours * HOUR_MS;
  const fullDay = hours === 24;
  // a full day is swept past its end until every stream that ended in it has been closed
  // (gap cap 600 s); a partial day stops at its end, since later credit would land in it too
  const lastSweep = fullDay ? dayEnd + 11 * MINUTE_MS : dayEnd;
  const windowMs = Math.min(TRUTH_WINDOW_MS, hours * HOUR_MS);
  const first = DAY_START - WARMUP_MS;
  const sim = await child(ctx.root, 'sim-server.ts', [String(live), '26', '0', new Date(first).toISOString()]);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-bench-watchtime-'));
  let store: Store | undefined;
  try {
    store = await openStore({ url: `sqlite:${path.join(dir, 'lurk.db')}` });
    await store.migrate();
    const base = `http://127.0.0.1:${sim.info.port}`;
    const clock = new ManualClock(first);
    const bus = new InProcessBus(log);
    const service = new WatchtimeService({ db: store.db, clock, log, config: defaultConfig(dir) });
    await service.start(bus);
    // the simulator's limit is off; the client's own budget must not pace a stepped world either
    const budget = new HelixBudget({ limit: 1_000_000_000 });
    const helix = new HelixClient({ base: `${base}/helix`, tokens: new AppTokenProvider({ clientId: sim.info.clientId, clientSecret: sim.info.clientSecret, oauth: `${base}/oauth2` }), budget });

    // @TwitchWatchTime: every 30 minutes, each stream's viewer_count × 0.5 h
    const original: Ranked = { games: new Map(), streamers: new Map() };
    const first100: Ranked = { games: new Map(), streamers: new Map() };
    let originalSample = false;
    let page = 0;
    const sweeper = new Sweeper({
      helix,
      budget,
      store: new DiscoverStore(store.db, store.facts),
      bus,
      clock,
      log,
      languages: [],
      graceSweeps: 2,
      onStreams: (streams) => {
        page++;
        if (!originalSample) return;
        for (const s of streams) {
          const targets = page === 1 ? [original, first100] : [original];
          for (const t of targets) {
            credit(t.games, s.game_id, s.viewer_count * 0.5);
            credit(t.streamers, s.user_id, s.viewer_count * 0.5);
          }
        }
      },
    });

    const truth: Ranked = { games: new Map(), streamers: new Map() };
    const started = performance.now();
    let sweeps = 0;
    const spent = { sweep: 0, advance: 0 };
    const cpuAtStart = process.cpuUsage();
    for (let t = first; t <= lastSweep; t += MINUTE_MS) {
      page = 0;
      originalSample = t >= DAY_START && t < dayEnd && (t - DAY_START) % (30 * MINUTE_MS) === 0;
      const sweepStarted = performance.now();
      await sweeper.sweep();
      const sweepDone = performance.now();
      spent.sweep += sweepDone - sweepStarted;
      sweeps++;
      if (t === lastSweep) break;
      // the world moves on while Watch time digests and writes the sweep it was just given
      const [world] = await Promise.all([
        getJson<{ time_ms: number }>(`${base}/_sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_seconds: 60 }) }),
        bus.drain(),
      ]);
      spent.advance += performance.now() - sweepDone;
      if (world.time_ms !== t + MINUTE_MS) throw new Error(`the simulator is at ${new Date(world.time_ms).toISOString()}, expected ${new Date(t + MINUTE_MS).toISOString()}`);
      await clock.advance(MINUTE_MS);
      const now = t + MINUTE_MS;
      if (now > DAY_START && now <= dayEnd && (now - DAY_START) % windowMs === 0) await truthBetween(base, now - windowMs, now, truth);
      if ((now - first) % HOUR_MS === 0)
        ctx.log(
          `accuracy: ${new Date(now).toISOString().slice(11, 16)} UTC simulated, ${((performance.now() - started) / 1000).toFixed(0)} s (sweeping ${(spent.sweep / 1000).toFixed(0)} s, world step + writes ${(spent.advance / 1000).toFixed(0)} s, Lurk's CPU ${cpuSeconds(cpuAtStart).toFixed(0)} s)`,
        );
    }
    await bus.drain();
    await service.flush();
    const wallS = (performance.now() - started) / 1000;

    const games = topIds(truth.games, 50);
    const streamers = topIds(truth.streamers, 50);
    const lurkGames = await service.queries.hoursLast('game', games, DAY, DAY);
    const lurkStreamers = await service.queries.hoursLast('streamer', streamers, DAY, DAY);
    const lurkTop5Games = (await service.queries.topGames(DAY, DAY, 5)).map((r) => r.id);
    const lurkTop5Streamers = (await service.queries.topStreamers(DAY, DAY, 5)).map((r) => r.id);
    const lurkTotal = Number((await store.db.selectFrom('watch_day_total').select('hours_watched').where('day', '=', DAY).executeTakeFirst())?.hours_watched ?? 0);
    const truthTotal = [...truth.games.values()].reduce((a, b) => a + b, 0);
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);
    const judge = (r: Ranked) => ({
      games: errorsAgainst(truth.games, games, (id) => r.games.get(id) ?? 0),
      streamers: errorsAgainst(truth.streamers, streamers, (id) => r.streamers.get(id) ?? 0),
      top5Games: same(topIds(r.games, 5), games.slice(0, 5)),
      top5Streamers: same(topIds(r.streamers, 5), streamers.slice(0, 5)),
      totalError: (Math.abs([...r.games.values()].reduce((a, b) => a + b, 0) - truthTotal) / truthTotal) * 100,
    });
    return {
      live,
      hours,
      sweeps,
      wallS,
      truth,
      lurk: {
        games: errorsAgainst(truth.games, games, (id) => lurkGames.get(id) ?? 0),
        streamers: errorsAgainst(truth.streamers, streamers, (id) => lurkStreamers.get(id) ?? 0),
        top5Games: same(lurkTop5Games, games.slice(0, 5)),
        top5Streamers: same(lurkTop5Streamers, streamers.slice(0, 5)),
        totalError: (Math.abs(lurkTotal - truthTotal) / truthTotal) * 100,
      },
      original: judge(original),
      first100: judge(first100),
    };
  } finally {
    await store?.close();
    await stop(sim.process);
    await rm(dir, { recursive: true, force: true });
  }
}

async function accuracy(ctx: BenchContext): Promise<Figure[]> {
  // 3,000 live: in a smaller world the top 50 reaches channels of a few dozen viewers, where one
  // raid reported a minute late moves a day's total by a few per cent (800 live: 2.4 % worst game)
  const live = Number(process.env.LURK_BENCH_WATCHTIME_LIVE ?? (ctx.quick ? 400 : 3000));
  const hours = Number(process.env.LURK_BENCH_WATCHTIME_HOURS ?? (ctx.quick ? 2 : 24));
  ctx.log(`accuracy: a world of ${live.toLocaleString()} live channels, ${hours} simulated hours from ${DAY} 08:00 UTC, a sweep every simulated minute…`);
  const run = await accuracyRun(ctx, live, hours);
  ctx.log(`accuracy: ${run.sweeps} sweeps in ${run.wallS.toFixed(0)} s`);
  const span = hours === 24 ? `the Lurk day ${DAY}` : `${DAY} 08:00–${String(8 + hours).padStart(2, '0')}:00 UTC (quick: part of the day)`;
  const where = `${live.toLocaleString()} live channels, ${span}, a sweep every 60 simulated s through the real Sweeper`;
  const yes = (b: boolean) => (b ? 1 : 0);
  const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)} %`;
  const worst = (ours: ErrorSummary, theirs: ErrorSummary) =>
    `Lurk's worst is ${ours.worst} at ${ours.max.toFixed(2)} %; mean signed error ${signed(ours.bias)} (the original's ${signed(theirs.bias)})`;
  return [
    {
      name: 'watchtime accuracy: max error, top-50 games by truth (target ≤ 1 %)',
      value: run.lurk.games.max,
      unit: '%',
      anchor: '@TwitchWatchTime: viewer_count × 0.5 h every 30 min',
      anchorValue: run.original.games.max,
      better: 'lower',
      note: `${where}; ${worst(run.lurk.games, run.original.games)}`,
    },
    {
      name: 'watchtime accuracy: median error, top-50 games',
      value: run.lurk.games.median,
      unit: '%',
      anchor: '@TwitchWatchTime: viewer_count × 0.5 h every 30 min',
      anchorValue: run.original.games.median,
      better: 'lower',
    },
    {
      name: 'watchtime accuracy: max error, top-50 streamers by truth (target ≤ 1 %)',
      value: run.lurk.streamers.max,
      unit: '%',
      anchor: '@TwitchWatchTime: viewer_count × 0.5 h every 30 min',
      anchorValue: run.original.streamers.max,
      better: 'lower',
      note: worst(run.lurk.streamers, run.original.streamers),
    },
    {
      name: 'watchtime accuracy: median error, top-50 streamers',
      value: run.lurk.streamers.median,
      unit: '%',
      anchor: '@TwitchWatchTime: viewer_count × 0.5 h every 30 min',
      anchorValue: run.original.streamers.median,
      better: 'lower',
    },
    {
      name: 'watchtime accuracy: top-5 games identical to truth (1 = yes)',
      value: yes(run.lurk.top5Games),
      unit: 'bool',
      anchor: '@TwitchWatchTime: viewer_count × 0.5 h every 30 min',
      anchorValue: yes(run.original.top5Games),
      better: 'higher',
    },
    {
      name: 'watchtime accuracy: top-5 streamers identical to truth (1 = yes)',
      value: yes(run.lurk.top5Streamers),
      unit: 'bool',
      anchor: '@TwitchWatchTime: viewer_count × 0.5 h every 30 min',
      anchorValue: yes(run.original.top5Streamers),
      better: 'higher',
    },
    {
      name: 'watchtime accuracy: error of all of Twitch\u2019s hours watched',
      value: run.lurk.totalError,
      unit: '%',
      anchor: '@TwitchWatchTime: viewer_count × 0.5 h every 30 min',
      anchorValue: run.original.totalError,
      better: 'lower',
    },
    {
      name: '@TwitchWatchTime over the first 100 streams only: max error, top-50 games',
      value: run.first100.games.max,
      unit: '%',
      anchor: 'Lurk, same sweeps',
      anchorValue: run.lurk.games.max,
      better: 'lower',
      note: `median ${run.first100.games.median.toFixed(1)} %; top-5 games identical: ${run.first100.top5Games ? 'yes' : 'no'}; all of Twitch off by ${run.first100.totalError.toFixed(1)} %`,
    },
    {
      name: '@TwitchWatchTime over the first 100 streams only: max error, top-50 streamers',
      value: run.first100.streamers.max,
      unit: '%',
      anchor: 'Lurk, same sweeps',
      anchorValue: run.lurk.streamers.max,
      better: 'lower',
      note: `median ${run.first100.streamers.median.toFixed(1)} %; top-5 streamers identical: ${run.first100.top5Streamers ? 'yes' : 'no'}`,
    },
  ];
}

// ================================================================ 2. ingest cost of one sweep

const INGEST_T0 = Date.UTC(2026, 10, 23, 12);
/** sweeps measured after the first (fresh) one: 60 s apart, so one of them also stores raw samples (every 300 s) */
const INGEST_SWEEPS = 5;

interface Cost {
  cpuMs: number;
  wallMs: number;
  /** PostgreSQL's own processes, when measurable */
  serverCpuMs?: number;
  /** the part spent before the write: bus delivery and the integrator */
  ingestMs?: number;
}

interface IngestTarget {
  name: string;
  sweep(k: number, pages: HelixStream[][]): Promise<Cost>;
  close(): Promise<void>;
}

/** Lurk's path: pages on the bus into a WatchtimeService, whose sweep-completed handler flushes. */
async function lurkIngest(url: string, dir: string): Promise<IngestTarget> {
  const store = await openStore({ url });
  await store.migrate();
  // started a period before the first sweep, so every sweep (the first too) is flushed by itself
  const clock = new ManualClock(INGEST_T0 - MINUTE_MS);
  const bus = new InProcessBus(log);
  const service = new WatchtimeService({ db: store.db, clock, log, config: defaultConfig(dir) });
  await service.start(bus);
  return {
    name: `${store.kind} WatchtimeService`,
    async sweep(k, pages) {
      const t = INGEST_T0 + k * MINUTE_MS;
      await clock.advance(t - clock.now());
      const server = store.kind === 'postgres' ? postgresCpuMs() : NaN;
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (const [i, streams] of pages.entries()) void bus.publish('streams.page', { generation: k + 1, seenAt: t, page: i + 1, streams });
      await bus.drain();
      const ingestMs = performance.now() - started;
      void bus.publish('streams.sweep.completed', {
        generation: k + 1,
        startedAt: t,
        finishedAt: t,
        stats: { pages: pages.length, streams: 0, zeroViewer: 0, oneViewer: 0, budgetPoints: 0, rateLimited: 0, errors: 0 },
        removed: 0,
      });
      await bus.drain();
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - started;
      return { cpuMs: (used.user + used.system) / 1000, wallMs, ingestMs, ...(store.kind === 'postgres' ? { serverCpuMs: postgresCpuMs() - server } : {}) };
    },
    async close() {
      await service.stop();
      await store.close();
    },
  };
}

/** The floor: one prepared upsert per stream into the biggest rollup table, one transaction. */
async function anchorIngest(file: string): Promise<IngestTarget> {
  // the schema comes from Lurk's own migrations, so both sides write the same table and indexes
  const schema = await openStore({ url: `sqlite:${file}` });
  await schema.migrate().finally(() => schema.close());
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const upsert = db.prepare(`
    INSERT INTO watch_day_channel_game (day, user_id, game_id, hours_watched, hours_streamed, peak_viewers, streams) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (day, user_id, game_id) DO UPDATE SET hours_watched = hours_watched + excluded.hours_watched, hours_streamed = hours_streamed + excluded.hours_streamed,
      streams = streams + excluded.streams, peak_viewers = max(peak_viewers, excluded.peak_viewers)`);
  const writeAll = db.transaction((pages: HelixStream[][], day: string) => {
    for (const page of pages) for (const s of page) upsert.run(day, s.user_id, s.game_id, s.viewer_count / 60, 1 / 60, s.viewer_count, 0);
  });
  return {
    name: 'better-sqlite3 prepared upsert loop',
    async sweep(k, pages) {
      const day = new Date(INGEST_T0 + k * MINUTE_MS - 8 * HOUR_MS).toISOString().slice(0, 10);
      return measured(() => writeAll(pages, day));
    },
    close: async () => void db.close(),
  };
}

async function ingest(ctx: BenchContext): Promise<Figure[]> {
  const n = ctx.quick ? 10_000 : 100_000;
  ctx.log(`ingest: ${INGEST_SWEEPS + 1} sweeps of ${n.toLocaleString()} streams…`);
  const rng = mulberry32(0x5eed);
  const zipf = new Zipf(GAMES, 1.1);
  const sweeps = [sweepStreams(n, INGEST_T0)];
  for (let k = 1; k <= INGEST_SWEEPS; k++) sweeps.push(nextSweep(sweeps[k - 1]!, rng, zipf));
  const pages = sweeps.map((streams) => Array.from({ length: Math.ceil(streams.length / 100) }, (_, i) => streams.slice(i * 100, i * 100 + 100)));

  const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-bench-ingest-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const anchor = await anchorIngest(path.join(dir, 'anchor.db'));
    cleanups.push(anchor.close);
    const targets = [anchor, await lurkIngest(`sqlite:${path.join(dir, 'lurk.db')}`, dir)];
    cleanups.push(targets[1]!.close);
    const scratch = await scratchPostgres(ctx.log);
    if (scratch) {
      cleanups.push(scratch.drop);
      const postgres = await lurkIngest(scratch.url, dir);
      cleanups.push(postgres.close);
      targets.push(postgres);
    }
    // sweep after sweep, each target in turn, so a busy machine slows all of them alike
    const costs = targets.map(() => [] as Cost[]);
    for (let k = 0; k <= INGEST_SWEEPS; k++) {
      const round: Cost[] = [];
      for (const [i, target] of targets.entries()) {
        round.push(await target.sweep(k, pages[k]!));
        if (k > 0) costs[i]!.push(round[i]!);
      }
      ctx.log(`ingest: sweep ${k + 1}/${INGEST_SWEEPS + 1}${k === 0 ? ' (fresh inserts, not counted)' : ''}: ${targets.map((t, i) => `${t.name} ${round[i]!.cpuMs.toFixed(0)} ms CPU`).join(', ')}`);
    }
    const avg = (i: number, key: keyof Cost) => mean(costs[i]!.map((c) => c[key] ?? NaN));
    const size = `${n / 1000}k`;
    const common = `mean of sweeps 2–${INGEST_SWEEPS + 1} (upserts over existing rows; one of them also stores the raw samples, which are kept every 300 s)`;
    return targets.slice(1).flatMap((target, j) => {
      const i = j + 1;
      const server = target.name.startsWith('postgres') ? `; PostgreSQL's processes used ${avg(i, 'serverCpuMs').toFixed(0)} ms CPU more` : '';
      return (['cpuMs', 'wallMs'] as const).map((key) => {
        const kind = key === 'cpuMs' ? 'CPU' : 'wall';
        return {
          name: `watchtime ingest: one ${size}-stream sweep into the integrator + rollups, ${target.name} (${kind})`,
          value: avg(i, key),
          unit: 'ms',
          anchor: `${anchor.name}, same ${size} rows, one transaction (${kind})`,
          anchorValue: avg(0, key),
          better: 'lower' as const,
          ...(key === 'cpuMs'
            ? { note: `${common}; bus + integrator ${avg(i, 'ingestMs').toFixed(0)} ms of it wall${server}; ${((avg(i, 'cpuMs') / MINUTE_MS) * 100).toFixed(1)} % of a core at a sweep a minute` }
            : {}),
        };
      });
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: Error) => ctx.log(`cleanup failed: ${err.message}`));
    await rm(dir, { recursive: true, force: true });
  }
}

// ================================================================ 3. leaderboards over 30 days

/** time one leaderboard measurement may take over all its rounds before it runs fewer */
const ANCHOR_BUDGET_MS = 4000;
const BIG_TABLES = ['watch_day_channel_game', 'watch_day_channel', 'watch_day_game'] as const;

/**
 * Bulk loading of the rollup tables: keys and indexes of the big tables are dropped first and
 * rebuilt once at the end (far faster than growing them row by row), then analysed.
 */
interface Filler {
  day(d: RollupDay): Promise<void>;
  names(shape: RollupShape): Promise<void>;
  /** statements that rebuild what was dropped, then refresh the planner's statistics */
  rebuild: (() => Promise<void>)[];
  close(): Promise<void>;
}

async function sqliteFiller(file: string): Promise<Filler> {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const indexes = db.prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${BIG_TABLES.map(() => '?').join(',')})`).all(...BIG_TABLES) as {
    name: string;
    sql: string;
  }[];
  for (const ix of indexes) db.exec(`drop index ${ix.name}`);
  const cg = db.prepare('insert into watch_day_channel_game (day, user_id, game_id, hours_watched, hours_streamed, peak_viewers, streams) values (?, ?, ?, ?, ?, ?, ?)');
  const ch = db.prepare('insert into watch_day_channel (day, user_id, hours_watched, hours_streamed, peak_viewers, streams) values (?, ?, ?, ?, ?, ?)');
  const gd = db.prepare('insert into watch_day_game (day, game_id, hours_watched, hours_streamed, peak_viewers, streams, peak_channels) values (?, ?, ?, ?, ?, ?, ?)');
  const td = db.prepare('insert into watch_day_total (day, hours_watched, hours_streamed, peak_viewers, streams, peak_channels, hours_covered) values (?, ?, ?, ?, ?, ?, ?)');
  const writeDay = db.transaction((d: RollupDay) => {
    const a = d.channelGame;
    for (let i = 0; i < a.length; i++) cg.run(d.day, userId(a.user[i]!), gameId(a.game[i]!), a.hoursWatched[i], a.hoursStreamed[i], a.peakViewers[i], a.streams[i]);
    const c = d.channel;
    for (let i = 0; i < c.length; i++) ch.run(d.day, userId(c.user[i]!), c.hoursWatched[i], c.hoursStreamed[i], c.peakViewers[i], c.streams[i]);
    const g = d.game;
    for (let i = 0; i < g.length; i++) gd.run(d.day, gameId(g.game[i]!), g.hoursWatched[i], g.hoursStreamed[i], g.peakViewers[i], g.streams[i], g.peakChannels[i]);
    const t = d.total;
    td.run(d.day, t.hoursWatched, t.hoursStreamed, t.peakViewers, t.streams, t.peakChannels, t.hoursCovered);
  });
  const writeNames = db.transaction((shape: RollupShape) => {
    const game = db.prepare('insert into watch_games (game_id, name, search_key, updated_at) values (?, ?, ?, ?)');
    for (let g = 0; g < GAMES; g++) game.run(gameId(g), gameName(g), gameName(g).toLowerCase(), 0);
    const channel = db.prepare('insert into watch_channels (user_id, login, display_name, search_key, updated_at) values (?, ?, ?, ?, ?)');
    for (let c = 0; c < shape.channels; c++) channel.run(userId(c), login(c), login(c), login(c), 0);
  });
  // better-sqlite3 is synchronous: each step runs to its end before the returned promise exists
  return {
    day: async (d) => void writeDay(d),
    names: async (shape) => void writeNames(shape),
    rebuild: [...indexes.map((ix) => async () => void db.exec(ix.sql)), async () => void db.exec('analyze')],
    close: async () => void db.close(),
  };
}

async function postgresFiller(url: string): Promise<Filler> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('set synchronous_commit = off');
  await client.query(`set maintenance_work_mem = '256MB'`);
  const { rows: keys } = await client.query<{ table: string; name: string; definition: string }>(
    `select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition from pg_constraint where contype = 'p' and conrelid::regclass::text = any($1)`,
    [[...BIG_TABLES]],
  );
  const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
    `select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = any($1) and indexname not in (select conname from pg_constraint)`,
    [[...BIG_TABLES]],
  );
  for (const ix of indexes) await client.query(`drop index ${ix.indexname}`);
  for (const k of keys) await client.query(`alter table ${k.table} drop constraint ${k.name}`);
  const ids = (a: Int32Array, n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(a[i]!));
  const nums = (a: Float64Array | Int32Array, n: number) => Array.from(a.subarray(0, n));
  return {
    // one statement a day, so it is on the wire at once and the server works while SQLite does
    async day(d) {
      const [a, c, g, t] = [d.channelGame, d.channel, d.game, d.total];
      await client.query(
        `with cg as (
           insert into watch_day_channel_game (day, user_id, game_id, hours_watched, hours_streamed, peak_viewers, streams)
           select $1, * from unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::int[], $7::int[])
         ), ch as (
           insert into watch_day_channel (day, user_id, hours_watched, hours_streamed, peak_viewers, streams)
           select $1, * from unnest($8::text[], $9::float8[], $10::float8[], $11::int[], $12::int[])
         ), gd as (
           insert into watch_day_game (day, game_id, hours_watched, hours_streamed, peak_viewers, streams, peak_channels)
           select $1, * from unnest($13::text[], $14::float8[], $15::float8[], $16::int[], $17::int[], $18::int[])
         )
         insert into watch_day_total (day, hours_watched, hours_streamed, peak_viewers, streams, peak_channels, hours_covered) values ($1, $19, $20, $21, $22, $23, $24)`,
        [
          d.day,
          ...[ids(a.user, a.length, userId), ids(a.game, a.length, gameId), nums(a.hoursWatched, a.length), nums(a.hoursStreamed, a.length), nums(a.peakViewers, a.length), nums(a.streams, a.length)],
          ...[ids(c.user, c.length, userId), nums(c.hoursWatched, c.length), nums(c.hoursStreamed, c.length), nums(c.peakViewers, c.length), nums(c.streams, c.length)],
          ...[ids(g.game, g.length, gameId), nums(g.hoursWatched, g.length), nums(g.hoursStreamed, g.length), nums(g.peakViewers, g.length), nums(g.streams, g.length), nums(g.peakChannels, g.length)],
          ...[t.hoursWatched, t.hoursStreamed, t.peakViewers, t.streams, t.peakChannels, t.hoursCovered],
        ],
      );
    },
    async names(shape) {
      const games = Array.from({ length: GAMES }, (_, g) => g);
      const channels = Array.from({ length: shape.channels }, (_, c) => c);
      await client.query(
        `with g as (insert into watch_games (game_id, name, search_key, updated_at) select g, n, lower(n), 0 from unnest($1::text[], $2::text[]) as t(g, n))
         insert into watch_channels (user_id, login, display_name, search_key, updated_at) select u, l, l, l, 0 from unnest($3::text[], $4::text[]) as t(u, l)`,
        [games.map(gameId), games.map(gameName), channels.map(userId), channels.map(login)],
      );
    },
    rebuild: [
      ...keys.map((k) => async () => void (await client.query(`alter table ${k.table} add constraint ${k.name} ${k.definition}`))),
      ...indexes.map((ix) => async () => void (await client.query(ix.indexdef))),
      // autovacuum would have run on a live database: index-only scans need the visibility map
      async () => void (await client.query('vacuum analyze')),
    ],
    close: () => client.end(),
  };
}

/** Fills every filler with the same rows; each step starts on all of them before any is awaited. */
async function fillAll(fillers: readonly Filler[], shape: RollupShape): Promise<void> {
  const together = (steps: (() => Promise<void>)[]) => Promise.all(steps.map((step) => step()));
  // PostgreSQL first: its statement goes out before better-sqlite3 holds the thread
  const ordered = [...fillers].reverse();
  for (const d of rollupDays(shape)) await together(ordered.map((f) => () => f.day(d)));
  await together(ordered.map((f) => () => f.names(shape)));
  const longest = Math.max(...fillers.map((f) => f.rebuild.length));
  for (let i = 0; i < longest; i++) await together(ordered.flatMap((f) => (f.rebuild[i] ? [f.rebuild[i]!] : [])));
}

/**
 * Every sample of several measurements taken in rounds (a, b, c, a, b, c…) after one warm-up
 * round. A measurement whose warm-up shows `runs` of it would take longer than `budgetMs` runs
 * fewer rounds (at least 5), so one slow anchor cannot eat the bench's time.
 */
async function interleavedSamples(runs: number, measures: readonly (() => Promise<unknown>)[], budgetMs = Infinity): Promise<number[][]> {
  const samples = measures.map(() => [] as number[]);
  const rounds = measures.map(() => runs);
  for (let round = 0; round <= runs; round++) {
    for (const [i, measure] of measures.entries()) {
      if (round > rounds[i]!) continue;
      const started = performance.now();
      await measure();
      const ms = performance.now() - started;
      if (round === 0) rounds[i] = Math.max(5, Math.min(runs, Math.floor(budgetMs / ms)));
      else samples[i]!.push(ms);
    }
  }
  return samples;
}

function addDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** the two leaderboards: Lurk's query, and the table and column the naive GROUP BY reads */
const BOARDS = [
  { what: 'streamers', table: 'watch_day_channel', column: 'user_id', top: (q: WatchQueries, from: string, to: string) => q.topStreamers(from, to, 10) },
  { what: 'games', table: 'watch_day_game', column: 'game_id', top: (q: WatchQueries, from: string, to: string) => q.topGames(from, to, 10) },
] as const;

async function leaderboardFigures(ctx: BenchContext, store: Store, shape: RollupShape, runs: number): Promise<Figure[]> {
  const queries = new WatchtimeService({ db: store.db, clock: new ManualClock(), log, config: defaultConfig(os.tmpdir()) }).queries;
  const db = store.db as Kysely<Database>;
  const last = addDay(shape.firstDay, shape.days - 1);
  const naive = (board: (typeof BOARDS)[number], from: string, to: string) =>
    sql<{
      id: string;
      hours: number;
    }>`select ${sql.ref(board.column)} as id, sum(hours_watched) as hours from ${sql.table(board.table)} where day between ${from} and ${to} group by 1 order by 2 desc limit 10`.execute(db);
  const figures: Figure[] = [];
  for (const days of [30, 7, 1]) {
    const from = addDay(last, 1 - days);
    ctx.log(`leaderboards: ${store.kind}, ${days} day(s), ${runs} rounds…`);
    const samples = await interleavedSamples(
      runs,
      BOARDS.flatMap((board) => [() => board.top(queries, from, last), () => naive(board, from, last)]),
      ANCHOR_BUDGET_MS,
    );
    for (const [i, board] of BOARDS.entries()) {
      const [ours, theirs] = [samples[2 * i]!, samples[2 * i + 1]!];
      // the answers must agree before their speed means anything
      const same = (await board.top(queries, from, last)).map((r) => r.id).join() === (await naive(board, from, last)).rows.map((r) => r.id).join();
      const rounds = `${ours.length} interleaved rounds${theirs.length < ours.length ? ` (the anchor only ${theirs.length}, being slow)` : ''}`;
      figures.push({
        name: `watchtime leaderboard p95: top 10 ${board.what} over ${days === 1 ? '1 day' : `${days} days`}, ${store.kind}${days === 30 ? ' (target ≤ 50 ms)' : ''}`,
        value: percentile(ours, 95),
        unit: 'ms',
        anchor: `naive GROUP BY ${board.column} over ${board.table}, p95`,
        anchorValue: percentile(theirs, 95),
        better: 'lower',
        note: `p50 ${percentile(ours, 50).toFixed(1)} ms vs ${percentile(theirs, 50).toFixed(1)} ms; ${rounds}; names included; ${same ? 'same top 10 as the naive query' : 'DIFFERENT top 10 from the naive query'}`,
      });
    }
  }
  return figures;
}

async function leaderboards(ctx: BenchContext): Promise<Figure[]> {
  const shape: RollupShape = ctx.quick ? { channels: 30_000, activePerDay: 10_000, days: 30, firstDay: '2026-10-01' } : { channels: 300_000, activePerDay: 100_000, days: 30, firstDay: '2026-10-01' };
  const runs = ctx.quick ? 10 : 50;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-bench-leaderboards-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const sqlite = await openStore({ url: `sqlite:${path.join(dir, 'lurk.db')}` });
    cleanups.push(() => sqlite.close());
    await sqlite.migrate();
    const stores = [sqlite];
    const scratch = await scratchPostgres(ctx.log);
    if (scratch) {
      cleanups.push(scratch.drop);
      const postgres = await openStore({ url: scratch.url });
      cleanups.push(() => postgres.close());
      await postgres.migrate();
      stores.push(postgres);
    }
    ctx.log(
      `leaderboards: filling ${stores.map((s) => s.kind).join(' and ')} with ${shape.days} days of ${shape.activePerDay.toLocaleString()} active of ${shape.channels.toLocaleString()} channels…`,
    );
    const fillers = [await sqliteFiller(sqlite.sqlitePath!), ...(scratch ? [await postgresFiller(scratch.url)] : [])];
    try {
      const spent = await measured(() => fillAll(fillers, shape));
      ctx.log(`leaderboards: filled in ${(spent.wallMs / 1000).toFixed(1)} s`);
    } finally {
      for (const f of fillers) await f.close();
    }
    const figures: Figure[] = [];
    for (const store of stores) figures.push(...(await leaderboardFigures(ctx, store, shape, runs)));
    return figures;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: Error) => ctx.log(`cleanup failed: ${err.message}`));
    await rm(dir, { recursive: true, force: true });
  }
}

// ================================================================ 4. digest charts

async function charts(ctx: BenchContext): Promise<Figure[]> {
  const runs = ctx.quick ? 5 : 20;
  const items = Array.from({ length: 10 }, (_, i) => ({ label: i % 3 === 0 ? `Pokémon Scarlet and Violet ${i}` : gameName(i * 7), value: Math.round(1_200_000 / (i + 1)) }));
  const spec = { title: 'Top games, 22 November', subtitle: 'Hours watched, Lurk day from 08:00 UTC', items, unit: 'h', width: 1200, height: 675 };
  const bare = () => {
    const canvas = createCanvas(1200, 675);
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, 1200, 675);
    return canvas.toBuffer('image/png');
  };
  ctx.log(`charts: ${runs} renders each…`);
  const [chart, anchor] = await interleavedSamples(runs, [async () => renderBarChart(spec), async () => bare()]);
  const bytes = renderBarChart(spec).length;
  return [
    {
      name: 'watchtime digest: renderBarChart, top 10, 1200x675 PNG (mean)',
      value: mean(chart!),
      unit: 'ms',
      anchor: '@napi-rs/canvas 1200x675 fill + PNG encode, no chart.js (mean)',
      anchorValue: mean(anchor!),
      better: 'lower',
      note: `${runs} interleaved renders after a warm-up; ${Math.round(bytes / 1024)} KiB`,
    },
  ];
}

// ================================================================ driver

const PARTS = { accuracy, ingest, leaderboards, charts } as const;

export default async function watchtimeBench(ctx: BenchContext): Promise<Figure[]> {
  const only = process.env.LURK_BENCH_WATCHTIME_ONLY?.split(',').map((s) => s.trim());
  const figures: Figure[] = [];
  for (const [name, part] of Object.entries(PARTS)) {
    if (only && !only.includes(name)) continue;
    figures.push(...(await part(ctx)));
  }
  return figures;
}
