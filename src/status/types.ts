// Wire shapes of the Status API, shared with the UI (no runtime imports here).
import type { Mode } from '../config/mode.js';
import type { JobStatus } from '../core/job-types.js';

export type { Mode };

export interface ResourceSample {
  /** clock time */
  at: number;
  rssBytes: number;
  heapUsedBytes: number;
  dbSizeBytes: number;
  /** event-loop delay p99 over the sample interval */
  eventLoopP99Ms: number;
}

/** what the Status page shows of the built-in simulator (the /_sim/world body) */
export interface SimulatorSummary {
  seed: number;
  time: string;
  time_ms: number;
  clock: { speed: number; mode: string; lagging: boolean };
  channels: number;
  live_channels: number;
  viewers: number;
  chatters: number;
  messages_per_second: number;
  games: number;
  rate_limit_per_minute: number;
  ports: { http: number; irc: number | null; irc_ws: number | null };
}

export interface StatusSnapshot {
  version: string;
  mode: Mode;
  twitch: string;
  startedAt: number;
  now: number;
  uptimeSeconds: number;
  clock: { kind: string; speed: number };
  database: { kind: string; label: string; sizeBytes: number };
  node: string;
  pid: number;
  jobs: JobStatus[];
  resources: ResourceSample[];
  simulator?: SimulatorSummary;
}
