import type { Logger } from 'pino';
import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { HelixBudget } from '../twitch/budget.js';
import type { HelixClient } from '../twitch/helix-client.js';
import { parseStreamsPage, type HelixStream } from '../twitch/helix.external.js';
import './events.js';
import type { DiscoverStore, SweepStats } from './store.js';

export interface SweeperOptions {
  helix: HelixClient;
  budget: HelixBudget;
  /** everything the sweeper writes goes through it */
  store: DiscoverStore;
  bus: Bus;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** ISO 639-1 codes; empty = every language */
  languages: string[];
  graceSweeps: number;
  /** sees every stream of every page (the pool keeps itself in step through this) */
  onStreams?: (streams: HelixStream[]) => void;
  /** sees the ids removed when a sweep completes */
  onRemoved?: (ids: string[]) => void;
  /** counts Helix failures (5xx, timeouts) seen while sweeping */
  errorCount?: () => number;
}

export interface SweepResult {
  generation: number;
  stats: SweepStats;
  removed: number;
  durationMs: number;
}

/**
 * One sweep of every live stream through Helix /streams, 100 a page, sorted by viewers as
 * Twitch serves them. Each page is stored at once (a crash loses at most the page in flight)
 * and published on the bus; when the last page is in, streams not seen within the grace are
 * removed. Pacing, retries and token renewal are the Helix client's.
 */
export class Sweeper {
  constructor(private readonly o: SweeperOptions) {}

  async sweep(signal?: AbortSignal): Promise<SweepResult> {
    const { store, helix, budget, clock, bus, log } = this.o;
    const startedAt = clock.now();
    const generation = await store.startSweep(startedAt);
    const before = budget.stats();
    const errorsBefore = this.o.errorCount?.() ?? 0;
    const stats: SweepStats = { pages: 0, streams: 0, zeroViewer: 0, oneViewer: 0, budgetPoints: 0, rateLimited: 0, errors: 0 };
    const seen = new Set<string>();
    let cursor: string | undefined;
    log.info({ generation }, 'sweep started');
    do {
      const body = await helix.get(
        'streams',
        { first: 100, after: cursor, language: this.o.languages.length ? this.o.languages : undefined },
        { priority: 'background', ...(signal ? { signal } : {}) },
      );
      const page = parseStreamsPage(body);
      // paging drift can serve a stream twice; the later sighting is the fresher one
      const fresh: HelixStream[] = [];
      for (const s of page.data) {
        if (!seen.has(s.id)) {
          seen.add(s.id);
          stats.streams++;
          if (s.viewer_count === 0) stats.zeroViewer++;
          if (s.viewer_count === 1) stats.oneViewer++;
        }
        fresh.push(s);
      }
      const seenAt = clock.now();
      if (fresh.length > 0) {
        await store.savePage(fresh, generation, seenAt);
        this.o.onStreams?.(fresh);
      }
      stats.pages++;
      void bus.publish('streams.page', { generation, seenAt, page: stats.pages, streams: fresh });
      this.account(stats, before, errorsBefore);
      if (stats.pages % 20 === 0) {
        await store.recordProgress(generation, stats);
        log.debug({ generation, pages: stats.pages, streams: stats.streams }, 'sweeping');
      }
      cursor = page.data.length > 0 ? page.pagination.cursor : undefined;
    } while (cursor);
    const finishedAt = clock.now();
    this.account(stats, before, errorsBefore);
    const removed = await store.completeSweep(generation, stats, finishedAt, this.o.graceSweeps);
    this.o.onRemoved?.(removed);
    const result = { generation, stats, removed: removed.length, durationMs: finishedAt - startedAt };
    log.info({ generation, ...stats, removed: removed.length, durationMs: result.durationMs }, 'sweep completed');
    await bus.publish('streams.sweep.completed', { generation, startedAt, finishedAt, stats: { ...stats }, removed: removed.length });
    return result;
  }

  private account(stats: SweepStats, before: ReturnType<HelixBudget['stats']>, errorsBefore: number): void {
    const now = this.o.budget.stats();
    stats.budgetPoints = now.taken.background - before.taken.background;
    stats.rateLimited = now.rateLimited - before.rateLimited;
    stats.errors = (this.o.errorCount?.() ?? 0) - errorsBefore;
  }
}
