import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DayCalendar } from '../../src/watchtime/calendar.js';
import { WatchIntegrator, type PendingWrites, type StreamSample } from '../../src/watchtime/integrator.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0); // 10:00 UTC, well inside the 08:00 UTC day 2026-11-20

function integrator(calendar = new DayCalendar('UTC', { hour: 8, minute: 0 }), gapCapMs = 10 * MIN) {
  return new WatchIntegrator({ calendar, gapCapMs, minViewers: 0, sampleEveryMs: 0, defaultSweepPeriodMs: MIN });
}

function stream(over: Partial<StreamSample> = {}): StreamSample {
  return { id: 's1', user_id: 'u1', user_login: 'alice', user_name: 'Alice', game_id: 'g1', game_name: "Baldur's Gate 3", viewer_count: 10, ...over };
}

/** sum of hours over every drained pending write, per key of one map */
function totals(drains: PendingWrites[], pick: (p: PendingWrites) => Map<unknown, { hoursWatched: number; hoursStreamed: number; streams: number; peakViewers: number }>) {
  const out = new Map<string, { watched: number; streamed: number; streams: number; peak: number }>();
  for (const p of drains) {
    for (const [k, m] of pick(p)) {
      const o = out.get(String(k)) ?? { watched: 0, streamed: 0, streams: 0, peak: 0 };
      o.watched += m.hoursWatched;
      o.streamed += m.hoursStreamed;
      o.streams += m.streams;
      o.peak = Math.max(o.peak, m.peakViewers);
      out.set(String(k), o);
    }
  }
  return out;
}

/** sample one stream at the given minutes (each its own sweep), then end everything */
function run(samples: [minute: number, over?: Partial<StreamSample>][], w = integrator()) {
  // a sweep every minute; the stream is only in the ones listed
  const byMinute = new Map(samples.map(([m, over]) => [m, over]));
  const last = Math.max(...byMinute.keys());
  for (let minute = 0, gen = 1; minute <= last; minute++, gen++) {
    const t = T0 + minute * MIN;
    if (byMinute.has(minute)) w.sample(stream(byMinute.get(minute)), t, gen);
    w.completeSweep(gen, t, t);
  }
  w.endStale(T0 + 10_000 * MIN);
  return [w.drain()];
}

describe('watch-time integration (Σ viewer_count × Δt)', () => {
  test('a steady stream: every interval plus half a sweep period at the start and at the end', () => {
    const drains = run(Array.from({ length: 61 }, (_, i) => [i] as [number]));
    const day = totals(drains, (p) => p.channelDays).get('2026-11-20|u1')!;
    // 60 minutes between first and last sample + 30 s lead + 30 s tail, at 10 viewers, and the
    // 30 s the last (lagging) count still stood for
    assert.ok(Math.abs(day.watched - (10 * 61.5) / 60) < 1e-9, String(day.watched));
    assert.ok(Math.abs(day.streamed - 61 / 60) < 1e-9);
    assert.equal(day.streams, 1);
    assert.equal(day.peak, 10);
  });

  test('the lead is shorter when Helix says the stream started just before the sample', () => {
    const startedAt = new Date(T0 - 10_000).toISOString();
    const drains = run([
      [0, { started_at: startedAt }],
      [1, { started_at: startedAt }],
    ]);
    const day = totals(drains, (p) => p.channelDays).get('2026-11-20|u1')!;
    assert.ok(Math.abs(day.streamed - (10_000 + MIN + 30_000) / 3_600_000) < 1e-9);
  });

  test('a missed sweep is bridged; a gap over the cap is an end and a new start', () => {
    const bridged = totals(run([[0], [1], [3], [4]]), (p) => p.channelDays).get('2026-11-20|u1')!;
    assert.ok(Math.abs(bridged.streamed - (4 + 1) / 60) < 1e-9, 'one missing sample leaves no hole');
    const split = totals(run([[0], [1], [30], [31]]), (p) => p.channelDays).get('2026-11-20|u1')!;
    // two runs of 1 minute, each with half a period before and after; the 29 minutes between are not credited
    assert.ok(Math.abs(split.streamed - (2 + 2) / 60) < 1e-9, String(split.streamed * 60));
  });

  test('a game change mid-stream splits at the midpoint and counts the stream once per game', () => {
    const drains = run([[0], [1], [2, { game_id: 'g2', game_name: 'Pokémon', viewer_count: 30 }], [3, { game_id: 'g2', game_name: 'Pokémon', viewer_count: 30 }]]);
    const games = totals(drains, (p) => p.channelGameDays);
    const g1 = games.get('2026-11-20|u1|g1')!;
    const g2 = games.get('2026-11-20|u1|g2')!;
    // airtime splits at the midpoint; viewer-hours of the new game's first (lagging) count go to the
    // old game for the 30 s the count still describes its audience.
    // g1: (lead 0.5 + 1 + 0.5) min at 10 viewers + 0.5 min at 30 = 35 viewer-minutes
    assert.ok(Math.abs(g1.watched - 35 / 60) < 1e-9, String(g1.watched * 60));
    // g2: (0.5 + 1 + tail 0.5 + lag 0.5) min at 30 viewers = 75, less the 15 credited to g1
    assert.ok(Math.abs(g2.watched - 60 / 60) < 1e-9, String(g2.watched * 60));
    assert.ok(Math.abs(g1.streamed - 2 / 60) < 1e-9 && Math.abs(g2.streamed - 2 / 60) < 1e-9, 'airtime splits at the midpoint');
    assert.equal(g1.streams, 1);
    assert.equal(g2.streams, 1);
    assert.equal(g2.peak, 30);
    const channel = totals(drains, (p) => p.channelDays).get('2026-11-20|u1')!;
    assert.equal(channel.streams, 1, 'one stream for the channel that day');
    assert.ok(Math.abs(channel.watched - 95 / 60) < 1e-9);
    const game2 = totals(drains, (p) => p.gameDays).get('2026-11-20|g2')!;
    assert.equal(game2.peak, 30, 'game peak is concurrent viewers in one sweep');
  });

  test('a restart (new stream id) is a second stream; two streams at once add up in the game peak', () => {
    const w = integrator();
    let gen = 0;
    for (let m = 0; m <= 5; m++) {
      const t = T0 + m * MIN;
      gen++;
      w.sample(stream({ id: m < 3 ? 's1' : 's2' }), t, gen);
      w.sample(stream({ id: 'x1', user_id: 'u2', user_login: 'bob', viewer_count: 5 }), t, gen);
      w.completeSweep(gen, t, t);
    }
    w.endStale(T0 + 10_000 * MIN);
    const drains = [w.drain()];
    assert.equal(totals(drains, (p) => p.channelDays).get('2026-11-20|u1')!.streams, 2);
    assert.equal(totals(drains, (p) => p.gameDays).get('2026-11-20|g1')!.peak, 15);
    assert.equal(totals(drains, (p) => p.totalDays).get('2026-11-20')!.streams, 3);
  });

  test('credit is split exactly at the day boundary and at UTC hours', () => {
    // 07:59:30 .. 08:00:30 UTC at 60 viewers: half before the 08:00 boundary, half after
    const w = integrator();
    const base = Date.UTC(2026, 10, 20, 7, 59, 30);
    w.sample(stream({ viewer_count: 60 }), base, 1);
    w.sample(stream({ viewer_count: 60 }), base + MIN, 2);
    const p = w.drain();
    const before = p.channelDays.get('2026-11-19|u1')!;
    const after = p.channelDays.get('2026-11-20|u1')!;
    // before: 30 s lead + 30 s to the boundary; after: 30 s
    assert.ok(Math.abs(before.hoursWatched - 60 / 60) < 1e-9, String(before.hoursWatched));
    assert.ok(Math.abs(after.hoursWatched - 30 / 60) < 1e-9, String(after.hoursWatched));
    assert.ok(p.gameHours.has(`${Date.UTC(2026, 10, 20, 7)}|g1`) && p.gameHours.has(`${Date.UTC(2026, 10, 20, 8)}|g1`));
    assert.equal(before.streams + after.streams, 2, 'counted once in each day');
  });

  test('streams under the minimum viewer count are not counted at all', () => {
    const w = new WatchIntegrator({ calendar: new DayCalendar('UTC', { hour: 8, minute: 0 }), gapCapMs: 10 * MIN, minViewers: 2, sampleEveryMs: 0, defaultSweepPeriodMs: MIN });
    w.sample(stream({ viewer_count: 1 }), T0, 1);
    w.completeSweep(1, T0, T0);
    assert.equal(w.drain().channelDays.size, 0);
  });

  test('state exported and imported resumes the integration exactly', () => {
    const whole = totals(run(Array.from({ length: 20 }, (_, i) => [i] as [number])), (p) => p.channelDays).get('2026-11-20|u1')!;
    const a = integrator();
    for (let m = 0; m < 10; m++) {
      a.sample(stream(), T0 + m * MIN, m + 1);
      a.completeSweep(m + 1, T0 + m * MIN, T0 + m * MIN);
    }
    const first = a.drain();
    const b = integrator();
    b.importState(JSON.parse(JSON.stringify(first.state)));
    for (let m = 10; m < 20; m++) {
      b.sample(stream(), T0 + m * MIN, m + 1);
      b.completeSweep(m + 1, T0 + m * MIN, T0 + m * MIN);
    }
    b.endStale(T0 + 10_000 * MIN);
    const resumed = totals([first, b.drain()], (p) => p.channelDays).get('2026-11-20|u1')!;
    assert.ok(Math.abs(resumed.watched - whole.watched) < 1e-9);
    assert.equal(resumed.streams, 1);
  });
});

describe('Lurk days', () => {
  test('08:00 in New York: the day daylight saving starts is 23 hours, the day it ends 25', () => {
    const cal = new DayCalendar('America/New_York', { hour: 8, minute: 0 });
    const spring = cal.bounds('2026-03-07'); // DST starts 2026-03-08 02:00 local
    assert.equal(new Date(spring.start).toISOString(), '2026-03-07T13:00:00.000Z');
    assert.equal(new Date(spring.end).toISOString(), '2026-03-08T12:00:00.000Z');
    assert.equal((spring.end - spring.start) / 3_600_000, 23);
    const autumn = cal.bounds('2026-10-31'); // DST ends 2026-11-01 02:00 local
    assert.equal((autumn.end - autumn.start) / 3_600_000, 25);
    assert.equal(cal.dayOf(Date.parse('2026-03-08T11:59:59Z')), '2026-03-07');
    assert.equal(cal.dayOf(Date.parse('2026-03-08T12:00:00Z')), '2026-03-08');
    assert.equal(cal.dayOf(Date.parse('2026-03-07T12:59:59Z')), '2026-03-06');
  });

  test('a stream through the spring-forward day is credited 23 hours to that day', () => {
    const cal = new DayCalendar('America/New_York', { hour: 8, minute: 0 });
    const w = integrator(cal, 10 * MIN);
    const start = Date.parse('2026-03-07T13:00:00Z');
    let gen = 0;
    for (let m = 0; m <= 24 * 60; m += 1) {
      const t = start + m * MIN;
      w.sample(stream({ viewer_count: 1, started_at: new Date(start).toISOString() }), t, ++gen);
    }
    const p = w.drain();
    assert.ok(Math.abs(p.channelDays.get('2026-03-07|u1')!.hoursWatched - 23) < 1e-9);
    assert.ok(Math.abs(p.channelDays.get('2026-03-08|u1')!.hoursWatched - 1) < 1e-9);
  });
});

describe('a clock that goes back', () => {
  /** three streams: s1 live throughout, s2 ends at minute 30, s3 at minute 59 (just before the jump) */
  function streamsAt(m: number): StreamSample[] {
    const out = [stream({ id: 's1', viewer_count: 10 })];
    if (m <= 30) out.push(stream({ id: 's2', user_id: 'u2', user_login: 'bob', user_name: 'Bob', game_id: 'g2', game_name: 'Pokémon', viewer_count: 7 }));
    if (m <= 59) out.push(stream({ id: 's3', user_id: 'u3', user_login: 'carol', user_name: 'Carol', viewer_count: 3 }));
    return out;
  }

  /** 90 sweeps a minute apart in real time; the clock reads `clockAt(m)` at the m-th */
  function runWith(clockAt: (m: number) => number, w: WatchIntegrator) {
    const drains: PendingWrites[] = [];
    for (let m = 0; m < 90; m++) {
      const t = clockAt(m);
      for (const s of streamsAt(m)) w.sample(s, t, m + 1);
      w.completeSweep(m + 1, t, t);
      if (m % 7 === 6) drains.push(w.drain());
    }
    w.endStale(T0 + 10_000 * MIN);
    drains.push(w.drain());
    return drains;
  }

  function summary(drains: PendingWrites[]) {
    const channels = [...totals(drains, (p) => p.channelDays)].map(([k, o]) => [k, Math.round(o.watched * 1e9) / 1e9, Math.round(o.streamed * 1e9) / 1e9, o.streams]);
    const hours = [...totals(drains, (p) => p.gameHours).values()].reduce((a, o) => a + o.watched, 0);
    let covered = 0;
    for (const p of drains) for (const r of p.totalDays.values()) covered += r.hoursCovered;
    return { channels, hourRowsWatched: Math.round(hours * 1e9) / 1e9, coveredMinutes: Math.round(covered * 60 * 1e6) / 1e6 };
  }

  test('a backward jump is a break: every stream counts its real time once, coverage goes on from the new time, one warning', () => {
    // truth: the same 90 sweeps on a clock that tells the time
    const truth = summary(runWith((m) => T0 + m * MIN, integrator()));
    const warnings: [number, number, number][] = [];
    const w = new WatchIntegrator({
      calendar: new DayCalendar('UTC', { hour: 8, minute: 0 }),
      gapCapMs: 10 * MIN,
      minViewers: 0,
      sampleEveryMs: 0,
      defaultSweepPeriodMs: MIN,
      onClockBack: (from, to, n) => void warnings.push([from, to, n]),
    });
    // after the 60th sweep the clock is put back 45 minutes (as a restarted accelerated simulator does)
    const jumped = summary(runWith((m) => T0 + (m < 60 ? m : m - 45) * MIN, w));
    assert.deepEqual(jumped, truth);
    assert.equal(truth.coveredMinutes, 90, 'a sweep a minute for 90 minutes');
    assert.deepEqual(warnings, [[T0 + 59 * MIN, T0 + 15 * MIN, 1]], 'one warning for the jump; the one stream seen across it restarted');
    assert.equal(w.liveStreams, 0);
  });

  test("samples from before a stream's last one never re-credit its closed intervals", () => {
    const w = integrator();
    for (let m = 0; m <= 10; m++) {
      w.sample(stream(), T0 + m * MIN, m + 1);
      w.completeSweep(m + 1, T0 + m * MIN, T0 + m * MIN);
    }
    const before = totals([w.drain()], (p) => p.channelDays).get('2026-11-20|u1')!;
    // the clock goes back 5 minutes, then runs on for 3 sweeps
    for (let m = 0; m < 3; m++) {
      const t = T0 + (5 + m) * MIN;
      w.sample(stream(), t, 20 + m);
      w.completeSweep(20 + m, t, t);
    }
    const after = totals([w.drain()], (p) => p.channelDays).get('2026-11-20|u1')!;
    // the run before ends at its last sample (half a period), the new run starts half a period
    // before its first, and its two intervals: 3 minutes of real time at 10 viewers
    assert.ok(Math.abs(after.streamed - 3 / 60) < 1e-9, String(after.streamed * 60));
    assert.ok(Math.abs(after.watched - 30 / 60) < 1e-9, String(after.watched * 60));
    assert.equal(after.streams, 0, 'the same stream on the same day is not counted again');
    assert.equal(before.streams, 1);
  });
});

describe('memory stays bounded', () => {
  test('thousands of short streams over simulated days: per-stream state and known names hold only recent ones', () => {
    const gap = 10 * MIN;
    const w = integrator(new DayCalendar('UTC', { hour: 8, minute: 0 }), gap);
    // a deterministic world: ~40 streams at a time, each live 3..40 minutes, every one a new
    // channel, and a new set of games every simulated day
    let seed = 7;
    const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let next = 0;
    const live: { id: number; until: number; game: string }[] = [];
    const seenAt = new Map<string, number>();
    const gamesSeenAt = new Map<string, number>();
    const minutes = 2 * 24 * 60;
    let worst = 0;
    for (let m = 0; m < minutes; m++) {
      const t = T0 + m * MIN;
      const day = Math.floor(m / 1440);
      while (live.length < 40) live.push({ id: next++, until: m + 3 + Math.floor(rnd() * 38), game: `d${day}g${Math.floor(rnd() * 5)}` });
      for (const s of live) {
        w.sample(stream({ id: `s${s.id}`, user_id: `u${s.id}`, user_login: `c${s.id}`, user_name: `C${s.id}`, game_id: s.game, game_name: s.game, viewer_count: 5 }), t, m + 1);
        seenAt.set(`u${s.id}`, t);
        gamesSeenAt.set(s.game, t);
      }
      w.completeSweep(m + 1, t, t);
      if (m % 5 === 0) w.drain();
      for (let i = live.length - 1; i >= 0; i--) if (live[i]!.until <= m) live.splice(i, 1);
      if (m < 60) continue;
      // what may be held: streams seen within the gap cap; names seen within twice the gap cap
      // (they are pruned at most a gap cap apart)
      const within = (map: Map<string, number>, span: number) => [...map.values()].filter((at) => t - at <= span).length;
      const sizes = w.sizes();
      worst = Math.max(worst, sizes.knownChannels);
      assert.ok(sizes.liveStreams <= within(seenAt, gap), `live ${sizes.liveStreams} at minute ${m}`);
      assert.ok(sizes.knownChannels <= within(seenAt, 2 * gap + MIN), `channels ${sizes.knownChannels} at minute ${m}`);
      assert.ok(sizes.knownGames <= within(gamesSeenAt, 2 * gap + MIN), `games ${sizes.knownGames} at minute ${m}`);
      if (m % 600 === 0) for (const [k, at] of seenAt) if (t - at > 3 * gap) seenAt.delete(k);
    }
    // the test means something: far more channels came and went than are ever held
    assert.ok(next > 20 * worst, `${next} channels, at most ${worst} held`);
  });
});
