// Wire shapes of the Status API, shared with the UI (no runtime imports here).
import type { Mode } from '../config/mode.js';
import type { JobStatus } from '../core/job-types.js';
import type { SimSummary } from '../sim/summary.js';

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

export interface StatusSnapshot {
  version: string;
  mode: Mode;
  /** what Lurk talks to: Simulated Twitch, Twitch, or a Twitch-compatible server at a named host */
  twitch: string;
  /** the addresses its Twitch clients use */
  endpoints: { oauth: string; helix: string; eventSubWs: string; irc: string };
  startedAt: number;
  now: number;
  uptimeSeconds: number;
  clock: { kind: string; speed: number };
  database: { kind: string; label: string; sizeBytes: number };
  node: string;
  pid: number;
  jobs: JobStatus[];
  resources: ResourceSample[];
  /** the built-in simulator's own summary, in simulator mode */
  simulator?: SimSummary;
}
