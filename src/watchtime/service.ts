import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Bus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { WatchtimeConfig } from '../config/load.js';
import '../discover/events.js';
import type { Database } from '../store/schema.js';
import { addDays, DayCalendar, parseDayStart } from './calendar.js';
import { WatchIntegrator, type PendingWrites, type StreamSample } from './integrator.js';
import { WatchQueries, type RankedItem } from './queries.js';
import { pickWeighted } from './random-game.js';
import { NameIndex, type MatchKind } from './search.js';
import { loadState, pruneSamples, writePending } from './store.js';

export interface SearchResult {
  kind: 'game' | 'streamer';
  id: string;
  name: string;
  login?: string;
  match: MatchKind;
  hours_watched: number;
}

export interface WatchtimeServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  config: WatchtimeConfig;
  /** sweep period assumed until two sweeps have been seen */
  defaultSweepPeriodMs?: number;
  /** told how each write went, for metrics */
  onWrite?: (outcome: 'ok' | 'error', seconds: number, trackedStreams: number) => void;
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
  private queue: PendingWrites[] = [];
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

  ingestPage(streams: StreamSample[], seenAt: number, generation: number): void {
    for (const s of streams) this.integrator.sample(s, seenAt, generation);
  }

  completeSweep(generation: number, startedAt: number, finishedAt: number): void {
    this.integrator.completeSweep(generation, startedAt, finishedAt);
  }

  /**
   * Write what has been counted. Writes are additive, so a failed write stays queued and is
   * retried first next time; nothing counted is dropped or written twice.
   */
  flush(): Promise<void> {
    const now = this.o.clock.now();
    this.lastFlushAt = now;
    if (this.integrator.hasPending()) this.queue.push(this.integrator.drain());
    this.writing = this.writing.then(async () => {
      while (this.queue.length > 0) {
        const next = this.queue[0]!;
        const started = performance.now();
        try {
          await writePending(this.o.db, next, now);
          this.o.onWrite?.('ok', (performance.now() - started) / 1000, this.integrator.liveStreams);
        } catch (err) {
          this.o.onWrite?.('error', (performance.now() - started) / 1000, this.integrator.liveStreams);
          this.o.log.error({ err, queued: this.queue.length }, 'watch time write failed; will retry');
          return;
        }
        this.queue.shift();
        this.updatedAt = now;
        for (const [id, name] of next.games) this.names.put({ kind: 'game', id, name });
        for (const [id, c] of next.channels) this.names.put({ kind: 'streamer', id, name: c.name, login: c.login });
      }
    });
    return this.writing;
  }

  /** load names written by any process (in scale-out another role may be the writer); search calls it at most once a minute */
  async refreshNames(): Promise<void> {
    const since = this.namesLoadedAt;
    const now = this.o.clock.now();
    const games = await this.o.db.selectFrom('watch_games').select(['game_id', 'name']).where('updated_at', '>=', since).execute();
    for (const g of games) this.names.put({ kind: 'game', id: g.game_id, name: g.name });
    const channels = await this.o.db.selectFrom('watch_channels').select(['user_id', 'login', 'display_name']).where('updated_at', '>=', since).execute();
    for (const c of channels) this.names.put({ kind: 'streamer', id: c.user_id, name: c.display_name, login: c.login });
    this.namesLoadedAt = now;
  }

  /** prune raw samples past retention; rollups stay */
  async maintain(): Promise<{ pruned: number }> {
    await this.flush();
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
  async randomGame(day: string, seed: number, limit: number): Promise<{ game: { id: string; name: string } | null; hours_watched: number; share: number; top_streamers: RankedItem[] }> {
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
