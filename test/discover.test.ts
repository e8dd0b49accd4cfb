import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLurk, type Lurk } from '../src/app.js';
import { InProcessBus } from '../src/core/bus.js';
import { SystemClock } from '../src/core/clock.js';
import { ZeroViewerPool } from '../src/discover/pool.js';
import { DiscoverService } from '../src/discover/service.js';
import { DiscoverStore } from '../src/discover/store.js';
import { Sweeper } from '../src/discover/sweeper.js';
import type { Simulator } from '../src/sim/index.js';
import { openStore, type Store } from '../src/store/database.js';
import { countStreams } from '../src/streams/store.js';
import { AppTokenProvider } from '../src/twitch/app-token.js';
import { HelixBudget } from '../src/twitch/budget.js';
import { simulatorEndpoints } from '../src/twitch/endpoints.js';
import { HelixClient } from '../src/twitch/helix-client.js';
import type { HelixStream } from '../src/twitch/helix.external.js';
import { memoryLogger, testConfig, waitFor } from './helpers/app.js';
import { tempSqlite, withEachDialect, type TestDatabase } from './helpers/db.js';
import { credentials, startSimulator } from './helpers/sim.js';

let sim: Simulator;

before(async () => {
  sim = await startSimulator({ channels: 800, live: 250, seed: 3, rateLimitPerMinute: 0 });
});
after(async () => {
  await sim.stop();
});

function sweeperFor(store: Store, options: { graceSweeps?: number; service?: DiscoverService; onPage?: () => void } = {}) {
  const endpoints = simulatorEndpoints(sim.address);
  const budget = new HelixBudget();
  const helix = new HelixClient({ base: endpoints.helix, tokens: new AppTokenProvider({ ...credentials(sim), oauth: endpoints.oauth }), budget, backoffBaseMs: 20, maxRetries: 30 });
  const discoverStore = new DiscoverStore(store.db, store.facts);
  const service = options.service ?? new DiscoverService(discoverStore, new SystemClock(), { maxViewers: 1, throttleVisitors: 3, throttleMinutes: 10 });
  const sweeper = new Sweeper({
    helix,
    budget,
    store: discoverStore,
    bus: new InProcessBus(),
    clock: new SystemClock(),
    log: memoryLogger().log,
    languages: [],
    graceSweeps: options.graceSweeps ?? 2,
    onStreams: (streams) => {
      for (const s of streams) service.pool.update(s);
      options.onPage?.();
    },
    onRemoved: (ids) => {
      for (const id of ids) service.pool.remove(id);
    },
  });
  return { sweeper, discoverStore, service };
}

function liveIds(): Set<string> {
  return new Set([...sim.world.liveChannelList()].map((c) => sim.world.stream(c)!.id));
}

describe('the sweeper', () => {
  test('keeps streams seen again, removes ended ones after the grace, refreshes viewer counts', async (t) => {
    await withEachDialect(t, async (db: TestDatabase) => {
      const store = await openStore({ url: db.url });
      try {
        await store.migrate();
        const { sweeper, discoverStore, service } = sweeperFor(store);
        const first = await sweeper.sweep();
        assert.equal(first.stats.streams, sim.world.liveCount);
        assert.equal(await countStreams(store.db), sim.world.liveCount);
        const before = liveIds();
        // an hour later some streams have ended and counts have moved
        sim.advance(60 * 60_000);
        const ended = [...before].filter((id) => !liveIds().has(id));
        assert.ok(ended.length > 5, `${ended.length} streams ended`);
        const second = await sweeper.sweep();
        assert.equal(second.removed, 0, 'within the grace nothing is removed');
        const kept = await discoverStore.streamById(ended[0]!);
        assert.equal(Number(kept!.generation), first.generation);
        const third = await sweeper.sweep();
        assert.equal(third.removed, ended.length);
        assert.equal(await discoverStore.streamById(ended[0]!), undefined);
        // every stored stream carries the latest count and generation
        const row = await discoverStore.streamById([...liveIds()][0]!);
        assert.equal(Number(row!.generation), third.generation);
        // the pool holds exactly the live streams with at most one viewer
        const lonely = [...sim.world.liveChannelList()].filter((c) => sim.world.reportedViewers(c) <= 1).map((c) => sim.world.stream(c)!.id);
        assert.equal(service.pool.size, lonely.length);
        for (const id of lonely) assert.ok(service.pool.get(id));
        const sweeps = await discoverStore.lastSweeps(3);
        assert.deepEqual(
          sweeps.map((s) => s.status),
          ['completed', 'completed', 'completed'],
        );
      } finally {
        await store.close();
      }
    });
  });

  test('a stream that gained viewers is no longer served as zero-viewer after the next sweep', async () => {
    const db = await tempSqlite();
    const store = await openStore({ url: db.url });
    try {
      await store.migrate();
      const { sweeper, service } = sweeperFor(store);
      await sweeper.sweep();
      const zero = [...sim.world.liveChannelList()].find((c) => sim.world.reportedViewers(c) === 0)!;
      const id = sim.world.stream(zero)!.id;
      assert.equal(service.pool.get(id)?.stream.viewer_count, 0);
      // a raid lands on it; a few minutes later Twitch's count shows the raiders
      const raider = [...sim.world.liveChannelList()].sort((a, b) => sim.world.viewersNow(b) - sim.world.viewersNow(a))[0]!;
      sim.world.trigger('channel.raid', raider, { toChannel: zero });
      sim.advance(3 * 60_000);
      assert.ok(sim.world.reportedViewers(zero) > 1);
      await sweeper.sweep();
      assert.equal(service.pool.get(id), undefined);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  test('a sweep cut short loses nothing, and the next one completes', async () => {
    const db = await tempSqlite();
    const store = await openStore({ url: db.url });
    try {
      await store.migrate();
      const controller = new AbortController();
      let pages = 0;
      const { sweeper, discoverStore } = sweeperFor(store, { onPage: () => ++pages === 2 && controller.abort(new Error('crash')) });
      await assert.rejects(sweeper.sweep(controller.signal));
      assert.equal(await countStreams(store.db), 200, 'the two stored pages stay');
      assert.equal(await discoverStore.abandonRunning(), 1);
      const next = await sweeper.sweep();
      assert.equal(next.stats.streams, sim.world.liveCount);
      assert.equal(await countStreams(store.db), sim.world.liveCount);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  test('429 and 5xx storms and slow answers: the sweep completes and stores every stream', async () => {
    const db = await tempSqlite();
    const store = await openStore({ url: db.url });
    sim.faults = { ...sim.faults, rate5xx: 0.25, rate429: 0.2, latencyMs: 20 };
    try {
      await store.migrate();
      const { sweeper } = sweeperFor(store);
      const result = await sweeper.sweep();
      assert.equal(result.stats.streams, sim.world.liveCount);
      assert.equal(await countStreams(store.db), sim.world.liveCount);
    } finally {
      sim.faults = { ...sim.faults, rate5xx: 0, rate429: 0, latencyMs: 0 };
      await store.close();
      await db.drop();
    }
  });
});

describe('the API', () => {
  let lurk: Lurk;
  let base: string;
  let db: TestDatabase;

  before(async () => {
    db = await tempSqlite();
    lurk = await createLurk(testConfig({ DATABASE_URL: db.url, LURK_API_RATE_LIMIT: '0', LURK_DISCOVER_THROTTLE_VISITORS: '0', LURK_SIM_SEED: '11' }), { log: memoryLogger().log });
    base = await lurk.start();
    await waitFor('the first sweep', async () => ((await lurk.discover.pool.size) > 0 && lurk.scheduler.get('discover.sweep')!.runs > 0 ? true : undefined));
  });
  after(async () => {
    await lurk.stop();
    await db.drop();
  });

  async function random(query: string): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(`${base}/api/streams/random?${query}`);
    return { status: res.status, body: await res.json(), headers: res.headers };
  }

  test('random streams are distinct zero-viewer streams in Helix shape', async () => {
    const { status, body } = await random('count=20');
    assert.equal(status, 200);
    assert.equal(body.length, 20);
    assert.equal(new Set(body.map((s: HelixStream) => s.id)).size, 20);
    for (const s of body) {
      assert.equal(s.viewer_count, 0);
      assert.equal(s.type, 'live');
      assert.match(s.thumbnail_url, /\{width\}x\{height\}/);
    }
    const one = await random('count=64&max_viewers=1');
    assert.ok(one.body.some((s: HelixStream) => s.viewer_count === 1));
  });

  test('filters: language, game, include/exclude with all/any, minimum age', async () => {
    const pool = [...(await random('count=64&max_viewers=1')).body] as HelixStream[];
    const language = pool.find((s) => s.language !== 'en')!.language;
    for (const s of (await random(`count=10&max_viewers=1&language=${language}`)).body) assert.equal(s.language, language);
    const game = pool[0]!;
    for (const s of (await random(`count=10&max_viewers=1&game=${game.game_id}`)).body) assert.equal(s.game_id, game.game_id);
    for (const s of (await random(`count=10&max_viewers=1&game=${encodeURIComponent(game.game_name.toUpperCase())}`)).body) assert.equal(s.game_name, game.game_name);
    const word = game.user_login.slice(0, 6);
    const included = (await random(`count=64&max_viewers=1&include=${encodeURIComponent(word.toUpperCase())}`)).body as HelixStream[];
    // every match comes back when there are fewer than 64
    assert.ok(included.length === 64 || included.some((s) => s.id === game.id));
    for (const s of included) assert.ok(`${s.title} ${s.game_name} ${s.tags.join(' ')} ${s.user_login} ${s.user_name}`.toLowerCase().includes(word));
    const excluded = (await random(`count=64&max_viewers=1&exclude=${encodeURIComponent(game.game_name)}`)).body as HelixStream[];
    assert.ok(excluded.every((s) => s.game_name !== game.game_name));
    const any = (await random(`count=64&max_viewers=1&match=any&include=${encodeURIComponent(`${game.user_login},${pool[1]!.user_login}`)}`)).body as HelixStream[];
    const anyIds = new Set(any.map((s) => s.id));
    assert.ok(anyIds.has(game.id) && anyIds.has(pool[1]!.id));
    // anything else matched a login as a substring of its own text
    for (const s of any) assert.ok([game.user_login, pool[1]!.user_login].some((l) => `${s.title} ${s.user_login} ${s.user_name}`.toLowerCase().includes(l)));
    const all = (await random(`count=64&max_viewers=1&match=all&include=${encodeURIComponent(`${game.user_login},${pool[1]!.user_login}`)}`)).body;
    assert.deepEqual(all, []);
    const old = (await random('count=64&max_viewers=1&min_age=120')).body as HelixStream[];
    for (const s of old) assert.ok(lurk.clock.now() - Date.parse(s.started_at) >= 120 * 60_000);
  });

  test('bad requests are 400, oversized ones 413, each with a message', async () => {
    for (const q of ['count=0', 'count=65', 'max_viewers=2', 'language=english', 'match=some', 'colour=red', 'min_age=-1']) {
      const res = await random(q);
      assert.equal(res.status, 400, q);
      assert.equal(res.body.error.code, 'bad_request');
      assert.ok(res.body.error.message.length > 5);
    }
    const many = await random(`include=${Array.from({ length: 17 }, (_, i) => `t${i}`).join(',')}`);
    assert.equal(many.status, 413);
    assert.match(many.body.error.message, /at most 16/);
    const long = await random(`exclude=${'x'.repeat(81)}`);
    assert.equal(long.status, 413);
    const none = await random('include=zzzzqqqq');
    assert.deepEqual(none.body, []);
  });

  test('non-finite and unsafe numbers are a 400 naming the parameter, not a frozen process', async () => {
    for (const [q, message] of [
      ['count=1e309', /querystring\.count must be a finite number/],
      ['count=-1e309', /querystring\.count must be a finite number/],
      ['count=Infinity', /querystring\.count must be a finite number/],
      ['min_age=1e300', /querystring\.min_age must be an integer from/],
      ['max_viewers=9007199254740993', /querystring\.max_viewers must be an integer from/],
    ] as const) {
      const res = await random(q);
      assert.equal(res.status, 400, q);
      assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
      assert.match(res.body.error.message, message, q);
    }
    // what Number() reads stays accepted: surrounding spaces, and -0 as 0
    assert.equal((await random(`count=${encodeURIComponent(' 3 ')}&min_age=-0`)).body.length, 3);
  });

  test('exclude_ids leaves out streams the visitor has; a channel is found by login', async () => {
    const all = (await random('count=64&max_viewers=1')).body as HelixStream[];
    const [first, second] = all;
    const without = (await random(`count=64&max_viewers=1&exclude_ids=${first!.id},${second!.id}`)).body as HelixStream[];
    assert.ok(without.length > 0);
    assert.ok(without.every((s) => s.id !== first!.id && s.id !== second!.id));
    assert.equal((await random('exclude_ids=12,abc')).status, 400);
    const found = (await (await fetch(`${base}/api/streams/by-login/${first!.user_login.toUpperCase()}`)).json()) as { stream: HelixStream };
    assert.equal(found.stream.id, first!.id);
    assert.equal((await fetch(`${base}/api/streams/by-login/nobody_by_that_name`)).status, 404);
    assert.equal((await fetch(`${base}/api/streams/by-login/${encodeURIComponent('bad login!')}`)).status, 400);
  });

  test('a stream by id, and the stats', async () => {
    const [s] = (await random('count=1')).body as HelixStream[];
    const res = await fetch(`${base}/api/streams/${s!.id}`);
    const body = (await res.json()) as { stream: HelixStream; live_for_seconds: number; last_seen_at: string };
    assert.equal(body.stream.id, s!.id);
    assert.ok(body.live_for_seconds >= 0);
    assert.equal((await fetch(`${base}/api/streams/999999999999`)).status, 404);
    assert.equal((await fetch(`${base}/api/streams/abc`)).status, 400);
    const stats = (await (await fetch(`${base}/api/discover/stats`)).json()) as {
      live: number;
      zero_viewer: number;
      last_sweep: { status: string; pages: number };
      per_game: unknown[];
      per_tag: unknown[];
    };
    assert.ok(stats.live >= stats.zero_viewer && stats.zero_viewer > 0);
    assert.equal(stats.last_sweep.status, 'completed');
    assert.ok(stats.last_sweep.pages >= 1);
    assert.ok(stats.per_game.length > 0 && stats.per_tag.length > 0);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /lurk_helix_requests_total\{status="200",app="lurk"\} [1-9]/);
    assert.match(metrics, /lurk_discover_pool_streams\{app="lurk"\} [1-9]/);
    assert.match(metrics, /lurk_discover_last_sweep_streams\{app="lurk"\} [1-9]/);
  });
});

describe('the zero-viewer pool', () => {
  test('a pick is bounded by the pool, whatever count it is asked for', () => {
    const pool = new ZeroViewerPool(1);
    for (let i = 0; i < 5; i++)
      pool.update({
        id: String(i),
        user_id: String(i),
        user_login: `c${i}`,
        user_name: `C${i}`,
        game_id: '1',
        game_name: 'G',
        type: 'live',
        title: 't',
        viewer_count: 0,
        started_at: new Date(0).toISOString(),
        language: 'en',
        thumbnail_url: '',
        tag_ids: [],
        tags: [],
        is_mature: false,
      });
    assert.equal(pool.pick(Infinity, { maxViewers: 1 }, Date.now()).length, 5);
    assert.equal(pool.pick(Number.MAX_SAFE_INTEGER, { maxViewers: 1 }, Date.now()).length, 5);
    assert.equal(pool.pick(NaN, { maxViewers: 1 }, Date.now()).length, 0);
    assert.equal(pool.pick(-3, { maxViewers: 1 }, Date.now()).length, 0);
    // a filter that rejects everything ends after a bounded number of draws
    assert.deepEqual(pool.pick(Infinity, { maxViewers: 1, except: new Set(['0', '1', '2', '3', '4']) }, Date.now()), []);
  });
});

describe('spreading visitors', () => {
  test('a stream handed to K visitors is set aside, and the per-client limit answers 429', async () => {
    const db = await tempSqlite();
    const lurk = await createLurk(testConfig({ DATABASE_URL: db.url, LURK_API_RATE_LIMIT: '30', LURK_DISCOVER_THROTTLE_VISITORS: '1', LURK_SIM_SEED: '12' }), { log: memoryLogger().log });
    const base = await lurk.start();
    try {
      await waitFor('the first sweep', () => (lurk.scheduler.get('discover.sweep')!.runs > 0 ? true : undefined));
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const [s] = (await (await fetch(`${base}/api/streams/random`)).json()) as HelixStream[];
        assert.ok(!seen.has(s!.id), 'each visitor gets a stream nobody was just sent to');
        seen.add(s!.id);
      }
      // thumbnails (purpose=browse) are not hand-outs: they set nothing aside
      const browsed = (await (await fetch(`${base}/api/streams/random?count=5&purpose=browse`)).json()) as HelixStream[];
      for (const s of browsed) assert.equal(seen.has(s.id) || !lurk.discover.throttle.isSetAside(s.id, Date.now()), true);
      let limited: Response | undefined;
      for (let i = 0; i < 40 && !limited; i++) {
        const res = await fetch(`${base}/api/streams/random`);
        if (res.status === 429) limited = res;
        else await res.arrayBuffer();
      }
      assert.ok(limited, 'the 31st request in a minute is refused');
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'rate_limited');
    } finally {
      await lurk.stop();
      await db.drop();
    }
  });
});
