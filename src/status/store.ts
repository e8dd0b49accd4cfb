// The Status page's queries: the job-run history.
import type { Selectable } from 'kysely';
import type { JobRun } from '../core/scheduler.js';
import type { Store } from '../store/database.js';
import type { JobRunsTable } from '../store/schema.js';

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
