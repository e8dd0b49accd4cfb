import type { HelixStream } from '../twitch/helix.external.js';
import type { SweepStats } from './store.js';

export interface StreamsPageEvent {
  generation: number;
  /** wall-clock (Lurk clock) time the page was fetched */
  seenAt: number;
  page: number;
  streams: HelixStream[];
}

export interface SweepCompletedEvent {
  generation: number;
  startedAt: number;
  finishedAt: number;
  stats: SweepStats;
  removed: number;
}

declare module '../core/events.js' {
  interface LurkEvents {
    /** one page of a sweep of Helix /streams: Watch time samples these instead of sweeping again */
    'streams.page': StreamsPageEvent;
    'streams.sweep.completed': SweepCompletedEvent;
  }
}
