import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock } from '../core/clock.js';
import type { JobRun, Scheduler } from '../core/scheduler.js';
import type { SimSummary } from '../sim/summary.js';
import type { Mode, ResourceSample, StatusSnapshot } from './types.js';

export type { ResourceSample, StatusSnapshot };
import type { Store } from '../store/database.js';
import type { Selectable } from 'kysely';
import type { JobRunsTable } from '../store/schema.js';

const SAMPLES_KEPT = 360;

/** What the Status page shows: uptime, mode, database, jobs and resource use over time. */
export class StatusService {
  private readonly samples: ResourceSample[] = [];
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private dbSize = 0;

  constructor(
    private readonly deps: {
      clock: Clock;
      store: Store;
      scheduler: Scheduler;
      mode: Mode;
      version: string;
      startedAt: number;
      /** real start time, for uptime */
      startedAtReal: number;
      /** the simulated world's summary, in simulator mode */
      simulator?: () => SimSummary;
    },
  ) {
    this.loopDelay.enable();
  }

  /** One resource sample; run by the `status.sample` job. */
  async sample(): Promise<ResourceSample> {
    this.dbSize = await this.deps.store.sizeBytes();
    const mem = process.memoryUsage();
    const p99 = this.loopDelay.count > 0 ? this.loopDelay.percentile(99) / 1e6 : 0;
    this.loopDelay.reset();
    const sample: ResourceSample = {
      at: this.deps.clock.now(),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      dbSizeBytes: this.dbSize,
      eventLoopP99Ms: Math.round(p99 * 100) / 100,
    };
    this.samples.push(sample);
    if (this.samples.length > SAMPLES_KEPT) this.samples.shift();
    return sample;
  }

  snapshot(): StatusSnapshot {
    const { store, scheduler, mode, version, startedAt, startedAtReal, clock } = this.deps;
    return {
      version,
      mode,
      twitch: mode === 'simulator' ? 'Simulated Twitch' : 'Twitch',
      startedAt,
      now: clock.now(),
      uptimeSeconds: Math.floor((Date.now() - startedAtReal) / 1000),
      clock: { kind: clock.kind, speed: clock.speed },
      database: { kind: store.kind, label: store.label, sizeBytes: this.dbSize },
      node: process.version,
      pid: process.pid,
      jobs: scheduler.list(),
      resources: [...this.samples],
      ...(this.deps.simulator ? { simulator: this.deps.simulator() } : {}),
    };
  }

  stop(): void {
    this.loopDelay.disable();
  }
}

/** Job history kept in the database, so the Status page still knows the last runs after a restart. */
export class JobHistory {
  constructor(private readonly store: Store) {}

  async record(job: string, run: JobRun): Promise<void> {
    await this.store.db
      .insertInto('job_runs')
      .values({
        job,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
        duration_ms: run.durationMs,
        outcome: run.outcome,
        error: run.error ?? null,
        trigger: run.trigger,
      })
      .execute();
  }

  async recent(job: string, limit: number): Promise<JobRun[]> {
    const rows = await this.store.db.selectFrom('job_runs').selectAll().where('job', '=', job).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.reverse().map(toJobRun);
  }

  /** Keeps the newest `keep` runs of each job. */
  async prune(keep: number): Promise<number> {
    const jobs = await this.store.db.selectFrom('job_runs').select('job').distinct().execute();
    let removed = 0;
    for (const { job } of jobs) {
      const cutoff = await this.store.db.selectFrom('job_runs').select('id').where('job', '=', job).orderBy('id', 'desc').offset(keep).limit(1).executeTakeFirst();
      if (!cutoff) continue;
      const result = await this.store.db.deleteFrom('job_runs').where('job', '=', job).where('id', '<=', cutoff.id).executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    return removed;
  }
}

function toJobRun(row: Selectable<JobRunsTable>): JobRun {
  return {
    startedAt: Number(row.started_at),
    finishedAt: Number(row.finished_at),
    durationMs: Number(row.duration_ms),
    outcome: row.outcome,
    trigger: row.trigger,
    ...(row.error ? { error: row.error } : {}),
  };
}
