// Mood's moments against seeded chat: steady Poisson background from a small local PRNG, then
// bursts and mood turns at known times, one tick a second as the service runs it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MoodLabel } from '../../src/mood/classifier/types.js';
import type { MoodEngine } from '../../src/mood/engine.js';
import type { MoodMoment } from '../../src/mood/types.js';
import { createMoodEngine } from '../../src/mood/windows.js';
import { Random } from '../../src/sim/world/random.js';
import { sample, T0 } from './samples.js';

const S = 1000;

interface Phase {
  /** seconds since T0 the phase lasts until (exclusive) */
  until: number;
  perMinute: number;
  kind: string;
  /** the label of one message */
  label: (random: () => number) => MoodLabel;
  emotes?: string[];
}

const neutral = () => 'neutral' as const;
const leaning = (main: MoodLabel, other: MoodLabel) => (random: () => number) => {
  const r = random();
  return r < 0.7 ? main : r < 0.9 ? 'neutral' : other;
};

/** chats the phases second by second on `channel` (tracked at T0), ticking each second; every moment snapshot ticks returned */
function chat(e: MoodEngine, channel: string, phases: Phase[], seed: number): MoodMoment[] {
  // the simulator's seeded generator: the same chat on every run
  const rng = new Random(seed);
  const random = () => rng.float();
  const out: MoodMoment[] = [];
  let user = 0;
  for (let second = 0; second < phases.at(-1)!.until; second++) {
    const phase = phases.find((p) => second < p.until)!;
    const n = rng.poisson(phase.perMinute / 60);
    const offsets = Array.from({ length: n }, () => Math.floor(random() * 1000)).sort((a, b) => a - b);
    for (const offset of offsets) {
      const label = phase.label(random);
      const command = random() < 0.1;
      // the background's users come back, a burst brings new ones
      const who = phase.kind === 'background' ? `regular${Math.floor(random() * 40)}` : `${phase.kind}${user++}`;
      e.message(
        channel,
        sample(T0 + second * S + offset, who, label, {
          text: command ? '!uptime' : `${phase.kind} ${label}`,
          emotes: label === 'positive' && phase.emotes ? phase.emotes : [],
        }),
      );
    }
    out.push(...e.tick(T0 + (second + 1) * S).moments);
  }
  return out;
}

function byId(snapshots: MoodMoment[]): Map<string, MoodMoment[]> {
  const ids = new Map<string, MoodMoment[]>();
  for (const m of snapshots) ids.set(m.id, [...(ids.get(m.id) ?? []), m]);
  return ids;
}

const ms = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso));

describe('mood moments', () => {
  test('a burst over steady background is exactly one spike: started near the burst, peaked in it, ended after it, with examples from it', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    const burstFrom = 20 * 60;
    const burstTo = burstFrom + 45;
    const snapshots = chat(
      e,
      'c',
      [
        { until: burstFrom, perMinute: 20, kind: 'background', label: neutral },
        { until: burstTo, perMinute: 300, kind: 'burst', label: leaning('positive', 'neutral'), emotes: ['PogChamp'] },
        { until: burstFrom + 20 * 60, perMinute: 20, kind: 'background', label: neutral },
      ],
      12,
    );
    const moments = byId(snapshots);
    assert.equal(moments.size, 1, `one moment: ${[...moments.keys()].join(', ')}`);
    const versions = [...moments.values()][0]!;
    const first = versions[0]!;
    const last = versions.at(-1)!;
    assert.equal(first.kind, 'spike');
    assert.equal(first.ended_at, null, 'the first push is the start');
    assert.ok(versions.slice(0, -1).every((m) => m.ended_at === null));
    assert.ok(last.ended_at !== null, 'the last push is the end');
    assert.ok(versions.length >= 3, `${versions.length} pushes: the start, new peaks, the end`);
    for (let i = 1; i < versions.length - 1; i++) assert.ok(versions[i]!.peak_rate > versions[i - 1]!.peak_rate, 'a push between start and end is a new peak');
    const start = ms(last.started_at);
    assert.ok(start >= T0 + (burstFrom - 3) * S && start <= T0 + (burstFrom + 10) * S, `started ${last.started_at}`);
    assert.ok(ms(last.peak_at) > T0 + burstFrom * S && ms(last.peak_at) <= T0 + (burstTo + 1) * S, `peaked ${last.peak_at}`);
    assert.ok(ms(last.ended_at) > T0 + burstTo * S && ms(last.ended_at) <= T0 + (burstTo + 60) * S, `ended ${last.ended_at}`);
    assert.ok(last.peak_rate > 200, `peak rate ${last.peak_rate}`);
    assert.ok(last.baseline_rate > 10 && last.baseline_rate < 30, `baseline ${last.baseline_rate}`);
    assert.equal(last.id, `c:${start}:spike`);
    assert.equal(last.mood, 'positive');
    assert.equal(last.top_emotes[0]?.name, 'PogChamp');
    assert.ok(last.examples.length >= 3 && last.examples.length <= 5, `${last.examples.length} examples`);
    assert.equal(new Set(last.examples.map((x) => x.user)).size, last.examples.length, 'one example per user');
    for (const x of last.examples) {
      assert.match(x.text, /^burst /, 'examples come from the burst, never commands');
      assert.equal(x.label, 'positive');
      assert.ok(ms(x.at) >= T0 + burstFrom * S && ms(x.at) < T0 + burstTo * S);
    }
    assert.deepEqual(
      e.moments('c').map((m) => m.id),
      [last.id],
    );
    assert.equal(e.moments('c')[0]!.ended_at, last.ended_at);
  });

  test("a channel's first minutes are no moment, even with a burst (warm-up)", () => {
    const e = createMoodEngine();
    e.track('c', T0);
    const snapshots = chat(
      e,
      'c',
      [
        { until: 30, perMinute: 5, kind: 'background', label: neutral },
        { until: 90, perMinute: 300, kind: 'burst', label: neutral },
        { until: 180, perMinute: 5, kind: 'background', label: neutral },
        { until: 240, perMinute: 300, kind: 'burst', label: leaning('negative', 'neutral') },
        { until: 12 * 60, perMinute: 5, kind: 'background', label: neutral },
      ],
      7,
    );
    assert.deepEqual(snapshots, []);
  });

  test('a chat waking up after a quiet spell is no moment: the baseline warms up again', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    const snapshots = chat(
      e,
      'c',
      [
        { until: 15 * 60, perMinute: 10, kind: 'background', label: neutral },
        { until: 35 * 60, perMinute: 0, kind: 'background', label: neutral },
        { until: 36 * 60, perMinute: 300, kind: 'burst', label: neutral },
        { until: 45 * 60, perMinute: 10, kind: 'background', label: neutral },
        { until: 45 * 60 + 45, perMinute: 300, kind: 'burst', label: neutral },
        { until: 50 * 60, perMinute: 10, kind: 'background', label: neutral },
      ],
      11,
    );
    assert.deepEqual(
      [...byId(snapshots).values()].map((v) => [v[0]!.kind, (ms(v[0]!.started_at) - T0) / S]).map(([kind, at]) => [kind, Math.round(Number(at) / 60)]),
      [['spike', 45]],
      'only the burst once the chat had been back for a warm-up is a moment',
    );
  });

  for (const perMinute of [3, 600]) {
    test(`an hour of steady chat at ${perMinute} a minute is no moment`, () => {
      const e = createMoodEngine();
      e.track('c', T0);
      const snapshots = chat(e, 'c', [{ until: 3600, perMinute, kind: 'background', label: leaning('positive', 'negative') }], perMinute);
      assert.deepEqual(
        snapshots.map((m) => `${m.kind} ${m.started_at}`),
        [],
      );
      assert.equal(e.windows('c', T0 + 3600 * S)!['15m'].messages > (perMinute * 15) / 2, true, 'the chat did run');
    });
  }

  test('a turn from positive to negative at a steady rate is one swing moment', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    const turn = 15 * 60;
    const snapshots = chat(
      e,
      'c',
      [
        { until: turn, perMinute: 60, kind: 'background', label: leaning('positive', 'negative') },
        { until: turn + 20 * 60, perMinute: 60, kind: 'background', label: leaning('negative', 'positive') },
      ],
      3,
    );
    const moments = byId(snapshots);
    assert.deepEqual(
      [...moments.values()].map((v) => v[0]!.kind),
      ['swing'],
    );
    const last = [...moments.values()][0]!.at(-1)!;
    const start = ms(last.started_at);
    assert.ok(start >= T0 + (turn - 10) * S && start <= T0 + (turn + 30) * S, `started ${last.started_at}`);
    assert.ok(ms(last.peak_at) > T0 + turn * S);
    assert.ok(last.ended_at !== null, 'it ended once the baseline had come round');
    assert.ok(last.baseline_score! > 0.15, `baseline ${last.baseline_score}`);
    assert.ok(last.mean_score! < -0.1, `mean ${last.mean_score}`);
    assert.equal(last.mood, 'negative');
    assert.ok(last.examples.length >= 3);
    assert.ok(last.examples.every((x) => x.label === 'negative'));
  });

  test('a cooldown keeps a second burst right after the first in the same moment; a later one is a new moment', () => {
    const e = createMoodEngine();
    e.track('c', T0);
    const burst = (until: number): Phase => ({ until, perMinute: 300, kind: 'burst', label: neutral });
    const background = (until: number): Phase => ({ until, perMinute: 20, kind: 'background', label: neutral });
    const snapshots = chat(e, 'c', [background(900), burst(930), background(990), burst(1020), background(1800), burst(1830), background(2400)], 5);
    const moments = byId(snapshots);
    const starts = [...moments.values()].map((v) => (ms(v[0]!.started_at) - T0) / S);
    assert.equal(starts.length, 2, `starts at ${starts.join(', ')} s`);
    assert.ok(Math.abs(starts[0]! - 900) <= 10 && Math.abs(starts[1]! - 1800) <= 10, `starts at ${starts.join(', ')} s`);
    assert.deepEqual(
      e.moments('c').map((m) => (ms(m.started_at) - T0) / S),
      [...starts].reverse(),
      'newest first',
    );
  });
});
