import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createLurk, type Lurk } from '../../src/app.js';
import { openStore } from '../../src/store/database.js';
import { DayCalendar } from '../../src/watchtime/calendar.js';
import { WatchQueries } from '../../src/watchtime/queries.js';
import { pickWeighted } from '../../src/watchtime/random-game.js';
import { NameIndex, searchKey } from '../../src/watchtime/search.js';
import { memoryLogger, testConfig, waitFor } from '../helpers/app.js';
import { tempSqlite, withEachDialect, type TestDatabase } from '../helpers/db.js';

describe('leaderboards over many days', () => {
  test('the threshold algorithm gives exactly the naive GROUP BY answer', async (t) => {
    await withEachDialect(t, async (db: TestDatabase) => {
      const store = await openStore({ url: db.url });
      try {
        await store.migrate();
        // 12 days, 400 channels with skewed, day-to-day varying hours; 60 games
        let seed = 7;
        const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const channelRows = [];
        const gameRows = new Map<string, { day: string; game_id: string; hours_watched: number }>();
        for (let d = 1; d <= 12; d++) {
          const day = `2026-10-${String(d).padStart(2, '0')}`;
          for (let c = 0; c < 400; c++) {
            if (rand() < 0.3) continue;
            const hours = Math.round((1000 / (c + 1)) * (0.2 + 2 * rand()) * 1000) / 1000;
            channelRows.push({ day, user_id: String(c), hours_watched: hours, hours_streamed: 1, peak_viewers: Math.round(hours), streams: 1 });
            const g = gameRows.get(`${day}|${c % 60}`) ?? { day, game_id: String(c % 60), hours_watched: 0 };
            g.hours_watched += hours;
            gameRows.set(`${day}|${c % 60}`, g);
          }
        }
        for (let i = 0; i < channelRows.length; i += 500)
          await store.db
            .insertInto('watch_day_channel')
            .values(channelRows.slice(i, i + 500))
            .execute();
        await store.db
          .insertInto('watch_day_game')
          .values([...gameRows.values()].map((g) => ({ ...g, hours_streamed: 1, peak_viewers: 1, streams: 1, peak_channels: 1 })))
          .execute();
        const queries = new WatchQueries(store.db, new DayCalendar('UTC', { hour: 8, minute: 0 }));
        for (const [from, to, limit] of [
          ['2026-10-01', '2026-10-12', 10],
          ['2026-10-03', '2026-10-09', 25],
          ['2026-10-05', '2026-10-05', 5],
          ['2026-10-01', '2026-10-12', 100],
        ] as const) {
          const naive = await sql<{
            id: string;
            h: number;
          }>`select user_id as id, sum(hours_watched) as h from watch_day_channel where day >= ${from} and day <= ${to} group by user_id order by h desc, user_id limit ${limit}`.execute(store.db);
          const top = await queries.topStreamers(from, to, limit);
          assert.deepEqual(
            top.map((r) => r.id),
            naive.rows.map((r) => r.id),
            `${from}..${to} top ${limit}`,
          );
          for (const [i, r] of top.entries()) assert.ok(Math.abs(r.hours_watched - Number(naive.rows[i]!.h)) < 0.01);
          const naiveGames = await sql<{
            id: string;
          }>`select game_id as id, sum(hours_watched) as h from watch_day_game where day >= ${from} and day <= ${to} group by game_id order by h desc, game_id limit ${limit}`.execute(store.db);
          assert.deepEqual(
            (await queries.topGames(from, to, limit)).map((r) => r.id),
            naiveGames.rows.map((r) => r.id),
          );
        }
      } finally {
        await store.close();
      }
    });
  });
});

describe('where the records begin and end', () => {
  test('first and last day and the first hour sampled: null on an empty store, then read from the rollups', async (t) => {
    await withEachDialect(t, async (db: TestDatabase) => {
      const store = await openStore({ url: db.url });
      try {
        await store.migrate();
        const queries = new WatchQueries(store.db, new DayCalendar('UTC', { hour: 8, minute: 0 }));
        assert.equal(await queries.firstDay(), null);
        assert.equal(await queries.lastDay(), null);
        assert.equal(await queries.firstHour(), null);
        const measures = { hours_watched: 5, hours_streamed: 1, peak_viewers: 5, streams: 1, peak_channels: 1, hours_covered: 1 };
        await store.db
          .insertInto('watch_day_total')
          .values([
            { day: '2026-10-03', ...measures },
            { day: '2026-10-01', ...measures },
            { day: '2026-10-02', ...measures },
          ])
          .execute();
        const hour = Date.parse('2026-10-01T13:00:00Z');
        await store.db
          .insertInto('watch_hour_total')
          .values([
            { hour: hour + 3_600_000, ...measures },
            { hour, ...measures },
          ])
          .execute();
        assert.equal(await queries.firstDay(), '2026-10-01');
        assert.equal(await queries.lastDay(), '2026-10-03');
        assert.equal(await queries.firstHour(), hour);
      } finally {
        await store.close();
      }
    });
  });
});

describe('search and the random game', () => {
  test('case, accents, apostrophes, typos, ids and logins', () => {
    const index = new NameIndex();
    index.put({ kind: 'game', id: '1095275650', name: "Baldur's Gate 3" });
    index.put({ kind: 'game', id: '493244', name: 'Pokémon Scarlet and Violet' });
    index.put({ kind: 'game', id: '27471', name: 'Minecraft' });
    index.put({ kind: 'streamer', id: '1001', name: 'ZoëPlays', login: 'zoeplays' });
    const first = (q: string) => index.find(q, 5)[0];
    assert.equal(searchKey('Baldur’s Gate 3'), 'baldurs gate 3');
    assert.equal(first('baldurs gate')!.entry.name, "Baldur's Gate 3");
    assert.equal(first('BALDUR’S GATE 3')!.match, 'exact');
    assert.equal(first('baldrus gate')!.entry.name, "Baldur's Gate 3", 'a transposition');
    assert.equal(first('baldrs gate')!.match, 'fuzzy');
    assert.equal(first('pokemon scarlet')!.entry.id, '493244');
    assert.equal(first('minecarft')!.entry.id, '27471');
    assert.equal(first('27471')!.match, 'id');
    assert.equal(first('zoeplays')!.match, 'exact');
    assert.equal(first('zoe')!.entry.kind, 'streamer');
    assert.deepEqual(index.find('xyzzy quux', 5), []);
    assert.deepEqual(index.find("'; drop table watch_games; --", 5), []);
  });

  test('weighted by hours, the same for the same day and seed', () => {
    const games = [
      { id: 'a', hours: 900 },
      { id: 'b', hours: 100 },
    ];
    assert.equal(pickWeighted(games, '2026-11-20', 3)!.id, pickWeighted(games, '2026-11-20', 3)!.id);
    let a = 0;
    for (let seed = 0; seed < 2000; seed++) if (pickWeighted(games, '2026-11-20', seed)!.id === 'a') a++;
    assert.ok(a > 1700 && a < 1900, `picked a ${a} times of 2000`);
    assert.equal(pickWeighted([], '2026-11-20', 0), undefined);
  });
});

describe('the Watch time API', () => {
  let lurk: Lurk;
  let base: string;
  let db: TestDatabase;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };

  before(async () => {
    db = await tempSqlite();
    lurk = await createLurk(
      testConfig({
        DATABASE_URL: db.url,
        LURK_API_RATE_LIMIT: '0',
        LURK_WATCHTIME_FLUSH_SECONDS: '0',
        LURK_DIGEST_DIR: 'off',
        LURK_WATCHTIME_TIME_ZONE: 'Europe/Berlin',
        LURK_WATCHTIME_DAY_START: '06:30',
      }),
      { log: memoryLogger().log },
    );
    base = await lurk.start();
    await waitFor('the first watch-time write', () => lurk.watchtime.updatedAt ?? undefined, 30_000);
  });
  after(async () => {
    await lurk.stop();
    await db.drop();
  });

  test('today: games and streamers from the simulator, sorted, with zone and boundary stated', async () => {
    const today = lurk.watchtime.today();
    const games = await get(`/api/watchtime/top?kind=games&from=${today}&to=${today}&limit=5`);
    assert.equal(games.status, 200);
    assert.equal(games.body.time_zone, 'Europe/Berlin');
    assert.equal(games.body.day_start, '06:30');
    assert.ok(games.body.items.length > 0);
    const hours = games.body.items.map((i: any) => i.hours_watched);
    assert.deepEqual(
      hours,
      [...hours].sort((a: number, b: number) => b - a),
    );
    const streamers = await get(`/api/watchtime/top?kind=streamers&from=${today}&limit=3`);
    const top = streamers.body.items[0];
    assert.match(top.login, /^[a-z0-9_]+$/);
    const detail = await get(`/api/watchtime/streamers/${top.login}?from=${today}&to=${today}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.streamer.id, top.id);
    assert.equal(detail.body.totals.hours_watched, top.hours_watched);
    assert.equal(detail.body.series.length, 1);
    const game = await get(`/api/watchtime/games/${games.body.items[0].id}?from=${today}&to=${today}`);
    assert.equal(game.body.totals.hours_watched, games.body.items[0].hours_watched);
    assert.ok(game.body.totals.streamers >= 1);
    assert.ok(game.body.top_streamers.length >= 1);
    const overview = await get('/api/watchtime/overview');
    assert.equal(overview.body.today, today);
    assert.equal(overview.body.first_day, today);
    assert.equal(overview.body.last_day, today);
    const metrics = await get('/metrics');
    assert.match(metrics.text, /lurk_watchtime_write_seconds_count\{app="lurk",outcome="ok"\} [1-9]/);
    assert.match(metrics.text, /lurk_watchtime_tracked_streams\{app="lurk"\} [1-9]/);
    assert.match(metrics.text, /lurk_watchtime_memory_entries\{[^}]*kind="live_streams"[^}]*\} [1-9]/);
    assert.match(metrics.text, /lurk_watchtime_memory_entries\{[^}]*kind="queued_rows"[^}]*\} 0/);
    const hourly = await get(`/api/watchtime/series?from=${today}`);
    assert.equal(hourly.body.granularity, 'hour');
    assert.ok(hourly.body.points.some((p: any) => p.hours_watched > 0));
  });

  test('the overview says when recording began: the hours before it are no data (the series reads them as zeros)', async () => {
    const today = lurk.watchtime.today();
    const overview = await get('/api/watchtime/overview');
    assert.equal(overview.status, 200);
    const firstHour: string = overview.body.first_hour;
    assert.match(firstHour, /^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
    assert.ok(Date.parse(firstHour) <= lurk.watchtime.now(), 'not in the future');
    const hourly = await get(`/api/watchtime/series?from=${today}&to=${today}&granularity=hour`);
    const points: { t: string; hours_watched: number }[] = hourly.body.points;
    const first = points.find((p) => p.t === firstHour);
    assert.ok(first && first.hours_watched > 0, 'the first hour sampled has figures');
    assert.ok(
      points.filter((p) => p.t < firstHour).every((p) => p.hours_watched === 0),
      'before it, nothing was recorded',
    );
    // the OpenAPI document describes the same fields
    const doc = await get('/api/openapi.json');
    const schema = doc.body.paths['/api/watchtime/overview'].get.responses['200'].content['application/json'].schema;
    for (const field of ['first_day', 'last_day', 'first_hour', 'updated_at']) assert.ok(field in schema.properties, field);
  });

  test('CSV exports carry the same figures and state the zone', async () => {
    const today = lurk.watchtime.today();
    const json = await get(`/api/watchtime/top?kind=games&from=${today}&limit=3`);
    const csv = await get(`/api/watchtime/top?kind=games&from=${today}&limit=3&format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type')!, /^text\/csv/);
    assert.equal(csv.headers.get('x-lurk-time-zone'), 'Europe/Berlin');
    assert.equal(csv.headers.get('x-lurk-day-start'), '06:30');
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines[0], 'rank,id,login,name,hours_watched,hours_streamed,average_viewers,peak_viewers,streams');
    // figures can move between the two requests as sweeps land; names and ranks are what we compare
    assert.equal(lines.length, json.body.items.length + 1);
    assert.ok(lines[1]!.startsWith(`1,${json.body.items[0].id},,`));
  });

  test('bad input is a 4xx with a clear message', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/watchtime/top?kind=games&from=2026-02-30', 400, /from: 2026-02-30 is not a real date/],
      ['/api/watchtime/top?kind=games&from=2026-11-20&to=2026-11-01', 400, /after/],
      ['/api/watchtime/top?kind=games&from=2020-01-01&to=2026-01-01', 400, /longer than 400 days/],
      ['/api/watchtime/top?kind=planets', 400, /kind/],
      ['/api/watchtime/top?kind=games&limit=1000', 400, /limit/],
      ['/api/watchtime/games/99999999', 404, /No watch time is known for game 99999999/],
      ['/api/watchtime/streamers/nobody_at_all_x', 404, /nobody_at_all_x/],
      ['/api/watchtime/streamers/bad%20login', 400, /login/],
      ['/api/watchtime/series?kind=game', 400, /id is required/],
      ['/api/watchtime/search?q=', 400, /q/],
      ['/api/watchtime/random-game?day=yesterday', 400, /day/],
      // dates: a bounded range of years, checked before any list of days is built
      ['/api/watchtime/top?kind=games&from=9999-12-31', 400, /from: 9999-12-31 is outside 2000-01-01\.\.2199-12-31/],
      ['/api/watchtime/top?kind=streamers&to=9999-12-31', 400, /to: 9999-12-31 is outside/],
      ['/api/watchtime/top?kind=games&from=2026-11-01&to=9999-12-31', 400, /to: 9999-12-31 is outside/],
      ['/api/watchtime/top?kind=games&from=1999-12-31&to=2000-01-01', 400, /from: 1999-12-31 is outside/],
      ['/api/watchtime/top?kind=games&from=0000-01-01', 400, /from: 0000-01-01 is not a real date/],
      ['/api/watchtime/top?kind=games&from=2026-13-01', 400, /from: 2026-13-01 is not a real date/],
      ['/api/watchtime/top?kind=games&from=2000-01-01&to=2199-12-31', 400, /longer than 400 days/],
      ['/api/watchtime/games/1?from=9999-12-31', 400, /from: 9999-12-31 is outside/],
      ['/api/watchtime/streamers/someone?to=9999-12-31', 400, /to: 9999-12-31 is outside/],
      ['/api/watchtime/series?from=9999-12-31', 400, /from: 9999-12-31 is outside/],
      ['/api/watchtime/series?to=2199-12-31&from=2199-12-01&granularity=hour', 200, /./],
      ['/api/watchtime/random-game?day=9999-12-31', 400, /day: 9999-12-31 is outside/],
      // non-finite numbers are refused by the validator, naming the parameter
      ['/api/watchtime/top?kind=games&limit=1e309', 400, /querystring\.limit must be a finite number/],
      ['/api/watchtime/random-game?seed=1e309', 400, /querystring\.seed must be a finite number/],
      ['/api/watchtime/random-game?seed=-1e309', 400, /querystring\.seed must be a finite number/],
      ['/api/watchtime/search?q=a&limit=Infinity', 400, /querystring\.limit must be a finite number/],
    ];
    for (const [path, status, message] of cases) {
      const r = await get(path);
      assert.equal(r.status, status, path);
      if (status === 200) continue;
      assert.match(r.body.error.message, message, path);
      assert.equal(typeof r.body.error.code, 'string');
    }
  });

  test('search finds games by what people type; the random game is stable per day and seed', async () => {
    const today = lurk.watchtime.today();
    const games = await get(`/api/watchtime/top?kind=games&from=${today}&limit=50`);
    const withMark = games.body.items.find((g: any) => /[’'é:]/.test(g.name)) ?? games.body.items[0];
    const typed = searchKey(withMark.name).split(' ').slice(0, 2).join(' ');
    const found = await get(`/api/watchtime/search?q=${encodeURIComponent(typed)}`);
    assert.ok(
      found.body.results.some((r: any) => r.kind === 'game' && r.id === withMark.id),
      `${typed} finds ${withMark.name}`,
    );
    const r1 = await get(`/api/watchtime/random-game?day=${today}&seed=5`);
    const r2 = await get(`/api/watchtime/random-game?day=${today}&seed=5`);
    assert.equal(r1.body.game.id, r2.body.game.id);
    assert.ok(r1.body.share > 0 && r1.body.share <= 1);
  });
});
