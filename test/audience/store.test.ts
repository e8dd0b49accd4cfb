// Audience's store and overlap SQL on real SQLite and real PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { ActivityRow, EngineMove, EngineRaid } from '../../src/audience/engine.js';
import { rankSimilar } from '../../src/audience/overlap.js';
import { AudienceStore, MAX_SHARED_CHANNELS, medianOf, utcDay } from '../../src/audience/store.js';
import { openStore } from '../../src/store/database.js';
import { withEachDialect } from '../helpers/db.js';

const HOUR = 3_600_000;
/** 18:00 UTC on 2026-12-01 */
const T = Date.UTC(2026, 11, 1, 18, 0);
const empty = { moves: [], raids: [], ended: [], activity: [] };

function move(user: string, from: string, to: string, leftAt: number, gapSeconds: number, cause: 'raid' | 'organic' = 'organic', raidId?: string): EngineMove {
  return {
    user,
    from,
    to,
    leftAt,
    joinedAt: leftAt + gapSeconds * 1000,
    cause,
    ...(raidId ? { raidId } : {}),
    evidence: [
      { channel: from, kind: 'part', at: leftAt },
      { channel: to, kind: 'chat', at: leftAt + gapSeconds * 1000 },
    ],
  };
}

function raid(patch: Partial<EngineRaid> = {}): EngineRaid {
  return { id: `a>b@${T / 1000}`, from: 'a', to: 'b', at: T, viewers: 40, sources: ['eventsub'], raidersSeen: 3, retained10m: null, retained30m: null, ...patch };
}

test('moves: per-user rows with evidence, hourly counts added across flushes with the exact median gap; flows both ways', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const s = new AudienceStore(store.db, store.facts);
      await s.write({ ...empty, moves: [move('u1', 'a', 'b', T, 10), move('u2', 'a', 'b', T + 60_000, 30, 'raid', 'r1'), move('u3', 'a', 'c', T, 5)] });
      // a second flush of the same hour adds to it; another hour is its own row
      await s.write({ ...empty, moves: [move('u4', 'a', 'b', T + 120_000, 20), move('u5', 'a', 'b', T + HOUR, 100), move('u6', 'c', 'a', T, 7)] });
      const out = await s.flows('a', 'out', T, T + 2 * HOUR);
      assert.deepEqual(out, [
        { channel: 'b', moves: 4, organic: 3, raid: 1 },
        { channel: 'c', moves: 1, organic: 1, raid: 0 },
      ]);
      // the first hour only: the range is of arrival hours [hourOf(from), to)
      assert.deepEqual(await s.flows('a', 'out', T + 1000, T + HOUR), [
        { channel: 'b', moves: 3, organic: 2, raid: 1 },
        { channel: 'c', moves: 1, organic: 1, raid: 0 },
      ]);
      assert.deepEqual(await s.flows('a', 'in', T, T + 2 * HOUR), [{ channel: 'c', moves: 1, organic: 1, raid: 0 }]);
      const pairs = await s.movePairs({ fromChannel: 'a', from: T, to: T + 2 * HOUR, limit: 10 });
      assert.equal(pairs.total, 5);
      // gaps a → b: 10, 20, 30, 100 → median 25
      assert.deepEqual(pairs.pairs, [
        { from_channel: 'a', to_channel: 'b', moves: 4, organic: 3, raid: 1, median_gap_seconds: 25 },
        { from_channel: 'a', to_channel: 'c', moves: 1, organic: 1, raid: 0, median_gap_seconds: 5 },
      ]);
      const limited = await s.movePairs({ from: T, to: T + 2 * HOUR, limit: 1 });
      assert.equal(limited.total, 6);
      assert.equal(limited.pairs.length, 1);
      const rows = await s.moves({ toChannel: 'b', from: T, to: T + 2 * HOUR, limit: 10 });
      assert.deepEqual(
        rows.map((r) => [r.user, r.cause, r.raid_id]),
        [
          ['u5', 'organic', null],
          ['u4', 'organic', null],
          ['u2', 'raid', 'r1'],
          ['u1', 'organic', null],
        ],
      );
      assert.deepEqual(rows[2]!.evidence, [
        { channel: 'a', kind: 'part', at: new Date(T + 60_000).toISOString() },
        { channel: 'b', kind: 'chat', at: new Date(T + 90_000).toISOString() },
      ]);
      assert.equal(rows[2]!.left_at, new Date(T + 60_000).toISOString());
    } finally {
      await store.close();
    }
  });
});

test('raids and ended streams: upserts keep the latest version, never lose retention or raiders already counted', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const s = new AudienceStore(store.db, store.facts);
      // two versions in one batch: the last is kept
      await s.write({ ...empty, raids: [raid(), raid({ sources: ['chat', 'eventsub'], raidersSeen: 5 })] });
      await s.write({ ...empty, raids: [raid({ sources: ['chat', 'eventsub'], raidersSeen: 6, retained10m: 4 })] });
      // a restart's engine knows the raid again with fewer raiders and no retention yet
      await s.write({ ...empty, raids: [raid({ sources: ['chat', 'eventsub'], raidersSeen: 1 }), raid({ id: 'c>a@1', from: 'c', to: 'a', at: T + HOUR })] });
      const all = await s.raids({ from: T, to: T + 2 * HOUR, limit: 10 });
      assert.deepEqual(
        all.map((r) => [r.id, r.sources, r.raiders_seen, r.retained_10m, r.retained_30m]),
        [
          ['c>a@1', ['eventsub'], 3, null, null],
          [`a>b@${T / 1000}`, ['chat', 'eventsub'], 6, 4, null],
        ],
      );
      assert.deepEqual(
        (await s.raids({ channel: 'b', from: T, to: T + 2 * HOUR, limit: 10 })).map((r) => r.id),
        [`a>b@${T / 1000}`],
      );
      assert.equal((await s.raids({ channel: 'a', from: T, to: T + 1, limit: 10 })).length, 1, 'the range is half-open and includes from');
      const ended = { channel: 'a', endedAt: T, audience: 10, followed: 2, moves: 2, raidMoves: 1, destinations: [{ channel: 'b', count: 2, raid: 1 }], final: false };
      await s.write({ ...empty, ended: [ended] });
      await s.write({
        ...empty,
        ended: [
          {
            ...ended,
            followed: 4,
            moves: 4,
            destinations: [
              { channel: 'b', count: 3, raid: 1 },
              { channel: 'c', count: 1, raid: 0 },
            ],
            final: true,
          },
        ],
      });
      assert.deepEqual(await s.ended({ limit: 10 }), [
        {
          channel: 'a',
          ended_at: new Date(T).toISOString(),
          audience: 10,
          followed: 4,
          raid_share: 0.25,
          destinations: [
            { channel: 'b', count: 3, raid: 1 },
            { channel: 'c', count: 1, raid: 0 },
          ],
          final: true,
        },
      ]);
      assert.deepEqual(await s.ended({ channel: 'b', limit: 10 }), []);
    } finally {
      await store.close();
    }
  });
});

/** activity of users in channels: `who` maps a channel to its users, all at `at` */
function activity(who: Record<string, string[]>, at: number): ActivityRow[] {
  return Object.entries(who).flatMap(([channel, users]) => users.map((user) => ({ channel, user, firstAt: at - 60_000, lastAt: at })));
}

test('activity and overlap: first/last merged per day, shared users, both shares and TwitchOverlap probability; the daily ranking', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const s = new AudienceStore(store.db, store.facts);
      // a: u1..u6; b: u1..u4 and u9; c: u4, u5, u7; d: u8 (shares nothing)
      await s.write({
        ...empty,
        activity: activity({ a: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'], b: ['u1', 'u2', 'u3', 'u4', 'u9'], c: ['u4', 'u5', 'u7'], d: ['u8'] }, T),
      });
      // the same users again later the same day: one row each, first and last merged
      await s.write({ ...empty, activity: [{ channel: 'a', user: 'u1', firstAt: T - 3 * HOUR, lastAt: T + HOUR }] });
      const row = await store.db.selectFrom('audience_activity').selectAll().where('channel', '=', 'a').where('viewer', '=', 'u1').execute();
      assert.deepEqual(
        row.map((r) => [r.day, Number(r.first_at), Number(r.last_at)]),
        [[utcDay(T), T - 3 * HOUR, T + HOUR]],
      );
      const o = await s.periodOverlap('a', T - 24 * HOUR, T + 2 * HOUR);
      // a's users shared with any other: u1..u5 = 5; with b: u1..u4 = 4; with c: u4, u5 = 2
      assert.equal(o.audience, 6);
      assert.equal(o.shared_any, 5);
      assert.deepEqual(o.others, [
        { channel: 'b', shared: 4, share_of_channel: 4 / 6, share_of_other: 4 / 5, probability: 4 / 5 },
        { channel: 'c', shared: 2, share_of_channel: 2 / 6, share_of_other: 2 / 3, probability: 2 / 5 },
      ]);
      // the period counts a user by the last signal: a window ending before T sees only u1's earlier... none
      const before = await s.periodOverlap('a', T - 24 * HOUR, T);
      assert.equal(before.audience, 0);
      assert.deepEqual((await s.periodOverlap('d', T - HOUR, T + HOUR)).others, []);

      const day = await s.dayOverlap(utcDay(T));
      assert.deepEqual(Object.fromEntries(day.audience), { a: 6, b: 5, c: 3, d: 1 });
      assert.deepEqual(Object.fromEntries(day.sharedAny), { a: 5, b: 4, c: 2 });
      const ranks = rankSimilar(day, ['a', 'c', 'd']);
      assert.deepEqual(
        ranks.map((r) => [r.channel, r.other, r.rank, r.shared, r.probability]),
        [
          ['a', 'b', 1, 4, 4 / 5],
          ['a', 'c', 2, 2, 2 / 5],
          ['c', 'a', 1, 2, 2 / 2],
          ['c', 'b', 2, 1, 1 / 2],
        ],
      );
      // one channel's side gives the same ranking for it
      assert.deepEqual(
        rankSimilar(await s.dayOverlap(utcDay(T), 'c'), ['c']),
        ranks.filter((r) => r.channel === 'c'),
      );
      await s.saveSimilar(utcDay(T), ranks);
      // recomputing a day replaces it
      await s.saveSimilar(utcDay(T), ranks.slice(0, 1));
      assert.deepEqual(await s.similar('a', '2026-11-25', '2026-12-01'), [{ day: '2026-12-01', ranks: [{ channel: 'b', rank: 1, shared: 4, probability: 0.8 }] }]);
      assert.deepEqual(await s.similar('c', '2026-11-25', '2026-12-01'), [
        {
          day: '2026-12-01',
          ranks: [
            { channel: 'a', rank: 1, shared: 2, probability: 1 },
            { channel: 'b', rank: 2, shared: 1, probability: 0.5 },
          ],
        },
      ]);
    } finally {
      await store.close();
    }
  });
});

test('a bot sitting in more than MAX_SHARED_CHANNELS rooms a day is no shared audience of any two (nor k² rows of the self-join)', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const s = new AudienceStore(store.db, store.facts);
      const rooms = Array.from({ length: MAX_SHARED_CHANNELS + 1 }, (_, i) => `room${i}`);
      const users: Record<string, string[]> = Object.fromEntries(rooms.map((r) => [r, ['somebot']]));
      users.room0!.push('fan');
      users.room1!.push('fan');
      await s.write({ ...empty, activity: activity(users, T) });
      const day = await s.dayOverlap(utcDay(T));
      assert.equal(day.audience.get('room0'), 2, 'the bot is still active in each room');
      assert.deepEqual(
        day.pairs.sort((x, y) => x.a.localeCompare(y.a)),
        [
          { a: 'room0', b: 'room1', shared: 1 },
          { a: 'room1', b: 'room0', shared: 1 },
        ],
      );
      assert.deepEqual(Object.fromEntries(day.sharedAny), { room0: 1, room1: 1 });
      const period = await s.periodOverlap('room0', T - HOUR, T + HOUR);
      assert.deepEqual([period.audience, period.shared_any, period.others.map((o) => [o.channel, o.shared])], [2, 1, [['room1', 1]]]);
    } finally {
      await store.close();
    }
  });
});

test('prune: per-user moves and activity older than the cut go in batches; counts, raids and maps stay', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const s = new AudienceStore(store.db, store.facts);
      const old = T - 8 * 24 * HOUR;
      await s.write({
        moves: Array.from({ length: 7 }, (_, i) => move(`o${i}`, 'a', 'b', old + i * 1000, 5)).concat([move('n1', 'a', 'b', T, 5)]),
        raids: [raid({ at: old })],
        ended: [],
        activity: [...activity({ a: ['o1', 'o2', 'o3'] }, old), ...activity({ a: ['n1'] }, T)],
      });
      await s.saveMap(utcDay(old), { day: utcDay(old), nodes: [], edges: [], communities: 0, modularity: null, computed_at: new Date(old).toISOString() }, old);
      // batches of 2: several statements, every old row gone
      const pruned = await s.prune(T - 7 * 24 * HOUR, 2);
      assert.deepEqual(pruned, { moves: 7, activity: 3 });
      assert.deepEqual(
        (await s.moves({ from: 0, to: T + HOUR, limit: 100 })).map((m) => m.user),
        ['n1'],
      );
      assert.equal((await store.db.selectFrom('audience_activity').select('viewer').execute()).length, 1);
      assert.equal((await s.flows('a', 'out', old, T + HOUR))[0]!.moves, 8, 'the hourly counts are kept for good');
      assert.equal((await s.raids({ from: 0, to: T, limit: 10 })).length, 1);
      assert.deepEqual(await s.mapDays(), [utcDay(old)]);
    } finally {
      await store.close();
    }
  });
});

test('overlap queries are served by the indexes (EXPLAIN)', async (t) => {
  await withEachDialect(t, async ({ url, kind }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const s = new AudienceStore(store.db, store.facts);
      // a week of activity, 100 channels of 300 users a day out of 20,000: what a day's window
      // picks out is a small part of the table, as it is when Lurk has run for a while
      for (let d = 0; d < 7; d++) {
        const rows: ActivityRow[] = [];
        for (let c = 0; c < 100; c++)
          for (let u = 0; u < 300; u++)
            rows.push({ channel: `c${c}`, user: `u${(u * 61 + c * 397 + d * 1009) % 20_000}`, firstAt: T - d * 24 * HOUR - 2 * HOUR, lastAt: T - d * 24 * HOUR - (u % 20) * HOUR });
        await s.write({ ...empty, activity: rows });
      }
      await store.facts.optimize(store.db);
      const from = T - 24 * HOUR;
      const explain = kind === 'sqlite' ? sql`explain query plan` : sql`explain`;
      const mine = sql`select distinct viewer from audience_activity where channel = ${'c1'} and last_at >= ${from} and last_at < ${T}`;
      const plan = await sql<
        Record<string, unknown>
      >`${explain} select distinct o.channel, o.viewer from audience_activity o join (${mine}) m on o.viewer = m.viewer where o.last_at >= ${from} and o.last_at < ${T} and o.channel <> ${'c1'}`.execute(
        store.db,
      );
      const text = plan.rows.map((r) => Object.values(r).join(' ')).join('\n');
      assert.match(text, /audience_activity_channel/, text);
      assert.match(text, /audience_activity_viewer/, text);
      const day = await sql<
        Record<string, unknown>
      >`${explain} select a.channel, b.channel, count(*) from audience_activity a join audience_activity b on b.day = a.day and b.viewer = a.viewer and b.channel <> a.channel where a.day = ${utcDay(T)} group by a.channel, b.channel`.execute(
        store.db,
      );
      const dayText = day.rows.map((r) => Object.values(r).join(' ')).join('\n');
      assert.match(dayText, /audience_activity_day_viewer|audience_activity_pk/, dayText);
      assert.doesNotMatch(dayText, /SCAN (TABLE )?audience_activity b\b|Seq Scan on audience_activity b/, dayText);
    } finally {
      await store.close();
    }
  });
});

test('median of a gap histogram', () => {
  assert.equal(medianOf(new Map()), null);
  assert.equal(
    medianOf(
      new Map([
        [5, 1],
        [9, 1],
        [20, 1],
      ]),
    ),
    9,
  );
  assert.equal(
    medianOf(
      new Map([
        [5, 2],
        [9, 2],
      ]),
    ),
    7,
  );
});
