import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { WatchtimeConfig } from '../config/load.js';
import '../discover/events.js';
import type { Database } from '../store/schema.js';
import { addDays, DayCalendar, parseDayStart } from './calendar.js';
import { capSamples, mergePending, pendingRows, WatchIntegrator, type IntegratorSizes, type PendingWrites, type StreamSample } from './integrator.js';
import { WatchQueries } from './queries.js';
import { pickWeighted } from './random-game.js';
import { NameIndex } from './search.js';
import { loadState, namesSince, pruneSamples, writePending } from './store.js';
import type { RandomGamePick, SearchResult } from './types.js';

export interface WatchtimeServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  config: WatchtimeConfig;
  /** sweep period assumed until two sweeps have been seen */
  defaultSweepPeriodMs?: number;
  /** told how each write went, for metrics */
  onWrite?: (outcome: 'ok' | 'error', seconds: number, trackedStreams: number) => void;
  /** raw samples kept for a write that waits (the database is down); later ones are dropped and counted */
  maxQueuedSamples?: number;
  /** the search index holds names seen (written) within this many days */
  nameDays?: number;
}

/** raw samples held while writes fail: about ten minutes of a 100,000-stream Twitch at one sample per stream per 5 minutes */
export const DEFAULT_MAX_QUEUED_SAMPLES = 200_000;
/** names seen within this many days are searchable (search ranks by the last 30 days' hours) */
export const DEFAULT_NAME_DAYS = 30;

export interface WatchtimeSizes extends IntegratorSizes {
  /** entries in the search index */
  searchNames: number;
  /** rollup rows and raw samples counted but not yet written (one merged write) */
  queuedRows: number;
  queuedSamples: number;
  /** raw samples dropped since start because writes kept failing */
  droppedSamples: number;
}

/**
 * Watch time: samples every stream of every Discover sweep (no second sweep), integrates
 * viewers over time, and writes the rollups in one transaction per flush.
 */
export class WatchtimeService {
  readonly calendar: DayCalendar;
  readonly queries: WatchQueries;
  readonly names = new NameIndex();
  private readonly integrator: WatchIntegrator;
  /** everything drained and not yet written, merged into one write (rollups are additive), so a database that is down for long holds one write, not one per flush */
  private waiting: PendingWrites | undefined;
  private droppedSamples = 0;
  private writing: Promise<void> = Promise.resolve();
  private lastFlushAt = 0;
  private namesLoadedAt = 0;
  private unsubscribe: (() => void)[] = [];
  updatedAt: number | null = null;

  constructor(private readonly o: WatchtimeServiceOptions) {
    const dayStart = parseDayStart(o.config.dayStart);
    if (!dayStart) throw new Error(`bad day start ${o.config.dayStart}`);
    this.calendar = new DayCalendar(o.config.timeZone, dayStart);
    this.queries = new WatchQueries(o.db, this.calendar);
    this.integrator = new WatchIntegrator({
      calendar: this.calendar,
      gapCapMs: o.config.gapSeconds * 1000,
      minViewers: o.config.minViewers,
      sampleEveryMs: o.config.sampleSeconds * 1000,
      defaultSweepPeriodMs: o.defaultSweepPeriodMs ?? 60_000,
      onClockBack: (from, to, streamsRestarted) =>
        o.log.warn(
          { from: new Date(from).toISOString(), to: new Date(to).toISOString(), streamsRestarted },
          'watch time: the clock went back; counting restarts from the new time (hours already counted stay as they are, none is counted twice)',
        ),
    });
  }

  private get maxQueuedSamples(): number {
    return this.o.maxQueuedSamples ?? DEFAULT_MAX_QUEUED_SAMPLES;
  }

  /** what watch time holds in memory, for tests and the gauges */
  sizes(): WatchtimeSizes {
    const w = this.waiting;
    return { ...this.integrator.sizes(), searchNames: this.names.size, queuedRows: w ? pendingRows(w) : 0, queuedSamples: w ? w.samples.length : 0, droppedSamples: this.droppedSamples };
  }

  /** restore the integrator's state, then listen to sweeps if a bus is given (names load at the first search) */
  async start(bus?: Bus): Promise<void> {
    const saved = await loadState(this.o.db);
    if (saved) {
      this.integrator.importState(saved.state);
      this.updatedAt = saved.flushedAt;
    }
    this.lastFlushAt = this.o.clock.now();
    if (bus) {
      this.unsubscribe.push(bus.subscribe('streams.page', (e) => this.ingestPage(e.streams, e.seenAt, e.generation)));
      this.unsubscribe.push(
        bus.subscribe('streams.sweep.completed', async (e) => {
          this.completeSweep(e.generation, e.startedAt, e.finishedAt);
          // a clock that went back is due too: otherwise nothing would be written until it caught up
          const since = this.o.clock.now() - this.lastFlushAt;
          if (since >= this.o.config.flushSeconds * 1000 || since < 0) await this.flush();
        }),
      );
    }
  }

  ingestPage(streams: readonly StreamSample[], seenAt: number, generation: number): void {
    for (const s of streams) this.integrator.sample(s, seenAt, generation);
  }

  completeSweep(generation: number, startedAt: number, finishedAt: number): void {
    this.integrator.completeSweep(generation, startedAt, finishedAt);
  }

  /**
   * Write what has been counted. Writes are additive, so a failed write is kept and merged with
   * what is counted after it into one write, retried next time: nothing counted is dropped or
   * written twice, and a long outage holds one write (its rows bounded by the distinct days,
   * hours, games and channels counted), not one per flush. Only raw samples are capped.
   */
  flush(): Promise<void> {
    const now = this.o.clock.now();
    this.lastFlushAt = now;
    if (this.integrator.hasPending()) this.enqueue(this.integrator.drain());
    this.writing = this.writing.then(async () => {
      // taken, not shared: what is drained while this writes merges into a fresh waiting write
      const next = this.waiting;
      if (!next) return;
      this.waiting = undefined;
      const started = performance.now();
      try {
        await writePending(this.o.db, next, now);
      } catch (err) {
        const seconds = (performance.now() - started) / 1000;
        const later = this.waiting;
        this.waiting = next;
        if (later) this.enqueue(later);
        else this.dropSamples(capSamples(next, this.maxQueuedSamples));
        this.o.log.error({ err, queuedRows: pendingRows(next), queuedSamples: next.samples.length, droppedSamples: this.droppedSamples }, 'watch time write failed; will retry');
        this.o.onWrite?.('error', seconds, this.integrator.liveStreams);
        return;
      }
      this.o.onWrite?.('ok', (performance.now() - started) / 1000, this.integrator.liveStreams);
      this.updatedAt = now;
      // the index is filled by the first search; until then it stays empty
      if (this.namesLoadedAt > 0) {
        for (const [id, name] of next.games) this.names.put({ kind: 'game', id, name }, now);
        for (const [id, c] of next.channels) this.names.put({ kind: 'streamer', id, name: c.name, login: c.login }, now);
      }
    });
    return this.writing;
  }

  /** queue a drained write behind the one waiting, as one */
  private enqueue(p: PendingWrites): void {
    if (!this.waiting) this.waiting = p;
    else this.dropSamples(mergePending(this.waiting, p, this.maxQueuedSamples));
  }

  private dropSamples(n: number): void {
    if (n === 0) return;
    if (this.droppedSamples === 0) this.o.log.warn({ dropped: n, kept: this.maxQueuedSamples }, 'watch time: writes keep failing; raw samples beyond the cap are dropped (hours are kept)');
    this.droppedSamples += n;
  }

  /** load names written by any process (in scale-out another role may be the writer); search calls it at most once a minute */
  async refreshNames(): Promise<void> {
    const now = this.o.clock.now();
    // only names seen within the window (a name in use is written again at least daily); a
    // last load "in the future" is from before the clock went back
    const since = Math.max(Math.min(this.namesLoadedAt, now), now - this.nameWindowMs);
    const { games, channels } = await namesSince(this.o.db, since);
    for (const g of games) this.names.put({ kind: 'game', id: g.id, name: g.name }, g.updatedAt);
    for (const c of channels) this.names.put({ kind: 'streamer', id: c.id, name: c.name, login: c.login }, c.updatedAt);
    this.names.prune(now - this.nameWindowMs);
    this.namesLoadedAt = now;
  }

  private get nameWindowMs(): number {
    return (this.o.nameDays ?? DEFAULT_NAME_DAYS) * 86_400_000;
  }

  /** prune raw samples past retention; rollups stay */
  async maintain(): Promise<{ pruned: number }> {
    await this.flush();
    this.names.prune(this.o.clock.now() - this.nameWindowMs);
    const before = this.o.clock.now() - this.o.config.rawDays * 86_400_000;
    const pruned = await pruneSamples(this.o.db, before);
    return { pruned };
  }

  get digestSeed(): number {
    return this.o.config.digestSeed;
  }

  /** names matched as typed, ranked by how well they match, then by the last 30 days' hours */
  async search(q: string, limit: number): Promise<SearchResult[]> {
    // either way: a clock that went back must not stop the refreshes until it catches up
    if (Math.abs(this.o.clock.now() - this.namesLoadedAt) > 60_000) await this.refreshNames();
    const matches = this.names.find(q, limit * 4).slice(0, limit * 4);
    const to = this.today();
    const from = addDays(to, -29);
    const gameIds = matches.filter((m) => m.entry.kind === 'game').map((m) => m.entry.id);
    const userIds = matches.filter((m) => m.entry.kind === 'streamer').map((m) => m.entry.id);
    const [gameHours, userHours] = await Promise.all([this.queries.hoursLast('game', gameIds, from, to), this.queries.hoursLast('streamer', userIds, from, to)]);
    const rank: Record<string, number> = { id: 0, exact: 1, prefix: 2, contains: 3, fuzzy: 4 };
    return matches
      .map((m) => ({
        kind: m.entry.kind,
        id: m.entry.id,
        name: m.entry.name,
        ...(m.entry.login !== undefined ? { login: m.entry.login } : {}),
        match: m.match,
        score: m.score,
        hours_watched: Math.round(((m.entry.kind === 'game' ? gameHours : userHours).get(m.entry.id) ?? 0) * 100) / 100,
      }))
      .sort((a, b) => rank[a.match]! - rank[b.match]! || b.hours_watched - a.hours_watched || a.score - b.score)
      .slice(0, limit)
      .map(({ score: _score, ...r }) => r);
  }

  /** the day's random game, weighted by hours watched, and its top streamers that day */
  async randomGame(day: string, seed: number, limit: number): Promise<RandomGamePick> {
    const weights = await this.queries.gameWeights(day);
    const pick = pickWeighted(weights, day, seed);
    if (!pick) return { game: null, hours_watched: 0, share: 0, top_streamers: [] };
    const total = weights.reduce((s, g) => s + g.hours, 0);
    const name = (await this.queries.gameNames([pick.id])).get(pick.id) ?? pick.id;
    const top = await this.queries.topStreamersOfGame(pick.id, day, day, limit);
    return { game: { id: pick.id, name }, hours_watched: Math.round(pick.hours * 100) / 100, share: Math.round((pick.hours / total) * 10_000) / 10_000, top_streamers: top };
  }

  now(): number {
    return this.o.clock.now();
  }

  today(): string {
    return this.calendar.today(this.o.clock.now());
  }

  yesterday(): string {
    return addDays(this.today(), -1);
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    await this.flush();
  }
}
