import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { InProcessBus } from '../../src/core/bus.js';
import { ManualClock } from '../../src/core/clock.js';
import { FolderPublisher } from '../../src/publish/folder.js';
import { PublishError, type DigestPost, type Mention, type Publisher } from '../../src/publish/types.js';
import { openStore, type Store } from '../../src/store/database.js';
import { answerFor, MentionAnswerer } from '../../src/watchtime/answers.js';
import { composeDigest, DigestPublisher, dueDigestDay } from '../../src/watchtime/digest.js';
import type { HelixStream } from '../../src/twitch/helix.external.js';
import type { StreamSample } from '../../src/watchtime/integrator.js';
import { WatchtimeService, type WatchtimeServiceOptions } from '../../src/watchtime/service.js';
import { memoryLogger } from '../helpers/app.js';
import { tempSqlite, withEachDialect, type TestDatabase } from '../helpers/db.js';
import { runLurk } from '../helpers/process.js';
import { TEST_WATCHTIME_CONFIG } from '../helpers/watchtime.js';

const MIN = 60_000;
// 2026-11-20 09:00 UTC: an hour into the Lurk day 2026-11-20 (days start 08:00 UTC)
const START = Date.UTC(2026, 10, 20, 9, 0);

const CONFIG = TEST_WATCHTIME_CONFIG;

const GAMES = [
  ['1095275650', "Baldur's Gate 3"],
  ['493244', 'Pokémon Scarlet and Violet'],
  ['27471', 'Minecraft'],
] as const;

/** ten channels over three games, viewers 10..100; channel 9 is called "Minecraft" and plays Pokémon */
function streamsAt(minute: number): StreamSample[] {
  return Array.from({ length: 10 }, (_, i) => {
    const [game_id, game_name] = GAMES[i % 3]!;
    const login = i === 9 ? 'minecraft' : `streamer_${i}`;
    return {
      id: `s${i}`,
      user_id: String(100 + i),
      user_login: login,
      user_name: i === 9 ? 'Minecraft' : `Streamer_${i}`,
      game_id: i === 9 ? GAMES[1][0] : game_id,
      game_name: i === 9 ? GAMES[1][1] : game_name,
      // constant, so a bridged gap credits exactly what an uninterrupted run does
      viewer_count: (i + 1) * 10 + (minute >= 0 ? 0 : 1),
      started_at: new Date(START - 5 * MIN).toISOString(),
    };
  });
}

async function withService<T>(store: Store, clock: ManualClock, fn: (w: WatchtimeService) => Promise<T>, options: Partial<WatchtimeServiceOptions> = {}): Promise<T> {
  const w = new WatchtimeService({ db: store.db, clock, log: memoryLogger().log, config: CONFIG, ...options });
  await w.start();
  return fn(w);
}

/**
 * One sweep a minute from `from` to `to` (exclusive), flushing after each sweep when asked. The
 * clock reads `backMinutes` behind the real time (it was put back).
 */
async function sweep(w: WatchtimeService, clock: ManualClock, from: number, to: number, flush = true, backMinutes = 0) {
  for (let m = from; m < to; m++) {
    const t = START + (m - backMinutes) * MIN;
    await clock.advance(t - clock.now());
    w.ingestPage(streamsAt(m), t, m + 1);
    w.completeSweep(m + 1, t, t);
    if (flush) await w.flush();
  }
}

/** what a day's figures add up to: per channel, coverage, the hourly rows and the raw samples */
async function figures(store: Store, day: string) {
  const covered = await store.db.selectFrom('watch_day_total').select(['hours_covered', 'hours_watched', 'peak_viewers']).where('day', '=', day).executeTakeFirst();
  const hours = await store.db
    .selectFrom('watch_hour_game')
    .select((eb) => eb.fn.sum<number>('hours_watched').as('h'))
    .executeTakeFirstOrThrow();
  const samples = await store.db
    .selectFrom('watch_samples')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const round = (x: unknown) => Math.round(Number(x) * 1e9) / 1e9;
  return {
    channels: await dayTotals(store, day),
    coveredMinutes: Math.round(Number(covered?.hours_covered ?? 0) * 60 * 1e6) / 1e6,
    watched: round(covered?.hours_watched),
    peak: Number(covered?.peak_viewers ?? 0),
    hourRows: round(hours.h),
    samples: Number(samples.n),
  };
}

/** a fresh SQLite store, closed and removed after `fn` */
async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const db = await tempSqlite();
  const store = await openStore({ url: db.url });
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
    await db.drop();
  }
}

/** the figures of one uninterrupted run of sweeps 0..`to` on a clock that tells the time */
async function truth(to: number): Promise<Awaited<ReturnType<typeof figures>>> {
  return withStore(async (store) => {
    const clock = new ManualClock(START);
    await withService(store, clock, async (w) => {
      await sweep(w, clock, 0, to);
      await w.stop();
    });
    return figures(store, '2026-11-20');
  });
}

async function dayTotals(store: Store, day: string) {
  const rows = await store.db.selectFrom('watch_day_channel').selectAll().where('day', '=', day).orderBy('user_id').execute();
  return rows.map((r) => ({ user: r.user_id, watched: Math.round(Number(r.hours_watched) * 1e9) / 1e9, streams: Number(r.streams) }));
}

/** while `down`, every write fails inside its transaction, as a database that is gone would */
class Outage implements KyselyPlugin {
  down = false;
  failures = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.down && args.node.kind === 'InsertQueryNode') {
      this.failures++;
      throw new Error('simulated outage: database unreachable');
    }
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** fails the first transaction that writes the integrator state, as a crash in mid-write would */
class FailOnce implements KyselyPlugin {
  armed = true;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as any;
    if (this.armed && node.kind === 'InsertQueryNode' && node.into?.table?.identifier?.name === 'watch_state') {
      this.armed = false;
      throw new Error('simulated crash while writing');
    }
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

describe('watch time storage', () => {
  test('a crash mid-write or between writes loses no hours and double-counts none', async (t) => {
    await withEachDialect(t, async (db: TestDatabase) => {
      // reference: one uninterrupted run
      const refDb = db.kind === 'sqlite' ? await tempSqlite() : db;
      const reference = await openStore({ url: refDb.url });
      await reference.migrate();
      const refClock = new ManualClock(START);
      await withService(reference, refClock, async (w) => {
        await sweep(w, refClock, 0, 40);
        await w.stop();
      });
      const expected = await dayTotals(reference, '2026-11-20');
      await reference.db.deleteFrom('watch_day_channel').execute();
      if (refDb !== db) {
        await reference.close();
        await refDb.drop();
      }

      const store = db.kind === 'sqlite' ? await openStore({ url: db.url }) : reference;
      try {
        await store.migrate();
        if (store !== reference) {
          /* fresh file */
        } else {
          for (const table of [
            'watch_day_channel_game',
            'watch_day_game',
            'watch_day_total',
            'watch_hour_game',
            'watch_hour_total',
            'watch_samples',
            'watch_state',
            'watch_games',
            'watch_channels',
          ] as const) {
            await store.db.deleteFrom(table).execute();
          }
        }
        const clock = new ManualClock(START);
        // run 1: ten sweeps written, then five more counted but never written (the process dies)
        await withService(store, clock, async (w) => {
          await sweep(w, clock, 0, 10);
          await sweep(w, clock, 10, 15, false);
        });
        // run 2: resumes from the stored state; its first write fails half-way and is retried
        const plugin = new FailOnce();
        const failing = store.db.withPlugin(plugin);
        const w2 = new WatchtimeService({ db: failing, clock, log: memoryLogger().log, config: CONFIG });
        await w2.start();
        await sweep(w2, clock, 15, 20);
        assert.equal(plugin.armed, false, 'the simulated crash happened');
        await sweep(w2, clock, 20, 40);
        await w2.stop();
        assert.deepEqual(await dayTotals(store, '2026-11-20'), expected);
      } finally {
        await store.close();
      }
    });
  });

  test('a finished day keeps its totals; raw samples are pruned, rollups are not', async () => {
    const db = await tempSqlite();
    const store = await openStore({ url: db.url });
    try {
      await store.migrate();
      const clock = new ManualClock(START);
      await withService(store, clock, async (w) => {
        await sweep(w, clock, 0, 30);
        // an empty sweep well past the gap cap ends every stream
        const t = START + 45 * MIN;
        await clock.advance(t - clock.now());
        w.completeSweep(100, t, t);
        await w.flush();
        const before = await dayTotals(store, '2026-11-20');
        // the next day: 23 hours later
        await sweep(w, clock, 23 * 60 + 10, 23 * 60 + 20);
        assert.deepEqual(await dayTotals(store, '2026-11-20'), before);
        assert.ok((await dayTotals(store, '2026-11-21')).length > 0);
        const samples = await store.db
          .selectFrom('watch_samples')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        assert.ok(Number(samples.n) > 0);
        await clock.advance(4 * 86_400_000);
        const { pruned } = await w.maintain();
        assert.equal(pruned, Number(samples.n));
        assert.deepEqual(await dayTotals(store, '2026-11-20'), before);
      });
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

describe('a clock that goes back', () => {
  test('a restart behind the stored state (a restarted accelerated simulator): no hour counted twice, coverage goes on, one warning', async () => {
    const expected = await truth(90);
    await withStore(async (store) => {
      // run 1: an hour of sweeps, written, with the integrator's state
      const first = new ManualClock(START);
      await withService(store, first, async (w) => {
        await sweep(w, first, 0, 60);
        await w.stop();
      });
      // run 2 starts on a clock 45 minutes behind the stored state and sweeps half an hour
      const clock = new ManualClock(START + 15 * MIN);
      const logger = memoryLogger('warn');
      const w = new WatchtimeService({ db: store.db, clock, log: logger.log, config: CONFIG });
      await w.start();
      await sweep(w, clock, 60, 90, true, 45);
      await w.stop();
      // the same real time on a truthful clock: every stream's hours once, 90 minutes covered.
      // (Raw samples are keyed by time and stream: one taken at a time already stored is that row.)
      assert.deepEqual({ ...(await figures(store, '2026-11-20')), samples: 0 }, { ...expected, samples: 0 });
      assert.equal(expected.coveredMinutes, 90);
      const warnings = logger.lines().filter((l) => l.level === 40 && /clock went back/.test(String(l.msg)));
      assert.equal(warnings.length, 1, 'one warning for the jump');
      assert.equal(warnings[0]!.streamsRestarted, 10);
    });
  });

  test('a running service whose clock is put back keeps writing (it does not wait for the clock to catch up)', async () => {
    await withStore(async (store) => {
      const clock = new ManualClock(START);
      const bus = new InProcessBus();
      const w = new WatchtimeService({ db: store.db, clock, log: memoryLogger().log, config: { ...CONFIG, flushSeconds: 60 } });
      await w.start(bus);
      try {
        const covered = async () => Math.round(Number((await store.db.selectFrom('watch_day_total').select('hours_covered').executeTakeFirst())?.hours_covered ?? 0) * 60 * 1e6) / 1e6;
        const sweepOnBus = async (m: number, back: number) => {
          const t = START + (m - back) * MIN;
          await clock.advance(t - clock.now());
          await bus.publish('streams.page', { generation: m + 1, seenAt: t, page: 1, streams: streamsAt(m) as HelixStream[] });
          await bus.drain();
          await bus.publish('streams.sweep.completed', {
            generation: m + 1,
            startedAt: t,
            finishedAt: t,
            stats: { pages: 1, streams: 10, zeroViewer: 0, oneViewer: 0, budgetPoints: 0, rateLimited: 0, errors: 0 },
            removed: 0,
          });
          await bus.drain();
        };
        for (let m = 0; m < 60; m++) await sweepOnBus(m, 0);
        assert.equal(await covered(), 60);
        for (let m = 60; m < 65; m++) await sweepOnBus(m, 45);
        assert.equal(await covered(), 65, 'the five sweeps after the jump are covered and written');
      } finally {
        await w.stop();
        await bus.close();
      }
    });
  });
});

describe('memory stays bounded', () => {
  test('days of short streams: the search index holds names seen within its window, the integrator only recent streams', async () => {
    const nameDays = 2;
    const period = 10 * MIN;
    await withStore(async (store) => {
      const clock = new ManualClock(START);
      await withService(
        store,
        clock,
        async (w) => {
          // every sweep: one channel live around the clock, and five new channels seen once each,
          // playing one of the day's three games (new games every day)
          const lastSeen = new Map<string, number>();
          let made = 0;
          let worstNames = 0;
          const days = 6;
          for (let k = 0; k < (days * 86_400_000) / period; k++) {
            const t = START + k * period;
            await clock.advance(t - clock.now());
            const day = Math.floor((k * period) / 86_400_000);
            const streams: StreamSample[] = [{ id: 'always', user_id: '1', user_login: 'always_on', user_name: 'Always_On', game_id: '27471', game_name: 'Minecraft', viewer_count: 50 }];
            for (let i = 0; i < 5; i++, made++) {
              streams.push({
                id: `s${made}`,
                user_id: `u${made}`,
                user_login: `short_${made}`,
                user_name: `Short_${made}`,
                game_id: `g${day}-${i % 3}`,
                game_name: `Game ${day}-${i % 3}`,
                viewer_count: 5 + i,
              });
            }
            for (const s of streams) {
              lastSeen.set(`streamer:${s.user_id}`, t);
              lastSeen.set(`game:${s.game_id}`, t);
            }
            w.ingestPage(streams, t, k + 1);
            w.completeSweep(k + 1, t, t);
            await w.flush();
            if (k === 0) assert.equal(w.sizes().searchNames, 0, 'the index loads at the first search');
            if (k % 36 === 35) {
              // every six hours someone searches; once a day the hourly job runs
              assert.ok(
                (await w.search('always on', 5)).some((r) => r.login === 'always_on'),
                `the channel live all along is found on day ${day}`,
              );
              if (k % 144 === 143) await w.maintain();
              const within = [...lastSeen.values()].filter((at) => at >= t - nameDays * 86_400_000).length;
              const sizes = w.sizes();
              worstNames = Math.max(worstNames, sizes.searchNames);
              assert.ok(sizes.searchNames <= within, `${sizes.searchNames} names in the index, ${within} seen within ${nameDays} days`);
              const recent = (span: number) => [...lastSeen.entries()].filter(([key, at]) => key.startsWith('streamer:') && at >= t - span).length;
              assert.ok(sizes.liveStreams <= recent(CONFIG.gapSeconds * 1000), `${sizes.liveStreams} streams held`);
              assert.ok(sizes.knownChannels <= recent(2 * CONFIG.gapSeconds * 1000 + period), `${sizes.knownChannels} channel names held`);
            }
          }
          assert.ok(lastSeen.size > 2.5 * worstNames, `${lastSeen.size} names seen, at most ${worstNames} held`);
          await w.stop();
        },
        { nameDays },
      );
    });
  });

  test('a database down for many flushes: one merged write waits, raw samples are capped and counted, and every hour arrives', async () => {
    const expected = await truth(60);
    await withStore(async (store) => {
      const outage = new Outage();
      const clock = new ManualClock(START);
      const logger = memoryLogger();
      const w = new WatchtimeService({ db: store.db.withPlugin(outage), clock, log: logger.log, config: CONFIG, maxQueuedSamples: 25 });
      await w.start();
      await sweep(w, clock, 0, 10);
      outage.down = true;
      await sweep(w, clock, 10, 11);
      const held = w.sizes().queuedRows;
      assert.ok(held > 0);
      for (let m = 11; m < 50; m++) {
        await sweep(w, clock, m, m + 1);
        const sizes = w.sizes();
        // the same channels, games and hour: the rows do not grow with the number of failed flushes
        assert.ok(sizes.queuedRows <= held, `${sizes.queuedRows} rows queued after ${m - 9} failed flushes (${held} after one)`);
        assert.ok(sizes.queuedSamples <= 25, `${sizes.queuedSamples} raw samples queued`);
      }
      assert.ok(outage.failures >= 40, 'every flush failed');
      assert.ok(w.sizes().droppedSamples > 0, 'some raw samples were dropped');
      outage.down = false;
      await sweep(w, clock, 50, 60);
      await w.stop();
      assert.equal(w.sizes().queuedRows, 0);
      const dropped = w.sizes().droppedSamples;
      const got = await figures(store, '2026-11-20');
      assert.deepEqual({ ...got, samples: got.samples + dropped }, expected, 'every hour, every covered minute, and every raw sample written or counted as dropped');
      assert.ok(logger.lines().some((l) => l.level === 40 && /raw samples beyond the cap are dropped/.test(String(l.msg))));
    });
  });
});

async function filledStore(): Promise<{ store: Store; db: TestDatabase; clock: ManualClock; watch: WatchtimeService }> {
  const db = await tempSqlite();
  const store = await openStore({ url: db.url });
  await store.migrate();
  const clock = new ManualClock(START);
  const watch = new WatchtimeService({ db: store.db, clock, log: memoryLogger().log, config: CONFIG });
  await watch.start();
  await sweep(watch, clock, 0, 60);
  // the next day, 16:00: 2026-11-20 is "yesterday" and its digest is due
  await clock.advance(Date.UTC(2026, 10, 21, 16, 0) - clock.now());
  await watch.flush();
  return { store, db, clock, watch };
}

describe('the daily digest', () => {
  test('three posts with the original wording, the same random game for the same day and seed', async () => {
    const { store, db, clock, watch } = await filledStore();
    try {
      assert.equal(dueDigestDay(watch, '15:00', clock.now()), '2026-11-20');
      assert.equal(dueDigestDay(watch, '17:00', clock.now()), '2026-11-19');
      const digest = (await composeDigest(watch, '2026-11-20', 0))!;
      assert.deepEqual(
        digest.posts.map((p) => p.key),
        ['games', 'streamers', 'random-game'],
      );
      const [games, streamers, random] = digest.posts as [any, any, any];
      assert.match(games.text, /^The most watched games on Twitch yesterday were:\n1\. Pokémon Scarlet and Violet: [\d,]+ hours\n2\. /);
      assert.equal(games.text.split('\n').length, 4, 'three games, a line each');
      assert.match(streamers.text, /^The most watched streamers on Twitch yesterday were:\n1\. Minecraft: [\d,]+ hours\n2\. Streamer_8: /);
      assert.equal(streamers.text.split('\n').length, 6);
      assert.match(random.text, /^Today's random game is (.+)\. The top 5 streamers yesterday for \1 are:\n1\. /);
      const again = (await composeDigest(watch, '2026-11-20', 0))!;
      assert.equal(again.posts[2]!.text, random.text);
      const games7 = new Set<string>();
      for (let seed = 0; seed < 30; seed++) games7.add((await watch.randomGame('2026-11-20', seed, 5)).game!.name);
      assert.ok(games7.size >= 2, 'other seeds pick other games');
      assert.equal(await composeDigest(watch, '2026-11-10', 0), undefined, 'a day without data has no digest');
    } finally {
      await store.close();
      await db.drop();
    }
  });

  test('each post goes out once per publisher and day; a failing publisher is retried and never touches the data', async () => {
    const { store, db, clock, watch } = await filledStore();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-digest-'));
    try {
      const sent: DigestPost[] = [];
      let down = true;
      const flaky: Publisher = {
        name: 'flaky',
        async publish(post) {
          if (down) throw new PublishError('flaky: 503 Service Unavailable', 'flaky', true, 503);
          sent.push(post);
          return { id: `remote-${sent.length}` };
        },
      };
      const publishers = [new FolderPublisher({ dir }), flaky];
      const topBefore = await watch.queries.topGames('2026-11-20', '2026-11-20', 10);
      const first = new DigestPublisher(store.db, publishers, memoryLogger().log, () => clock.now());
      const digest = (await first.stored(watch, '2026-11-20', 0))!;
      const r1 = await first.publish(digest);
      assert.deepEqual(
        r1.map((o) => `${o.publisher}:${o.status}`),
        ['folder:posted', 'folder:posted', 'folder:posted', 'flaky:failed', 'flaky:failed', 'flaky:failed'],
      );
      assert.deepEqual(await watch.queries.topGames('2026-11-20', '2026-11-20', 10), topBefore, 'watch time untouched by a failed post');
      const files = await readdir(path.join(dir, '2026-11-20'));
      assert.ok(files.includes('games.png') && files.includes('games.txt'));
      assert.equal(await readFile(path.join(dir, '2026-11-20', 'games.txt'), 'utf8'), digest.posts[0]!.text);
      down = false;
      // a restart: new objects, same database
      const second = new DigestPublisher(store.db, publishers, memoryLogger().log, () => clock.now());
      const r2 = await second.publish((await second.stored(watch, '2026-11-20', 0))!);
      assert.deepEqual(
        r2.map((o) => `${o.publisher}:${o.status}`),
        ['folder:already', 'folder:already', 'folder:already', 'flaky:posted', 'flaky:posted', 'flaky:posted'],
      );
      const r3 = await second.publish(digest);
      assert.ok(r3.every((o) => o.status === 'already'));
      assert.equal(sent.length, 3);
      assert.equal(sent[0]!.text, digest.posts[0]!.text);
      assert.equal(sent[0]!.image!.png.subarray(1, 4).toString(), 'PNG');
    } finally {
      await rm(dir, { recursive: true, force: true });
      await store.close();
      await db.drop();
    }
  });

  test('lurk digest: a bad --day exits 2 naming it; --dry-run prints the posts', async () => {
    const { store, db } = await filledStore();
    await store.close();
    try {
      const bad = await runLurk(['digest', '--day', '2026-02-30'], { DATABASE_URL: db.url });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--day/);
      const far = await runLurk(['digest', '--day', '9999-12-31'], { DATABASE_URL: db.url });
      assert.equal(far.code, 2, far.stderr);
      assert.match(far.stderr, /--day: 9999-12-31 is outside 2000-01-01\.\.2199-12-31/);
      const dry = await runLurk(['digest', '--day', '2026-11-20', '--dry-run'], { DATABASE_URL: db.url, LURK_DIGEST_DIR: 'off' });
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /The most watched games on Twitch yesterday were:\n1\. Pokémon Scarlet and Violet/);
      assert.match(dry.stderr, /rendering chart 3\/3/);
      assert.match(dry.stdout, /dry run: nothing posted/);
    } finally {
      await db.drop();
    }
  });
});

describe('answers', () => {
  test('the original replies, fuzzy names, and a name that is both a game and a streamer gets both', async () => {
    const { store, db, watch } = await filledStore();
    try {
      const [game] = await answerFor(watch, 'baldurs gate');
      assert.match(game!, /^The most watched Baldur's Gate 3 streamers yesterday were:\n1\. Streamer_6: [\d,]+ hours/);
      const [typo] = await answerFor(watch, 'baldrs gate 3');
      assert.match(typo!, /^The most watched Baldur's Gate 3 streamers/);
      const [streamer] = await answerFor(watch, 'streamer_4');
      assert.match(streamer!, /^Streamer_4 streamed the following games yesterday:\n1\. Pokémon Scarlet and Violet: /);
      assert.deepEqual(await answerFor(watch, 'Half-Life 3'), ['There were no active games or streamers yesterday with name Half-Life 3']);
      const both = await answerFor(watch, 'minecraft');
      assert.equal(both.length, 2);
      assert.match(both[0]!, /^The most watched Minecraft streamers yesterday were:/);
      assert.match(both[1]!, /^Minecraft streamed the following games yesterday:\n1\. Pokémon/);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  test('each mention is answered once, across polls and restarts; a failed reply is retried', async () => {
    const { store, db, clock, watch } = await filledStore();
    try {
      const inbox: Mention[] = [
        { id: 'm1', text: '@lurk.bsky.social baldurs gate', author: 'a', replyTo: { uri: 'at://1' }, createdAt: '1' },
        { id: 'm2', text: '@lurk.bsky.social streamer_4', author: 'b', replyTo: { uri: 'at://2' }, createdAt: '2' },
      ];
      const replies: { to: string; text: string }[] = [];
      let failNext = true;
      const source: Publisher = {
        name: 'bluesky',
        async publish() {
          return { id: 'x' };
        },
        async fetchMentions(cursor) {
          const after = Number(cursor ?? 0);
          const fresh = inbox.filter((m) => Number(m.createdAt) > after);
          return { mentions: fresh, cursor: fresh.length ? fresh[fresh.length - 1]!.createdAt : cursor };
        },
        async reply(m, text) {
          if (m.id === 'm2' && failNext) {
            failNext = false;
            throw new PublishError('bluesky: 502', 'bluesky', true, 502);
          }
          replies.push({ to: m.id, text });
          return { id: `r${replies.length}` };
        },
      };
      const a1 = new MentionAnswerer(store.db, watch, [source], memoryLogger().log, () => clock.now());
      assert.deepEqual(await a1.poll(), { answered: 1, failed: 1 });
      const a2 = new MentionAnswerer(store.db, watch, [source], memoryLogger().log, () => clock.now());
      assert.deepEqual(await a2.poll(), { answered: 1, failed: 0 }, 'the failed reply is retried though the cursor moved on');
      inbox.push({ id: 'm3', text: '@lurk.bsky.social zzzz', author: 'c', replyTo: {}, createdAt: '3' });
      await a2.poll();
      await a2.poll();
      assert.deepEqual(
        replies.map((r) => r.to),
        ['m1', 'm2', 'm3'],
      );
      assert.match(replies[0]!.text, /^The most watched Baldur's Gate 3 streamers yesterday were:/);
      assert.match(replies[2]!.text, /^There were no active games or streamers yesterday with name zzzz/);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
