// Mood's store on real SQLite and real PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MoodStore, type MinuteRow } from '../../src/mood/store.js';
import type { MoodMoment } from '../../src/mood/types.js';
import { openStore } from '../../src/store/database.js';
import { withEachDialect } from '../helpers/db.js';

const T = Date.UTC(2026, 11, 1, 18, 0);

function minute(channelId: string, at: number, n: number, emotes: { name: string; count: number }[] = []): MinuteRow {
  return { channelId, minute: at, messages: n, chatters: Math.ceil(n / 2), positive: n - 1, neutral: 1, negative: 0, scoreSum: n * 0.25, bits: 10, subs: 1, topEmotes: emotes };
}

function moment(id: string, patch: Partial<MoodMoment> = {}): MoodMoment {
  return {
    id,
    login: 'cozy_bard',
    kind: 'spike',
    started_at: new Date(T).toISOString(),
    peak_at: new Date(T + 30_000).toISOString(),
    ended_at: null,
    peak_rate: 120,
    baseline_rate: 20,
    mean_score: 0.4,
    baseline_score: 0.1,
    mood: 'positive',
    top_emotes: [{ name: 'PogChamp', count: 12 }],
    examples: [{ at: new Date(T + 1000).toISOString(), user: 'viewer_1', text: 'PogChamp what a play', label: 'positive' }],
    ...patch,
  };
}

test('minutes: a second write of the same minute adds its counts, keeps the larger chatters and merges top emotes; ranges are half-open', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const mood = new MoodStore(store.db, store.facts);
      await mood.writeTick({ minutes: [minute('1', T, 10, [{ name: 'Kappa', count: 3 }]), minute('1', T + 60_000, 4), minute('2', T, 7)], moments: [], messages: [] });
      // the rest of minute T after a restart
      await mood.writeTick({
        minutes: [
          minute('1', T, 6, [
            { name: 'Kappa', count: 2 },
            { name: 'LUL', count: 4 },
          ]),
        ],
        moments: [],
        messages: [],
      });
      const rows = await mood.minutes('1', T, T + 120_000);
      assert.deepEqual(
        rows.map((r) => [r.minute, r.messages, r.chatters, r.positive, r.neutral, r.bits, r.subs]),
        [
          // chatters: 5 before the restart, 3 after; who chatted in both halves is not known, so 5
          [T, 16, 5, 14, 2, 20, 2],
          [T + 60_000, 4, 2, 3, 1, 10, 1],
        ],
      );
      assert.equal(rows[0]!.scoreSum, 16 * 0.25);
      assert.deepEqual(rows[0]!.topEmotes, [
        { name: 'Kappa', count: 5 },
        { name: 'LUL', count: 4 },
      ]);
      assert.deepEqual(
        (await mood.minutes('1', T + 60_000, T + 120_000)).map((r) => r.minute),
        [T + 60_000],
      );
      assert.deepEqual(await mood.minutes('1', T, T), []);
      assert.equal((await mood.minutes('2', T, T + 60_000))[0]!.messages, 7);
    } finally {
      await store.close();
    }
  });
});

test('moments: the last version of a moment is kept; channels: saved, updated and deleted; raw messages pruned by time', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const mood = new MoodStore(store.db, store.facts);
      await mood.writeTick({ minutes: [], moments: [{ channelId: '1', moment: moment('m1') }], messages: [] });
      const ended = moment('m1', { ended_at: new Date(T + 90_000).toISOString(), peak_rate: 150 });
      await mood.writeTick({
        minutes: [],
        moments: [
          { channelId: '1', moment: moment('m2', { started_at: new Date(T + 600_000).toISOString() }) },
          { channelId: '1', moment: ended },
        ],
        messages: [],
      });
      const stored = await mood.moments('1', 'cozy_bard', T, T + 3_600_000, 10);
      assert.deepEqual(
        stored.map((m) => m.id),
        ['m2', 'm1'],
      );
      assert.deepEqual(stored[1], ended);
      assert.deepEqual(
        (await mood.moments('1', 'cozy_bard', T, T + 3_600_000, 1)).map((m) => m.id),
        ['m2'],
      );

      await mood.saveChannel({ login: 'cozy_bard', userId: '1', displayName: 'Cozy_Bard', sources: ['api'], addedAt: T });
      await mood.saveChannel({ login: 'pixelmage', userId: '2', displayName: 'PixelMage', sources: ['top'], addedAt: T });
      await mood.saveChannel({ login: 'cozy_bard', userId: '1', displayName: 'Cozy_Bard', sources: ['api', 'top'], addedAt: T + 5 });
      assert.deepEqual(await mood.channels(), [
        { login: 'cozy_bard', userId: '1', displayName: 'Cozy_Bard', sources: ['api', 'top'], addedAt: T },
        { login: 'pixelmage', userId: '2', displayName: 'PixelMage', sources: ['top'], addedAt: T },
      ]);
      await mood.deleteChannel('pixelmage');
      assert.deepEqual(
        (await mood.channels()).map((c) => c.login),
        ['cozy_bard'],
      );

      const messages = [0, 1, 2].map((h) => ({ channelId: '1', at: T + h * 3_600_000, user: `viewer_${h}`, text: `hello ${h}`, label: 'neutral' as const, score: 0 }));
      await mood.writeTick({ minutes: [], moments: [], messages });
      assert.equal(await mood.pruneMessages(T + 3_600_000), 1);
      assert.deepEqual(
        (await mood.rawMessages('1', T, T + 10 * 3_600_000)).map((m) => m.user),
        ['viewer_1', 'viewer_2'],
      );
    } finally {
      await store.close();
    }
  });
});

test('pruning raw messages goes in batches and removes exactly those older than the cutoff', async (t) => {
  await withEachDialect(t, async ({ url }) => {
    const store = await openStore({ url });
    try {
      await store.migrate();
      const mood = new MoodStore(store.db, store.facts);
      const cutoff = T + 3_600_000;
      // 2,500 old messages (the last a millisecond before the cutoff) around 40 kept ones (the first at it)
      const old = Array.from({ length: 2_500 }, (_, i) => ({ channelId: String(i % 3), at: cutoff - 2_500 + i, user: `old${i}`, text: 'x', label: 'neutral' as const, score: 0 }));
      const kept = Array.from({ length: 40 }, (_, i) => ({ channelId: String(i % 3), at: cutoff + i, user: `kept${i}`, text: 'y', label: 'positive' as const, score: 0.5 }));
      await mood.writeTick({ minutes: [], moments: [], messages: [...old.slice(0, 1_000), ...kept, ...old.slice(1_000)] });
      assert.equal(await mood.pruneMessages(cutoff, 1_000), 2_500, 'three batches: 1,000, 1,000 and 500');
      const left = await store.db.selectFrom('mood_messages').select(['user', 'at']).orderBy('at').execute();
      assert.deepEqual(
        left.map((r) => r.user),
        kept.map((m) => m.user),
      );
      assert.equal(await mood.pruneMessages(cutoff, 1_000), 0);
    } finally {
      await store.close();
    }
  });
});
