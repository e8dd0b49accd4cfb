// Accelerated mode is honest: a real Lurk with its built-in simulator at speed 300 (a simulated
// hour in 12 real seconds) counts the hours watched the simulator's ground truth says were
// watched. On a machine that cannot run 300 honestly at the moment (a shared host lending out its
// cores), Lurk refuses that speed at start, and the test takes the next one it accepts, over
// fewer hours: the claim is about every speed Lurk agrees to run. The sweeper, its Helix budget, the rate limit and the integrator all run as in
// production; only the world is small.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLurk, type Lurk } from '../../src/app.js';
import { ConfigError } from '../../src/config/load.js';
import { InProcessBus } from '../../src/core/bus.js';
import { createSimulator } from '../../src/sim/index.js';
import { watchSpeed } from '../../src/discover/pace.js';
import { EMPTY_STATS } from '../../src/discover/store.js';
import { openStore } from '../../src/store/database.js';
import { memoryLogger, testConfig, waitFor } from '../helpers/app.js';
import { tempSqlite } from '../helpers/db.js';
import { startLurk } from '../helpers/process.js';

const HOUR = 3_600_000;
const SPEED = 300;
/** the speeds tried, fastest first, with the full simulated hours compared at each (about 36 real seconds) */
const SPEEDS = [
  { speed: 300, hours: 3 },
  { speed: 150, hours: 2 },
  { speed: 60, hours: 1 },
];
const GAP_CAP_S = 600;

interface Truth {
  total_hours: number;
  final_until: string;
  rows: { game_id: string; game_name: string; hours: number }[];
}

describe('accelerated mode', () => {
  test(`at speed ${SPEED} (or the fastest this machine runs honestly) Lurk counts the hours watched within 1 % of the truth, with no sweep gap beyond the gap cap`, async (t) => {
    const db = await tempSqlite();
    t.after(() => db.drop());
    let lurk: Lurk | undefined;
    let stopped = false;
    t.after(async () => {
      if (lurk && !stopped) await lurk.stop();
    });
    // every sweep's end, in simulated time: the longest stretch without one is the sampling gap
    const sweepEnds: number[] = [];
    let HOURS = 0;
    for (const { speed, hours } of SPEEDS) {
      const candidate = await createLurk(
        testConfig({
          LURK_SIM_SPEED: String(speed),
          LURK_SIM_CHANNELS: '2000',
          LURK_SIM_LIVE: '300',
          LURK_WATCHTIME_GAP_SECONDS: String(GAP_CAP_S),
          DATABASE_URL: db.url,
        }),
        { log: memoryLogger().log, uiDir: '/nonexistent' },
      );
      candidate.bus.subscribe('streams.sweep.completed', (e) => void sweepEnds.push(e.finishedAt));
      try {
        await candidate.start();
      } catch (err) {
        await candidate.stop();
        // only the speed check may refuse; at the slowest speed it is a failure like any other
        if (!(err instanceof ConfigError) || !/LURK_SIM_SPEED/.test(err.message) || speed === SPEEDS.at(-1)!.speed) throw err;
        t.diagnostic(`speed ${speed} refused on this machine now: ${err.message.split('\n').at(-1)!.trim().slice(0, 160)}`);
        continue;
      }
      lurk = candidate;
      HOURS = hours;
      t.diagnostic(`speed ${speed}, ${hours} simulated hours compared`);
      break;
    }
    assert.ok(lurk, 'Lurk runs at one of the speeds');
    const sim = lurk.simulator!;
    const base = sim.address.httpUrl;

    // the first full hour after the first sweep, then HOURS of them; the next sweep after the
    // last one closes its integration intervals
    const first = await waitFor('the first sweep', () => sweepEnds[0], 20_000);
    const from = Math.ceil(first / HOUR) * HOUR;
    const to = from + HOURS * HOUR;
    const truth = { total: 0, games: new Map<string, { name: string; hours: number }>() };
    for (let h = from; h < to; h += HOUR) {
      // the truth of an hour is exact once the world is past it; fetched hour by hour, well inside its horizon
      await waitFor(`the world past ${new Date(h + HOUR).toISOString()}`, () => sim.world.now() > h + HOUR + 60_000 || undefined, 60_000, 200);
      const answer = (await (await fetch(`${base}/_sim/truth/watchtime?by=game&from=${new Date(h).toISOString()}&to=${new Date(h + HOUR).toISOString()}`)).json()) as Truth;
      assert.ok(Date.parse(answer.final_until) >= h + HOUR, 'the truth of the hour is final');
      truth.total += answer.total_hours;
      for (const r of answer.rows) {
        const g = truth.games.get(r.game_id) ?? { name: r.game_name, hours: 0 };
        g.hours += r.hours;
        truth.games.set(r.game_id, g);
      }
    }
    await waitFor('a sweep after the last hour', () => sweepEnds.some((e) => e > to) || undefined, 30_000, 100);
    const lagging = sim.lagging;
    const endedAt = lurk.clock.now();
    await lurk.stop();
    stopped = true;

    // sampling gaps over the compared hours, including the one still open at the end
    const ends = sweepEnds.filter((e) => e >= from - GAP_CAP_S * 1000);
    let maxGap = 0;
    for (let i = 1; i < ends.length; i++) maxGap = Math.max(maxGap, ends[i]! - ends[i - 1]!);
    maxGap = Math.max(maxGap, endedAt - ends.at(-1)!);

    const store = await openStore({ url: db.url });
    try {
      const totals = await store.db.selectFrom('watch_hour_total').select(['hour', 'hours_watched', 'hours_covered']).where('hour', '>=', from).where('hour', '<', to).execute();
      const lurkTotal = totals.reduce((s, r) => s + Number(r.hours_watched), 0);
      const covered = totals.reduce((s, r) => s + Number(r.hours_covered), 0);
      const games = await store.db
        .selectFrom('watch_hour_game')
        .select(['game_id', (eb) => eb.fn.sum<number>('hours_watched').as('hours')])
        .where('hour', '>=', from)
        .where('hour', '<', to)
        .groupBy('game_id')
        .execute();
      const lurkGames = new Map(games.map((g) => [g.game_id, Number(g.hours)]));
      const totalError = (lurkTotal - truth.total) / truth.total;
      const top = [...truth.games.entries()].sort((a, b) => b[1].hours - a[1].hours).slice(0, 5);
      const gameErrors = top.map(([id, g]) => ({ name: g.name, truth: g.hours, error: ((lurkGames.get(id) ?? 0) - g.hours) / g.hours }));
      t.diagnostic(
        `truth ${truth.total.toFixed(1)} h, Lurk ${lurkTotal.toFixed(1)} h (${(totalError * 100).toFixed(2)} %), covered ${covered.toFixed(3)} of ${HOURS} h, ${ends.length} sweeps, longest gap ${(maxGap / 1000).toFixed(0)} s simulated`,
      );
      t.diagnostic(`top games: ${gameErrors.map((g) => `${g.name} ${g.truth.toFixed(0)} h ${(g.error * 100).toFixed(2)} %`).join('; ')}`);

      assert.equal(lagging, false, 'the world kept up with the clock (else the speed is refused, not measured)');
      assert.ok(maxGap <= GAP_CAP_S * 1000, `no sampling gap beyond the gap cap (longest ${(maxGap / 1000).toFixed(0)} s)`);
      assert.ok(Math.abs(covered - HOURS) < 0.01, `Lurk sampled the whole of the ${HOURS} hours (covered ${covered.toFixed(3)})`);
      assert.ok(Math.abs(totalError) <= 0.01, `all hours watched within 1 % of the truth (${(totalError * 100).toFixed(2)} %)`);
      // a top game is a few dozen streams: a stream's first and last half-interval and the
      // minute-old counts of game switches weigh more there than in the total
      for (const g of gameErrors) assert.ok(Math.abs(g.error) <= 0.03, `${g.name} within 3 % of the truth (${(g.error * 100).toFixed(2)} %)`);
    } finally {
      await store.close();
    }
  });

  test('a speed this machine cannot run honestly is refused at start: exit 2 naming LURK_SIM_SPEED', async (t) => {
    const db = await tempSqlite();
    // a small world at the highest speed the setting allows: far more than one core can step
    const run = startLurk(['start'], { PORT: '0', LOG_LEVEL: 'warn', LURK_SIM_SPEED: '100000', DATABASE_URL: db.url });
    let exit: { code: number | null } | undefined;
    void run.exited.then((e) => (exit = e));
    t.after(async () => {
      if (!exit) run.child.kill('SIGKILL');
      await run.exited;
      await db.drop();
    });
    await waitFor('lurk start to refuse the speed', () => exit, 30_000, 100);
    assert.equal(exit!.code, 2, run.output());
    assert.match(run.output(), /LURK_SIM_SPEED=100000 is faster than this machine can run this world honestly/);
    assert.match(run.output(), /Use LURK_SIM_SPEED=\d+ or less, or a smaller world/);
    assert.doesNotMatch(run.output(), /is running at/);
  });

  test('a running world that is no longer sampled within the gap cap is warned about, naming LURK_SIM_SPEED', async () => {
    // not started: only its clock and lag flag are read
    const sim = createSimulator({ seed: 1, channels: 100, live: 10, speed: SPEED, port: 0, ircPort: null, ircWsPort: null, log: memoryLogger().log });
    const bus = new InProcessBus();
    const logs = memoryLogger('info');
    watchSpeed(sim, bus, logs.log, GAP_CAP_S * 1000);
    const t0 = Date.UTC(2026, 10, 22, 12);
    const sweep = (generation: number, finishedAt: number) => bus.publish('streams.sweep.completed', { generation, startedAt: finishedAt - 20_000, finishedAt, stats: { ...EMPTY_STATS }, removed: 0 });
    await sweep(1, t0);
    await sweep(2, t0 + 300_000);
    assert.deepEqual(
      logs.lines().filter((l) => l.level === 40),
      [],
      'sweeps within the gap cap are fine',
    );
    await sweep(3, t0 + 300_000 + (GAP_CAP_S + 100) * 1000);
    const warnings = logs.lines().filter((l) => l.level === 40);
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]!.msg), /LURK_SIM_SPEED=300 is too fast for this machine: sweeps ended 700 simulated seconds apart, beyond the 600 s gap cap/);
  });
});
