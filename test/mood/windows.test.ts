// Mood's live windows with explicit times: what each window counts at its edges, the closed
// minute rows, the sparkline, untrack and flush.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activityLabel, moodOf } from '../../src/mood/activity.js';
import { createMoodEngine } from '../../src/mood/windows.js';
import type { MinuteAggregate, MoodSample } from '../../src/mood/engine.js';
import { Random } from '../../src/sim/world/random.js';
import { sample, T0 } from './samples.js';

const S = 1000;
const MIN = 60_000;

describe('mood windows', () => {
  test('a window counts the seconds (now - length, now]: a message at second s leaves the 1-minute window at s + 60', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    e.message('c', sample(T0 + 10 * S, 'a', 'positive'));
    e.message('c', sample(T0 + 10 * S + 500, 'b', 'negative'));
    e.message('c', sample(T0 + 20 * S, 'c', 'neutral'));

    const w = e.windows('c', T0 + 20 * S)!;
    assert.equal(w['1m'].messages, 3);
    assert.deepEqual([w['1m'].positive, w['1m'].neutral, w['1m'].negative], [1 / 3, 1 / 3, 1 / 3]);
    assert.equal(w['1m'].mean_score, 0);
    assert.equal(w['1m'].mood, 'neutral');
    assert.equal(w['1m'].chatters, 3);

    assert.equal(e.windows('c', T0 + 69 * S + 999)!['1m'].messages, 3, 'second 10 is still inside (9, 69]');
    const later = e.windows('c', T0 + 70 * S)!;
    assert.equal(later['1m'].messages, 1, 'second 10 has left (10, 70]');
    assert.equal(later['1m'].positive, 0);
    assert.equal(later['1m'].neutral, 1);
    assert.equal(later['1m'].chatters, 1);
    assert.equal(later['5m'].messages, 3);
    assert.equal(later['15m'].messages, 3);

    const empty = e.windows('c', T0 + 80 * S)!['1m'];
    assert.equal(empty.messages, 0);
    assert.deepEqual([empty.positive, empty.neutral, empty.negative], [0, 0, 0]);
    assert.equal(empty.mean_score, null);
    assert.equal(empty.mood, null);
    assert.equal(empty.messages_per_minute, 0);
    assert.equal(e.windows('c', T0 + 300 * S + 10 * S)!['5m'].messages, 1, 'the 5-minute window lets go of second 10 at 310');
    assert.equal(e.windows('c', T0 + 920 * S)!['15m'].messages, 0);
  });

  test('shares and the mean score follow the labels and scores; the mood comes from the mean', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    for (let i = 0; i < 6; i++) e.message('c', sample(T0 + i * S, `u${i}`, 'positive'));
    for (let i = 0; i < 2; i++) e.message('c', sample(T0 + 6 * S + i * S, `v${i}`, 'negative'));
    for (let i = 0; i < 2; i++) e.message('c', sample(T0 + 8 * S + i * S, `w${i}`, 'neutral'));
    const w = e.windows('c', T0 + 10 * S)!['1m'];
    assert.equal(w.messages, 10);
    assert.equal(w.positive, 0.6);
    assert.equal(w.negative, 0.2);
    assert.equal(w.neutral, 0.2);
    assert.ok(Math.abs(w.mean_score! - (6 * 0.5 - 2 * 0.5) / 10) < 1e-9);
    assert.equal(w.mood, 'positive');
    assert.equal(moodOf(-0.2), 'negative');
    assert.equal(moodOf(0.01), 'neutral');
    assert.equal(moodOf(null), null);
  });

  test('quiet minutes count as zero in the rates and come out as zero rows, one per minute, once', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    for (let i = 0; i < 10; i++) e.message('c', sample(T0 + i * S, 'a'));
    const rows = [];
    for (let t = T0; t <= T0 + 6 * MIN; t += S) rows.push(...e.tick(t).minutes);
    assert.deepEqual(
      rows.map((r) => r.minute),
      [0, 1, 2, 3, 4, 5].map((k) => T0 + k * MIN),
    );
    assert.deepEqual(
      rows.map((r) => r.messages),
      [10, 0, 0, 0, 0, 0],
    );
    assert.deepEqual(rows[3], { channel: 'c', minute: T0 + 3 * MIN, messages: 0, chatters: 0, positive: 0, neutral: 0, negative: 0, scoreSum: 0, bits: 0, subs: 0, topEmotes: [] });
    assert.equal(rows[0]!.chatters, 1);
    assert.equal(rows[0]!.neutral, 10);

    const w = e.windows('c', T0 + 6 * MIN)!;
    assert.equal(w['5m'].messages, 0);
    assert.equal(w['5m'].messages_per_minute, 0);
    assert.equal(w['15m'].messages, 10);
    assert.ok(Math.abs(w['15m'].messages_per_minute - 10 / 6) < 1e-9, 'ten messages over six tracked minutes');
    assert.equal(activityLabel(w['15m'].messages_per_minute), 'Zzz');

    // a tick that skips minutes still gives each its row
    const late = e.tick(T0 + 9 * MIN + 5 * S).minutes;
    assert.deepEqual(
      late.map((r) => r.minute),
      [6, 7, 8].map((k) => T0 + k * MIN),
    );
  });

  test('while tracking has run for less than a window, the rate divides by the time tracked (at least a second)', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    e.message('c', sample(T0 + 200, 'a'));
    assert.equal(e.windows('c', T0 + 500)!['5m'].messages_per_minute, 60, 'one message in the first second is 60 a minute, not infinity');
    for (let i = 1; i < 10; i++) e.message('c', sample(T0 + i * S, 'a'));
    const w = e.windows('c', T0 + 30 * S)!;
    assert.equal(w['1m'].messages_per_minute, 20);
    assert.equal(w['5m'].messages_per_minute, 20);
    assert.equal(w['15m'].messages_per_minute, 20);
    const full = e.windows('c', T0 + 60 * S)!;
    assert.equal(full['1m'].messages, 9, 'the first second has left the 1-minute window');
    assert.equal(full['1m'].messages_per_minute, 9);
    assert.ok(Math.abs(full['5m'].messages_per_minute - 10) < 1e-9, 'ten messages over one tracked minute');
    assert.ok(Math.abs(e.windows('c', T0 + 90 * S)!['5m'].messages_per_minute - (10 * 60) / 90) < 1e-9);
  });

  test('distinct chatters: each user once per window, until their last message leaves it; per minute in the rows', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    e.message('c', sample(T0 + 10 * S, 'a'));
    e.message('c', sample(T0 + 20 * S, 'a'));
    e.message('c', sample(T0 + 30 * S, 'b'));
    e.message('c', sample(T0 + 50 * S, 'a'));
    const chatters = (t: number) => e.windows('c', T0 + t * S)!['1m'].chatters;
    assert.equal(chatters(55), 2);
    assert.equal(chatters(85), 2, 'b (30) and a (50) in (25, 85]');
    assert.equal(chatters(95), 1, 'only a (50) in (35, 95]');
    e.message('c', sample(T0 + 100 * S, 'a'));
    e.message('c', sample(T0 + 101 * S, 'd'));
    assert.equal(chatters(105), 2);
    assert.equal(e.windows('c', T0 + 105 * S)!['15m'].chatters, 3);
    assert.equal(chatters(161), 0);
    const rows = e.tick(T0 + 120 * S).minutes;
    assert.deepEqual(
      rows.map((r) => [r.messages, r.chatters]),
      [
        [4, 2],
        [2, 2],
      ],
    );
  });

  test('top emotes rank by the messages using them; the minute rows keep the top 5', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    const emotes = [['PogChamp', 'KEKW'], ['PogChamp'], ['PogChamp', 'KEKW', 'LUL'], ['a1'], ['a2'], ['a3'], ['a4']];
    emotes.forEach((names, i) => {
      e.message('c', sample(T0 + (i + 1) * S, `u${i}`, 'positive', { emotes: names }));
    });
    const w = e.windows('c', T0 + 10 * S)!;
    assert.deepEqual(w['1m'].top_emotes.slice(0, 3), [
      { name: 'PogChamp', count: 3 },
      { name: 'KEKW', count: 2 },
      { name: 'LUL', count: 1 },
    ]);
    assert.equal(w['1m'].top_emotes.length, 7);
    e.message('c', sample(T0 + 65 * S, 'x', 'neutral', { emotes: ['KEKW'] }));
    const next = e.windows('c', T0 + 68 * S)!;
    assert.deepEqual(next['1m'].top_emotes, [{ name: 'KEKW', count: 1 }], 'the first minute has left the 1-minute window');
    assert.deepEqual(next['5m'].top_emotes.slice(0, 2), [
      { name: 'KEKW', count: 3 },
      { name: 'PogChamp', count: 3 },
    ]);
    const [first] = e.tick(T0 + 65 * S).minutes;
    assert.deepEqual(first!.topEmotes, [
      { name: 'PogChamp', count: 3 },
      { name: 'KEKW', count: 2 },
      { name: 'LUL', count: 1 },
      { name: 'a1', count: 1 },
      { name: 'a2', count: 1 },
    ]);
    assert.deepEqual(e.windows('c', T0 + 20 * MIN)!['15m'].top_emotes, [], 'every use has left the 15-minute window');
  });

  test('bits and subs add up in the windows and the minute rows (a gift of 5 counts 5)', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    e.message('c', sample(T0 + 5 * S, 'a', 'positive', { bits: 100 }));
    e.message('c', sample(T0 + 6 * S, 'b', 'positive', { bits: 50 }));
    e.subs('c', T0 + 7 * S, 5);
    e.subs('c', T0 + 8 * S, 1);
    const w = e.windows('c', T0 + 10 * S)!['1m'];
    assert.equal(w.bits, 150);
    assert.equal(w.subs, 6);
    assert.equal(e.windows('c', T0 + 67 * S)!['1m'].subs, 1, 'the gift at 7 has left, the sub at 8 has not');
    assert.equal(e.windows('c', T0 + 70 * S)!['5m'].bits, 150);
    const [row] = e.tick(T0 + 70 * S).minutes;
    assert.equal(row!.bits, 150);
    assert.equal(row!.subs, 6);
  });

  test('untrack returns the partial minute (the minutes it closed come with the next tick); flush hands out every partial minute once', () => {
    const e = createMoodEngine();
    e.track('a', T0);
    e.track('b', T0 + 30 * S);
    assert.deepEqual(e.tracked(), ['a', 'b']);
    e.message('a', sample(T0 + 10 * S, 'x'));
    e.message('a', sample(T0 + 70 * S, 'x', 'positive'));
    e.message('b', sample(T0 + 75 * S, 'y', 'negative'));
    const partial = e.untrack('a', T0 + 80 * S)!;
    assert.equal(partial.minute, T0 + MIN);
    assert.equal(partial.messages, 1);
    assert.equal(partial.positive, 1);
    assert.deepEqual(e.tracked(), ['b']);
    assert.equal(e.windows('a', T0 + 80 * S), undefined);
    e.message('a', sample(T0 + 81 * S, 'x'));
    assert.equal(e.untrack('a', T0 + 82 * S), undefined);
    const rows = e.tick(T0 + 85 * S).minutes;
    assert.deepEqual(
      rows.map((r) => [r.channel, r.minute, r.messages]),
      [
        ['a', T0, 1],
        ['b', T0, 0],
      ],
    );

    const flushed = e.flush(T0 + 90 * S);
    assert.deepEqual(
      flushed.map((r) => [r.channel, r.minute, r.messages, r.negative, r.chatters]),
      [['b', T0 + MIN, 1, 1, 1]],
    );
    assert.equal(e.flush(T0 + 91 * S)[0]!.messages, 0, 'what a flush handed out is not handed out again');
    e.message('b', sample(T0 + 95 * S, 'y'));
    e.message('b', sample(T0 + 96 * S, 'z'));
    const again = e.tick(T0 + 120 * S).minutes;
    assert.deepEqual(
      again.map((r) => [r.minute, r.messages, r.chatters]),
      [[T0 + MIN, 2, 1]],
      'the rest of the minute: two messages, one chatter not counted before',
    );
    assert.equal(e.sparkline('b', T0 + 120 * S).at(-2), 3, 'the sparkline still shows the whole minute');
  });

  test('the sparkline: messages per minute for the last 15 minutes, oldest first, the open minute last', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    for (let i = 0; i < 3; i++) e.message('c', sample(T0 + i * S, 'a'));
    for (let i = 0; i < 5; i++) e.message('c', sample(T0 + 2 * MIN + i * S, 'a'));
    e.message('c', sample(T0 + 3 * MIN + 10 * S, 'a'));
    assert.deepEqual(e.sparkline('c', T0 + 3 * MIN + 30 * S), [...new Array(11).fill(0), 3, 0, 5, 1]);
    const later = e.sparkline('c', T0 + 16 * MIN);
    assert.equal(later.length, 15);
    assert.deepEqual(later, [5, 1, ...new Array(13).fill(0)], 'minutes 2 to 16');
    assert.deepEqual(e.sparkline('nobody', T0), []);
  });

  test('a message stamped before the latest counts in the latest second; untracked channels are ignored', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    e.message('c', sample(T0 + 30 * S, 'a'));
    e.message('c', sample(T0 + 5 * S, 'b'));
    e.message('other', sample(T0 + 5 * S, 'b'));
    assert.equal(e.windows('c', T0 + 89 * S)!['1m'].messages, 2);
    assert.equal(e.windows('c', T0 + 90 * S)!['1m'].messages, 0);
    assert.equal(e.windows('other', T0), undefined);
  });

  test('memory counts the channels and grows with what they hold', () => {
    const e = createMoodEngine();
    e.track('a', T0);
    const before = e.memory();
    for (let i = 0; i < 1000; i++) e.message('a', sample(T0 + i * 10, `user${i}`, 'neutral', { emotes: [`emote${i % 50}`] }));
    const after = e.memory();
    assert.equal(after.channels, 1);
    assert.ok(after.bytes > before.bytes + 1000 * 40, `${after.bytes} vs ${before.bytes}`);
    e.untrack('a', T0 + 20 * S);
    assert.deepEqual(e.memory(), { channels: 0, bytes: 0 });
  });

  test('against a naive recount: random chat with gaps, every window and every minute row match counting the kept messages', () => {
    const rng = new Random(2026);
    const random = () => rng.float();
    const e = createMoodEngine();
    const tracked = T0 + 12_345;
    e.track('c', tracked);
    const sent: MoodSample[] = [];
    const subs: { at: number; count: number }[] = [];
    const rows: MinuteAggregate[] = [];
    const labels = ['positive', 'neutral', 'negative'] as const;
    let t = tracked;
    let nextTick = T0 + 13 * S;
    const check = (now: number) => {
      const w = e.windows('c', now)!;
      const nowSec = Math.floor(now / 1000);
      for (const [name, seconds] of [
        ['1m', 60],
        ['5m', 300],
        ['15m', 900],
      ] as const) {
        const inside = sent.filter((m) => Math.floor(m.at / 1000) > nowSec - seconds);
        const win = w[name];
        assert.equal(win.messages, inside.length, `${name} at ${now - T0}`);
        assert.equal(win.chatters, new Set(inside.map((m) => m.user)).size, `${name} chatters at ${now - T0}`);
        assert.equal(
          win.bits,
          inside.reduce((a, m) => a + m.bits, 0),
        );
        assert.equal(
          win.subs,
          subs.filter((x) => Math.floor(x.at / 1000) > nowSec - seconds).reduce((a, x) => a + x.count, 0),
        );
        const positive = inside.filter((m) => m.label === 'positive').length;
        assert.ok(Math.abs(win.positive - (inside.length ? positive / inside.length : 0)) < 1e-12);
        const mean = inside.length ? inside.reduce((a, m) => a + m.score, 0) / inside.length : null;
        if (mean === null) assert.equal(win.mean_score, null);
        else assert.ok(Math.abs(win.mean_score! - mean) < 1e-4, `${name} mean ${win.mean_score} vs ${mean}`);
        const uses = new Map<string, number>();
        for (const m of inside) for (const x of m.emotes) uses.set(x, (uses.get(x) ?? 0) + 1);
        const top = [...uses].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
        assert.deepEqual(
          win.top_emotes.map((x) => [x.name, x.count]),
          top,
          `${name} emotes at ${now - T0}`,
        );
      }
    };
    let pauses = 0;
    let checks = 0;
    while (sent.length < 3000) {
      // mostly busy, sometimes a pause of up to 20 minutes
      const pause = random() < 0.002;
      if (pause) pauses++;
      t += pause ? Math.floor(random() * 20 * MIN) : Math.floor(random() * 3 * S);
      while (nextTick <= t) {
        rows.push(...e.tick(nextTick).minutes);
        if (random() < 0.02) {
          check(nextTick);
          checks++;
        }
        nextTick += S;
      }
      if (random() < 0.05) {
        const count = 1 + Math.floor(random() * 5);
        e.subs('c', t, count);
        subs.push({ at: t, count });
      }
      const label = labels[Math.floor(random() * 3)]!;
      const emotes = ['Kappa', 'PogChamp', 'LUL', 'KEKW', 'monkaS', 'Sadge', 'EZ', 'OMEGALUL', 'catJAM', 'peepoHappy', 'Clap', 'FeelsGoodMan'].filter(() => random() < 0.15);
      const m = sample(t, `u${Math.floor(random() * 30)}`, label, {
        score: label === 'neutral' ? 0 : ((label === 'positive' ? 1 : -1) * Math.round(random() * 1000)) / 1000,
        emotes,
        bits: random() < 0.03 ? 100 : 0,
      });
      e.message('c', m);
      sent.push(m);
    }
    check(t);
    rows.push(...e.tick(nextTick).minutes);
    // every minute from the tracked one to the last closed, once, and each the naive recount
    const first = Math.floor(tracked / MIN) * MIN;
    assert.deepEqual(
      rows.map((r) => r.minute),
      Array.from({ length: rows.length }, (_, k) => first + k * MIN),
    );
    for (const row of rows) {
      const inside = sent.filter((m) => Math.floor(m.at / MIN) * MIN === row.minute);
      assert.equal(row.messages, inside.length);
      assert.equal(row.chatters, new Set(inside.map((m) => m.user)).size);
      assert.equal(row.negative, inside.filter((m) => m.label === 'negative').length);
      assert.ok(Math.abs(row.scoreSum - inside.reduce((a, m) => a + m.score, 0)) < 1e-3);
      assert.equal(
        row.subs,
        subs.filter((x) => Math.floor(x.at / MIN) * MIN === row.minute).reduce((a, x) => a + x.count, 0),
      );
    }
    assert.ok(pauses >= 2 && checks >= 50, `${pauses} pauses, ${checks} checks`);
  });

  test("Strafe's activity labels at their edges", () => {
    assert.deepEqual([0, 4.99, 5, 9.99, 10, 24.99, 25, 39.99, 40, 59.99, 60, 1000].map(activityLabel), [
      'Zzz',
      'Zzz',
      'Surviving smoothly',
      'Surviving smoothly',
      'Sounds interesting',
      'Sounds interesting',
      'Blowing some minds',
      'Blowing some minds',
      'Collecting spammers',
      'Collecting spammers',
      'More than meets the eye',
      'More than meets the eye',
    ]);
  });
});
