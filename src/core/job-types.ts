// Plain data shapes of scheduled jobs, shared with the UI (no runtime imports here).

export interface JobRun {
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  outcome: 'ok' | 'error';
  error?: string;
  trigger: 'schedule' | 'manual';
}

export interface JobStatus {
  name: string;
  description: string;
  schedule: string;
  running: boolean;
  runs: number;
  failures: number;
  /** scheduled runs skipped because the previous run was still going */
  skipped: number;
  lastRun?: JobRun;
  nextRunAt?: number;
  /** most recent runs, oldest first */
  recent: JobRun[];
}
