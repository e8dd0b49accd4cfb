// Store upsert throughput: one sweep's worth of Helix streams written in ONE transaction,
// through Lurk's Kysely path (SQLite and PostgreSQL), against a hand-written better-sqlite3
// prepared-statement loop on the same schema as the anchor.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { openStore, type Store } from '../src/store/database.js';
import { upsertStreams } from '../src/streams/store.js';
import type { HelixStream } from '../src/twitch/helix.external.js';
import { interleavedMedians, type BenchContext, type Figure } from './lib.js';
// a small seeded PRNG: the same rows every run, so runs and machines compare
import { mulberry32 } from './support/streams.js';
import { scratchPostgres } from './support/postgres.js';

const RUNS = 3;

// ---------------------------------------------------------------- deterministic rows

const GAMES = [
  ['509658', 'Just Chatting'],
  ['21779', 'League of Legends'],
  ['32982', 'Grand Theft Auto V'],
  ['1084410498', "Assassin's Creed Shadows"],
  ['1276213489', 'Pokémon Scarlet and Violet'],
  ['27471', 'Minecraft'],
  ['509660', 'Art'],
  ['26936', 'Music'],
] as const;
const TITLES = [
  'chill stream',
  "let's go ranked",
  "don't backseat pls",
  'café & code',
  'première partie',
  'día de speedrun',
  'GRIND until 100 subs',
  'late night lurkers welcome ☕',
  'Ça va ? new game',
  'ñoño marathon',
];
const WORDS = ['pixel', 'night', 'owl', 'cozy', 'frost', 'ember', 'lurk', 'nova', 'moss', 'echo'];
const LANGUAGES = ['en', 'en', 'en', 'es', 'de', 'fr', 'pt', 'ja', 'ko', 'ru', 'other'];
const TAGS = ['English', 'Chill', 'FPS', 'Español', 'Deutsch', 'NoBackseating', 'LGBTQIAPlus', 'Cozy', 'Speedrun'];
const SWEEP_START = Date.UTC(2025, 4, 1, 12, 0, 0);

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** Heavy-tailed like Twitch: about a third of streams have 0 viewers, a few have 100k+. */
function viewers(rng: () => number): number {
  return Math.min(400_000, Math.floor((1 - rng()) ** -1.6) - 1);
}

function makeStream(rng: () => number, i: number): HelixStream {
  const login = `${pick(rng, WORDS)}_${pick(rng, WORDS)}${i}`;
  const [gameId, gameName] = pick(rng, GAMES);
  const tags = Array.from({ length: Math.floor(rng() * 5) }, () => pick(rng, TAGS));
  return {
    id: String(40_000_000_000 + i * 7),
    user_id: String(100_000_000 + i),
    user_login: login,
    user_name: rng() < 0.5 ? login.toUpperCase() : login,
    game_id: gameId,
    game_name: gameName,
    type: 'live',
    title: `${pick(rng, TITLES)} #${i % 1000}`,
    viewer_count: viewers(rng),
    started_at: new Date(SWEEP_START - Math.floor(rng() * 12 * 3600_000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    language: pick(rng, LANGUAGES),
    thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${login}-{width}x{height}.jpg`,
    tag_ids: [],
    tags: [...new Set(tags)],
    is_mature: rng() < 0.1,
  };
}

/** The fresh sweep, and the next sweep: same ids, new viewer counts. */
function makeSweeps(n: number): { fresh: HelixStream[]; update: HelixStream[] } {
  const rng = mulberry32(0x1ec7);
  const fresh = Array.from({ length: n }, (_, i) => makeStream(rng, i));
  const next = mulberry32(0xbeef);
  return { fresh, update: fresh.map((s) => ({ ...s, viewer_count: viewers(next) })) };
}

// ---------------------------------------------------------------- what is measured

interface Pass {
  rows: HelixStream[];
  generation: number;
}

/** One way of writing a sweep: Lurk's path on a backend, or the hand-written anchor. */
interface Target {
  name: string;
  /** empties the streams table so the next fresh insert really is one */
  clear(): unknown;
  /** the whole pass in one transaction */
  write(pass: Pass): unknown;
  close(): Promise<void>;
}

async function migratedStore(url: string): Promise<Store> {
  const store = await openStore({ url });
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

async function lurkTarget(url: string): Promise<Target> {
  const store = await migratedStore(url);
  return {
    name: `${store.kind} kysely upsertStreams`,
    // TRUNCATE leaves PostgreSQL no dead tuples; SQLite turns an unqualified DELETE into its truncate
    clear: () => (store.kind === 'postgres' ? sql`truncate table streams`.execute(store.db) : store.db.deleteFrom('streams').execute()),
    write: (pass) => store.db.transaction().execute((trx) => upsertStreams(trx, store.facts, pass.rows, { generation: pass.generation, seenAt: Date.now() })),
    close: () => store.close(),
  };
}

// Same columns and conflict handling as upsertStreams, without the query builder.
const ANCHOR_UPSERT = `
  INSERT INTO streams (id, user_id, user_login, user_name, game_id, game_name, type, title, viewer_count, started_at,
                       language, thumbnail_url, tags, is_mature, first_seen_at, last_seen_at, generation)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET
    user_id = excluded.user_id, user_login = excluded.user_login, user_name = excluded.user_name,
    game_id = excluded.game_id, game_name = excluded.game_name, type = excluded.type, title = excluded.title,
    viewer_count = excluded.viewer_count, started_at = excluded.started_at, language = excluded.language,
    thumbnail_url = excluded.thumbnail_url, tags = excluded.tags, is_mature = excluded.is_mature,
    last_seen_at = excluded.last_seen_at, generation = excluded.generation`;

async function anchorTarget(file: string): Promise<Target> {
  // the schema comes from Lurk's own migrations so both sides write the same table and indexes
  await (await migratedStore(`sqlite:${file}`)).close();
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const upsert = db.prepare(ANCHOR_UPSERT);
  const clear = db.prepare('DELETE FROM streams');
  const writeAll = db.transaction((pass: Pass, seenAt: number) => {
    for (const s of pass.rows) {
      upsert.run(
        s.id,
        s.user_id,
        s.user_login,
        s.user_name,
        s.game_id,
        s.game_name,
        s.type,
        s.title,
        s.viewer_count,
        s.started_at,
        s.language,
        s.thumbnail_url,
        JSON.stringify(s.tags),
        s.is_mature ? 1 : 0,
        seenAt,
        seenAt,
        pass.generation,
      );
    }
  });
  return {
    name: 'better-sqlite3 prepared loop',
    clear: () => clear.run(),
    write: (pass) => writeAll(pass, Date.now()),
    close: async () => void db.close(),
  };
}

/** rows per second of one timed write */
async function rate(rows: number, write: () => unknown): Promise<number> {
  const start = performance.now();
  await write();
  return rows / ((performance.now() - start) / 1000);
}

/** A fresh insert into an empty table, then the next sweep upserted over it: the real sweep case. */
function sweepMeasures(target: Target, fresh: Pass, update: Pass): (() => Promise<number>)[] {
  return [
    async () => {
      await target.clear();
      return rate(fresh.rows.length, () => target.write(fresh));
    },
    () => rate(update.rows.length, () => target.write(update)),
  ];
}

// ---------------------------------------------------------------- PostgreSQL scratch database

// ---------------------------------------------------------------- figures

type Throughput = Record<'fresh insert' | 'update', number>;

function figures(target: Target, anchor: Target, size: string, value: Throughput, anchorValue: Throughput): Figure[] {
  return (['fresh insert', 'update'] as const).map((pass) => ({
    name: `${target.name} ${size} rows (${pass})`,
    value: value[pass],
    unit: 'rows/s',
    anchor: `${anchor.name} (${pass})`,
    anchorValue: anchorValue[pass],
    better: 'higher' as const,
    note: `median of ${RUNS} interleaved rounds after a warm-up, one transaction per pass`,
  }));
}

export default async function storeBench(ctx: BenchContext): Promise<Figure[]> {
  const n = ctx.quick ? 10_000 : 100_000;
  const sweeps = makeSweeps(n);
  const fresh: Pass = { rows: sweeps.fresh, generation: 1 };
  const update: Pass = { rows: sweeps.update, generation: 2 };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-bench-store-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const anchor = await anchorTarget(path.join(dir, 'anchor.db'));
    cleanups.push(anchor.close);
    const sqlite = await lurkTarget(`sqlite:${path.join(dir, 'lurk.db')}`);
    cleanups.push(sqlite.close);
    const targets = [anchor, sqlite];
    const scratch = await scratchPostgres(ctx.log);
    if (scratch) {
      cleanups.push(scratch.drop);
      const postgres = await lurkTarget(scratch.url);
      cleanups.push(postgres.close);
      targets.push(postgres);
    }

    // Rounds alternate the targets so a busy machine slows each of them alike.
    const medians = await interleavedMedians(
      RUNS,
      targets.flatMap((t) => sweepMeasures(t, fresh, update)),
      (round, i) => i % 2 === 0 && ctx.log(`${round === 0 ? 'warm-up' : `round ${round}/${RUNS}`}: ${targets[i / 2]!.name} ${n} rows, fresh insert + update…`),
    );
    const throughput = (i: number): Throughput => ({ 'fresh insert': medians[2 * i]!, update: medians[2 * i + 1]! });
    return targets.slice(1).flatMap((t, i) => figures(t, anchor, `${n / 1000}k`, throughput(i + 1), throughput(0)));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: Error) => ctx.log(`cleanup failed: ${err.message}`));
    await rm(dir, { recursive: true, force: true });
  }
}
