import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Bus } from './bus.js';
import type { Clock, CancelTimer } from './clock.js';
import type { JobRunEvent } from './events.js';
import type { JobRun, JobStatus } from './job-types.js';

export type { JobRun, JobStatus };

export interface JobContext {
  /** aborted when Lurk shuts down; long jobs should stop early */
  signal: AbortSignal;
  /** the clock's time when this run started */
  startedAt: number;
  trigger: 'schedule' | 'manual';
}

export type JobSchedule = { cron: string; timezone?: string } | { everyMs: number };

export interface JobDefinition {
  name: string;
  description: string;
  schedule: JobSchedule;
  run(ctx: JobContext): Promise<void>;
  /** run once right after start, before the first scheduled time */
  runAtStart?: boolean;
  /**
   * runs often outlast the period (the sweep: the next one starts at the first tick after the
   * last ends): skipped ticks are counted but logged at debug, not warned about (at speed 300 a
   * warning per skipped tick would be dozens a second)
   */
  overrunsExpected?: boolean;
}

export class JobNotFoundError extends Error {}
export class JobAlreadyRunningError extends Error {}

const RECENT_RUNS = 60;

interface JobState {
  def: JobDefinition;
  status: JobStatus;
  cron?: Cron;
  cancelTimer?: CancelTimer;
  current?: Promise<void>;
}

function describeSchedule(schedule: JobSchedule): string {
  if ('cron' in schedule) return schedule.timezone ? `${schedule.cron} (${schedule.timezone})` : schedule.cron;
  const ms = schedule.everyMs;
  if (ms % 3_600_000 === 0) return `every ${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `every ${ms / 60_000} min`;
  if (ms % 1000 === 0) return `every ${ms / 1000} s`;
  return `every ${ms} ms`;
}

/**
 * Periodic jobs on Lurk's clock. Cron patterns are parsed by croner; waiting is done by the
 * Clock, so an accelerated simulator clock speeds jobs up and a manual clock lets tests step
 * them. A job never overlaps itself: a tick that arrives while it runs is counted as skipped.
 */
export class Scheduler {
  private readonly jobs = new Map<string, JobState>();
  private readonly controller = new AbortController();
  private started = false;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly bus: Bus,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>,
  ) {}

  register(def: JobDefinition): void {
    if (this.jobs.has(def.name)) throw new Error(`job ${def.name} is already registered`);
    if ('everyMs' in def.schedule && !(def.schedule.everyMs >= 1)) throw new RangeError(`job ${def.name}: everyMs must be ≥ 1`);
    const state: JobState = {
      def,
      status: {
        name: def.name,
        description: def.description,
        schedule: describeSchedule(def.schedule),
        running: false,
        runs: 0,
        failures: 0,
        skipped: 0,
        recent: [],
      },
    };
    if ('cron' in def.schedule) {
      // croner validates the pattern (throws on a bad one) and computes the next times.
      state.cron = new Cron(def.schedule.cron, { paused: true, ...(def.schedule.timezone ? { timezone: def.schedule.timezone } : {}) });
    }
    this.jobs.set(def.name, state);
    if (this.started) this.arm(state, true);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const state of this.jobs.values()) this.arm(state, true);
  }

  list(): JobStatus[] {
    return [...this.jobs.values()].map((s) => ({ ...s.status, recent: [...s.status.recent] }));
  }

  get(name: string): JobStatus | undefined {
    const state = this.jobs.get(name);
    return state && { ...state.status, recent: [...state.status.recent] };
  }

  /** Seeds a job's last runs from stored history, e.g. after a restart. */
  restoreHistory(name: string, runs: readonly JobRun[]): void {
    const state = this.jobs.get(name);
    if (!state || runs.length === 0) return;
    state.status.recent = runs.slice(-RECENT_RUNS);
    state.status.lastRun = runs[runs.length - 1];
  }

  /** Runs a job now, outside its schedule. Resolves when the run has finished. */
  async runNow(name: string): Promise<JobRun> {
    const state = this.jobs.get(name);
    if (!state) throw new JobNotFoundError(`no job named ${name}`);
    if (state.current) throw new JobAlreadyRunningError(`job ${name} is already running`);
    if (this.stopped) throw new Error('scheduler is stopped');
    await this.execute(state, 'manual');
    return state.status.lastRun!;
  }

  /** Stops scheduling, asks running jobs to abort and waits for them (up to `timeoutMs`). */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const state of this.jobs.values()) {
      state.cancelTimer?.();
      state.cancelTimer = undefined;
      state.status.nextRunAt = undefined;
    }
    this.controller.abort(new Error('Lurk is shutting down'));
    const running = [...this.jobs.values()].flatMap((s) => (s.current ? [s.current] : []));
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([Promise.allSettled(running).then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') this.log.warn({ jobs: running.length }, 'jobs still running at shutdown deadline');
  }

  private nextTime(state: JobState, first: boolean): number | undefined {
    const now = this.clock.now();
    const schedule = state.def.schedule;
    if ('everyMs' in schedule) return now + (first && state.def.runAtStart ? 0 : schedule.everyMs);
    if (first && state.def.runAtStart) return now;
    const next = state.cron!.nextRun(new Date(now));
    return next ? next.getTime() : undefined;
  }

  private arm(state: JobState, first = false): void {
    if (this.stopped) return;
    const at = this.nextTime(state, first);
    state.status.nextRunAt = at;
    if (at === undefined) return;
    state.cancelTimer = this.clock.at(at, () => {
      state.cancelTimer = undefined;
      if (this.stopped) return;
      if (state.current) {
        state.status.skipped += 1;
        this.log[state.def.overrunsExpected ? 'debug' : 'warn']({ job: state.def.name }, 'job still running at its next scheduled time; skipped this run');
      } else {
        void this.execute(state, 'schedule');
      }
      this.arm(state);
    });
  }

  private execute(state: JobState, trigger: 'schedule' | 'manual'): Promise<void> {
    const startedAt = this.clock.now();
    const realStart = performance.now();
    state.status.running = true;
    const started: JobRunEvent = { job: state.def.name, startedAt, trigger };
    void this.bus.publish('job.started', started).catch(() => undefined);
    const run = (async () => {
      let outcome: 'ok' | 'error' = 'ok';
      let error: string | undefined;
      try {
        await state.def.run({ signal: this.controller.signal, startedAt, trigger });
      } catch (err) {
        outcome = 'error';
        error = err instanceof Error ? err.message : String(err);
        this.log.error({ err, job: state.def.name }, 'job failed');
      }
      const finishedAt = this.clock.now();
      const record: JobRun = {
        startedAt,
        finishedAt,
        // durations are real elapsed time: that is what costs CPU and blocks the next run
        durationMs: Math.round((performance.now() - realStart) * 1000) / 1000,
        outcome,
        trigger,
        ...(error !== undefined ? { error } : {}),
      };
      state.status.runs += 1;
      if (outcome === 'error') state.status.failures += 1;
      state.status.lastRun = record;
      state.status.recent.push(record);
      if (state.status.recent.length > RECENT_RUNS) state.status.recent.shift();
      state.status.running = false;
      state.current = undefined;
      await this.bus.publish('job.finished', { job: state.def.name, ...record }).catch(() => undefined);
    })();
    state.current = run;
    return run;
  }
}
