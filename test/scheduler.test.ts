import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InProcessBus } from '../src/core/bus.js';
import { ManualClock } from '../src/core/clock.js';
import type { JobRunEvent } from '../src/core/events.js';
import { JobAlreadyRunningError, JobNotFoundError, Scheduler } from '../src/core/scheduler.js';
import { memoryLogger } from './helpers/app.js';

function setup(start = Date.UTC(2026, 10, 22, 7, 59, 0)) {
  const clock = new ManualClock(start);
  const bus = new InProcessBus();
  const events: JobRunEvent[] = [];
  bus.subscribe('job.finished', (e) => void events.push(e));
  const scheduler = new Scheduler(clock, bus, memoryLogger().log);
  return { clock, bus, scheduler, events };
}

test('an interval job runs each time the clock passes its period', async () => {
  const { clock, scheduler } = setup();
  const ran: number[] = [];
  scheduler.register({ name: 'tick', description: 't', schedule: { everyMs: 10_000 }, run: async ({ startedAt }) => void ran.push(startedAt) });
  scheduler.start();
  const t0 = clock.now();
  await clock.advance(9_999);
  assert.deepEqual(ran, []);
  await clock.advance(1);
  await clock.advance(25_000);
  assert.deepEqual(ran, [t0 + 10_000, t0 + 20_000, t0 + 30_000]);
  assert.equal(scheduler.get('tick')!.runs, 3);
  assert.equal(scheduler.get('tick')!.nextRunAt, t0 + 40_000);
  await scheduler.stop();
});

test('runAtStart runs once immediately', async () => {
  const { clock, scheduler } = setup();
  let runs = 0;
  scheduler.register({ name: 'now', description: 'n', schedule: { everyMs: 60_000 }, runAtStart: true, run: async () => void runs++ });
  scheduler.start();
  await clock.advance(0);
  assert.equal(runs, 1);
  await clock.advance(60_000);
  assert.equal(runs, 2);
  await scheduler.stop();
});

test('a cron job fires at its wall time in its time zone', async () => {
  const { clock, scheduler } = setup(Date.UTC(2026, 10, 22, 6, 59, 30));
  const ran: string[] = [];
  scheduler.register({ name: 'rollover', description: 'r', schedule: { cron: '0 8 * * *', timezone: 'UTC' }, run: async ({ startedAt }) => void ran.push(new Date(startedAt).toISOString()) });
  scheduler.register({
    name: 'berlin',
    description: 'b',
    schedule: { cron: '0 8 * * *', timezone: 'Europe/Berlin' },
    run: async ({ startedAt }) => void ran.push(`berlin ${new Date(startedAt).toISOString()}`),
  });
  scheduler.start();
  await clock.advance(2 * 86_400_000);
  assert.deepEqual(ran, ['berlin 2026-11-22T07:00:00.000Z', '2026-11-22T08:00:00.000Z', 'berlin 2026-11-23T07:00:00.000Z', '2026-11-23T08:00:00.000Z']);
  await scheduler.stop();
});

test('an invalid cron pattern is refused at registration', () => {
  const { scheduler } = setup();
  assert.throws(() => scheduler.register({ name: 'bad', description: 'b', schedule: { cron: '61 * * * *' }, run: async () => undefined }));
  assert.throws(() => scheduler.register({ name: 'bad2', description: 'b', schedule: { everyMs: 0 }, run: async () => undefined }), /everyMs/);
});

test('a job never overlaps itself: ticks during a run are skipped and counted', async () => {
  const { clock, scheduler } = setup();
  let release!: () => void;
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  scheduler.register({
    name: 'slow',
    description: 's',
    schedule: { everyMs: 1000 },
    run: async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => (release = r));
      active--;
    },
  });
  scheduler.start();
  await clock.advance(1000); // first run starts and hangs
  await clock.advance(3000); // three more ticks arrive while it runs
  assert.equal(runs, 1);
  assert.equal(scheduler.get('slow')!.skipped, 3);
  assert.equal(scheduler.get('slow')!.running, true);
  await assert.rejects(scheduler.runNow('slow'), JobAlreadyRunningError);
  release();
  await clock.advance(1000);
  assert.equal(runs, 2);
  assert.equal(maxActive, 1);
  release();
  await scheduler.stop();
});

test('a job whose runs outlast its period by design counts skipped ticks without a warning for each', async () => {
  const clock = new ManualClock();
  const logs = memoryLogger('debug');
  const scheduler = new Scheduler(clock, new InProcessBus(), logs.log);
  const releases: (() => void)[] = [];
  for (const [name, overrunsExpected] of [
    ['sweep', true],
    ['slow', false],
  ] as const) {
    scheduler.register({ name, description: name, schedule: { everyMs: 1000 }, overrunsExpected, run: () => new Promise<void>((r) => releases.push(r)) });
  }
  scheduler.start();
  await clock.advance(4000);
  assert.equal(scheduler.get('sweep')!.skipped, 3);
  assert.equal(scheduler.get('slow')!.skipped, 3);
  const skips = logs.lines().filter((l) => l.msg === 'job still running at its next scheduled time; skipped this run');
  assert.deepEqual(
    skips.filter((l) => l.level === 40).map((l) => l.job),
    ['slow', 'slow', 'slow'],
  );
  assert.deepEqual(
    skips.filter((l) => l.level === 20).map((l) => l.job),
    ['sweep', 'sweep', 'sweep'],
  );
  for (const release of releases) release();
  await scheduler.stop();
});

test('failures are recorded with their message and published on the bus', async () => {
  const { clock, bus, scheduler, events } = setup();
  scheduler.register({
    name: 'flaky',
    description: 'f',
    schedule: { everyMs: 1000 },
    run: async () => {
      throw new Error('Helix said 503');
    },
  });
  scheduler.start();
  await clock.advance(1000);
  await bus.drain();
  const status = scheduler.get('flaky')!;
  assert.equal(status.failures, 1);
  assert.equal(status.lastRun?.outcome, 'error');
  assert.equal(status.lastRun?.error, 'Helix said 503');
  assert.equal(events.length, 1);
  assert.equal(events[0]!.job, 'flaky');
  assert.equal(events[0]!.outcome, 'error');
  assert.equal(events[0]!.trigger, 'schedule');
  await scheduler.stop();
});

test('runNow runs outside the schedule and reports the run', async () => {
  const { scheduler } = setup();
  let runs = 0;
  scheduler.register({ name: 'manual', description: 'm', schedule: { cron: '0 3 * * *' }, run: async () => void runs++ });
  scheduler.start();
  const run = await scheduler.runNow('manual');
  assert.equal(run.trigger, 'manual');
  assert.equal(run.outcome, 'ok');
  assert.equal(runs, 1);
  await assert.rejects(scheduler.runNow('missing'), JobNotFoundError);
  await scheduler.stop();
});

test('stop cancels timers, aborts running jobs and waits for them', async () => {
  const { clock, scheduler } = setup();
  let aborted = false;
  let finished = false;
  scheduler.register({
    name: 'long',
    description: 'l',
    schedule: { everyMs: 1000 },
    run: async ({ signal }) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      aborted = signal.aborted;
      finished = true;
    },
  });
  scheduler.start();
  await clock.advance(1000);
  assert.equal(finished, false);
  await scheduler.stop();
  assert.equal(aborted, true);
  assert.equal(finished, true);
  assert.equal(clock.pending, 0, 'no timer left behind');
  assert.equal(scheduler.get('long')!.nextRunAt, undefined);
});

test('history restored from storage shows as the last run', () => {
  const { scheduler } = setup();
  scheduler.register({ name: 'restored', description: 'r', schedule: { everyMs: 1000 }, run: async () => undefined });
  scheduler.restoreHistory('restored', [
    { startedAt: 1, finishedAt: 2, durationMs: 1, outcome: 'ok', trigger: 'schedule' },
    { startedAt: 3, finishedAt: 4, durationMs: 1, outcome: 'error', error: 'x', trigger: 'schedule' },
  ]);
  assert.equal(scheduler.get('restored')!.lastRun?.startedAt, 3);
  assert.equal(scheduler.get('restored')!.recent.length, 2);
});
