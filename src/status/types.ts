// Wire shapes of the Status API, shared with the UI (no runtime imports here).
import type { Mode } from '../config/mode.js';
import type { JobStatus } from '../core/job-types.js';
import type { SimSummary } from '../sim/summary.js';
import type { ChatPoolStats } from '../twitch/chat/types.js';

export type { Mode };

export interface ResourceSample {
  /** clock time */
  at: number;
  rssBytes: number;
  heapUsedBytes: number;
  dbSizeBytes: number;
  /** event-loop delay p99 over the sample interval */
  eventLoopP99Ms: number;
  /** chat lines the pool read per second, over the sample interval */
  chatLinesPerSecond: number;
  /** EventSub notifications handed to the bus per minute, over the sample interval */
  eventsubPerMinute: number;
}

/** the chat pool as the Status page shows it: its stats() */
export type ChatStatus = ChatPoolStats;

/** the EventSub intake as the Status page shows it */
export interface EventSubStatusView {
  /** false in real mode without LURK_PUBLIC_URL: WebSocket only */
  webhooks: boolean;
  callbackUrl: string | null;
  /** wanted subscriptions by type and state */
  subscriptions: { type: string; state: string; count: number }[];
  sockets: number;
  handedOn: number;
  duplicates: number;
  /** webhook deliveries refused (bad signature, stale, malformed), by reason */
  rejected: Record<string, number>;
  queued: number;
  lastReconcileAt: number | null;
  lastReconcileError: string | null;
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
  chat: ChatStatus;
  /** absent in a process without the intake */
  eventsub?: EventSubStatusView;
  /** the built-in simulator's own summary, in simulator mode */
  simulator?: SimSummary;
}
