import type { HelixStream } from '../twitch/helix.external.js';
import { HOUR_MS, type DayCalendar } from './calendar.js';

/** the part of a Helix stream that watch time reads */
export type StreamSample = Pick<HelixStream, 'id' | 'user_id' | 'user_login' | 'user_name' | 'game_id' | 'game_name' | 'viewer_count'> & Partial<Pick<HelixStream, 'started_at'>>;

export interface Measures {
  hoursWatched: number;
  hoursStreamed: number;
  peakViewers: number;
  streams: number;
  peakChannels: number;
  /** totals only: hours Lurk was sampling */
  hoursCovered: number;
}

export interface RawSample {
  seenAt: number;
  streamId: string;
  userId: string;
  gameId: string;
  viewers: number;
}

/**
 * One rollup row being accumulated. Every row has every field (unused keys empty) so that the
 * hot path sees one object shape: this halves the integrator's cost against per-table shapes.
 */
export class Accumulated implements Measures {
  hoursWatched = 0;
  hoursStreamed = 0;
  peakViewers = 0;
  streams = 0;
  peakChannels = 0;
  hoursCovered = 0;
  constructor(
    readonly day: string,
    readonly hour: number,
    readonly userId: string,
    readonly gameId: string,
  ) {}
}

/** everything credited since the last drain, keyed for the rollup tables */
export interface PendingWrites {
  channelGameDays: Map<string, Accumulated>;
  channelDays: Map<string, Accumulated>;
  gameDays: Map<string, Accumulated>;
  totalDays: Map<string, Accumulated>;
  gameHours: Map<string, Accumulated>;
  totalHours: Map<number, Accumulated>;
  samples: RawSample[];
  games: Map<string, string>;
  channels: Map<string, { login: string; name: string }>;
  /** the integrator's state at the drain, to be stored with these writes */
  state: IntegratorState;
}

interface Live {
  t: number;
  v: number;
  userId: string;
  gameId: string;
  generation: number;
  lastRawAt: number;
  /** "day|game" and "day" keys this stream was already counted under */
  counted: string[];
  /** the rows this stream credited last: a stream stays in one hour, day and game for a while */
  rows?: RowCache;
}

interface RowCache {
  pendingGen: number;
  day: string;
  hour: number;
  userId: string;
  gameId: string;
  /** the stream's counted keys were checked for this day and game */
  counted: boolean;
  cg: Accumulated;
  c: Accumulated;
  g: Accumulated;
  td: Accumulated;
  gh: Accumulated;
  th: Accumulated;
}

export interface IntegratorState {
  version: 1;
  sweepPeriodMs: number;
  lastSweepStart: number | null;
  lastSweepEnd?: number | null;
  streams: [id: string, t: number, v: number, userId: string, gameId: string, generation: number, lastRawAt: number, counted: string[]][];
}

export interface IntegratorOptions {
  calendar: DayCalendar;
  /** consecutive samples further apart than this are a stream's end and a new start */
  gapCapMs: number;
  /** streams with fewer viewers are not sampled */
  minViewers: number;
  /** raw samples are stored at most this often per stream */
  sampleEveryMs: number;
  /** sweep period assumed before two sweeps have been seen */
  defaultSweepPeriodMs: number;
  /**
   * How old a reported viewer_count is on average. Twitch refreshes it about once a minute, so
   * the counts trail the audience by ~30 s and a stream vanishes from Helix while its last count
   * still stands for the half minute before: that audience is credited after the last sample.
   */
  reportLagMs?: number;
  /**
   * Told once per backward jump of the clock (a sweep that ends before the last one did, or
   * streams sampled before their last sample): the latest time seen before it and the new time.
   */
  onClockBack?: (fromMs: number, toMs: number, streamsRestarted: number) => void;
}

/** a name still in use is handed to a write at least this often, so its `updated_at` says it is alive */
export const NAME_RESEND_MS = 86_400_000;

interface KnownName {
  name: string;
  login: string;
  /** when it was last handed to a write */
  sentAt: number;
  /** when a stream last carried it */
  seenAt: number;
}

export interface IntegratorSizes {
  liveStreams: number;
  knownGames: number;
  knownChannels: number;
  openSweeps: number;
}

/** Twitch refreshes viewer_count about once a minute: a count is on average half a minute old */
export const DEFAULT_REPORT_LAG_MS = 30_000;

/**
 * Hours watched = Σ viewer_count × Δt. Between two samples of a stream, the first half of the
 * interval is credited at the earlier sample's viewers and game, the second half at the later
 * one's (so a game change mid-stream splits at the midpoint). A stream's first and last samples
 * stand for half a sweep period (a stream starts, on average, half a period before it is first
 * seen), and samples further apart than the gap cap are an end and a new start. Credit is split
 * at UTC hour and Lurk day boundaries, so every hour and day gets exactly its share.
 */
export class WatchIntegrator {
  private live = new Map<string, Live>();
  private pending: PendingWrites;
  private sweepPeriodMs: number;
  private lastSweepStart: number | null = null;
  private lastSweepEnd: number | null = null;
  /** per generation: viewers and channels per game, for peak concurrency */
  private sweeps = new Map<number, { at: number; games: Map<string, { viewers: number; channels: number }> }>();
  /** names already handed to a write (unchanged ones are not written every sweep); dropped a gap cap after last seen */
  private knownGames = new Map<string, KnownName>();
  private knownChannels = new Map<string, KnownName>();
  private namesPrunedAt = -Infinity;
  /** bumped by every drain: cached rows from before belong to written data */
  private pendingGen = 0;
  /** streams that a sample older than their last one restarted since the last completed sweep, and the latest such last sample */
  private clockBack = { streams: 0, from: -Infinity };

  constructor(private readonly o: IntegratorOptions) {
    this.sweepPeriodMs = o.defaultSweepPeriodMs;
    this.pending = this.emptyPending();
  }

  get liveStreams(): number {
    return this.live.size;
  }

  /** what the integrator holds, for tests and the memory gauges */
  sizes(): IntegratorSizes {
    return { liveStreams: this.live.size, knownGames: this.knownGames.size, knownChannels: this.knownChannels.size, openSweeps: this.sweeps.size };
  }

  private get reportLagMs(): number {
    return this.o.reportLagMs ?? DEFAULT_REPORT_LAG_MS;
  }

  private get halfIntervalMs(): number {
    return Math.min(this.sweepPeriodMs, this.o.gapCapMs) / 2;
  }

  /** one stream seen at time t during sweep `generation` */
  sample(s: StreamSample, t: number, generation: number): void {
    if (s.viewer_count < this.o.minViewers) return;
    const v = Math.max(0, Math.floor(s.viewer_count));
    this.rememberNames(s, t);
    const known = this.live.get(s.id);
    // a sample older than the stream's last: the clock went back. That is a break: the run up to
    // the last sample ends there (its tail credited once, as at any end; no lag, the stream is
    // still live) and a new run starts now, so nothing is paired across the jump
    const broken = known !== undefined && t < known.t;
    if (broken) this.breakAt(known);
    const prev = broken ? undefined : known;
    const cur: Live = { t, v, userId: s.user_id, gameId: s.game_id, generation, lastRawAt: prev?.lastRawAt ?? -Infinity, counted: known?.counted ?? [], ...(prev?.rows ? { rows: prev.rows } : {}) };
    if (!prev) {
      const started = s.started_at && !broken ? Date.parse(s.started_at) : NaN;
      const lead = Number.isFinite(started) ? Math.min(this.halfIntervalMs, Math.max(0, t - started)) : this.halfIntervalMs;
      this.credit(cur, t - lead, t);
    } else if (t > prev.t) {
      const dt = t - prev.t;
      if (dt <= this.o.gapCapMs) {
        const mid = prev.t + dt / 2;
        this.credit(prev, prev.t, mid);
        if (prev.gameId === cur.gameId) this.credit(cur, mid, t);
        else {
          // the game changed at about `mid`, but the counts that follow still describe the old
          // game's audience for as long as they lag: credit those viewer-hours to the old game
          const switchAt = Math.min(t, mid + this.reportLagMs);
          this.credit({ ...cur, v: 0 }, mid, t);
          this.credit({ ...prev, v: cur.v }, mid, switchAt, false);
          this.credit(cur, switchAt, t, false);
        }
      } else {
        this.creditEnd(prev);
        this.credit(cur, t - this.halfIntervalMs, t);
      }
    }
    if (prev && prev.generation === generation) this.sweepContribution(generation, t, prev.gameId, -prev.v, -1);
    this.sweepContribution(generation, t, cur.gameId, v, 1);
    this.peak(cur, t);
    if (t - cur.lastRawAt >= this.o.sampleEveryMs) {
      cur.lastRawAt = t;
      this.pending.samples.push({ seenAt: t, streamId: s.id, userId: s.user_id, gameId: s.game_id, viewers: v });
    }
    this.live.set(s.id, cur);
  }

  /**
   * A sweep is complete: fold its concurrency into the peaks, learn the sweep period, and end
   * streams not seen for longer than the gap cap.
   */
  completeSweep(generation: number, startedAt: number, finishedAt: number): void {
    const sweep = this.sweeps.get(generation);
    if (sweep) {
      let viewers = 0;
      let channels = 0;
      for (const [gameId, g] of sweep.games) {
        viewers += g.viewers;
        channels += g.channels;
        const day = this.o.calendar.dayOf(sweep.at);
        const hour = hourOf(sweep.at);
        const gd = this.row(this.pending.gameDays, `${day}|${gameId}`, day, 0, '', gameId);
        gd.peakViewers = Math.max(gd.peakViewers, g.viewers);
        gd.peakChannels = Math.max(gd.peakChannels, g.channels);
        const gh = this.row(this.pending.gameHours, `${hour}|${gameId}`, '', hour, '', gameId);
        gh.peakViewers = Math.max(gh.peakViewers, g.viewers);
        gh.peakChannels = Math.max(gh.peakChannels, g.channels);
      }
      const day = this.o.calendar.dayOf(sweep.at);
      const hour = hourOf(sweep.at);
      const td = this.row(this.pending.totalDays, day, day, 0, '', '');
      td.peakViewers = Math.max(td.peakViewers, viewers);
      td.peakChannels = Math.max(td.peakChannels, channels);
      const th = this.row(this.pending.totalHours, hour, '', hour, '', '');
      th.peakViewers = Math.max(th.peakViewers, viewers);
      th.peakChannels = Math.max(th.peakChannels, channels);
    }
    for (const g of this.sweeps.keys()) if (g <= generation) this.sweeps.delete(g);
    // a sweep that ends before the last one did: the clock went back. A break, as after a pause:
    // the time already covered stays covered once, and coverage goes on from the new time
    const back = this.lastSweepEnd !== null && finishedAt < this.lastSweepEnd;
    if (back || this.clockBack.streams > 0) this.o.onClockBack?.(Math.max(this.lastSweepEnd ?? -Infinity, this.clockBack.from), finishedAt, this.clockBack.streams);
    this.clockBack = { streams: 0, from: -Infinity };
    const prevEnd = back ? null : this.lastSweepEnd;
    // the time this sweep stands for: since the last one ended, or one period after a pause
    const coveredFrom = prevEnd !== null && finishedAt - prevEnd <= this.o.gapCapMs ? prevEnd : finishedAt - Math.min(this.sweepPeriodMs, this.o.gapCapMs);
    this.cover(coveredFrom, finishedAt);
    this.lastSweepEnd = finishedAt;
    if (this.lastSweepStart !== null && startedAt > this.lastSweepStart && !back) {
      // smoothed: one slow sweep should not halve or double every start and end credit
      this.sweepPeriodMs = 0.7 * this.sweepPeriodMs + 0.3 * (startedAt - this.lastSweepStart);
    }
    this.lastSweepStart = startedAt;
    this.endStale(finishedAt);
    if (Math.abs(finishedAt - this.namesPrunedAt) >= this.o.gapCapMs) this.pruneNames(finishedAt);
  }

  /**
   * Credit the last half-interval of streams not seen within the gap cap, and forget them. A
   * stream last seen more than the gap cap *after* `now` is from before the clock went back and
   * was not seen since: it ended too (its state would otherwise stay until the clock caught up).
   */
  endStale(now: number): number {
    let ended = 0;
    for (const [id, s] of this.live) {
      if (now - s.t > this.o.gapCapMs || s.t - now > this.o.gapCapMs) {
        this.creditEnd(s);
        this.live.delete(id);
        ended++;
      }
    }
    return ended;
  }

  /** take everything credited so far, with the state that goes with it */
  drain(): PendingWrites {
    const out = this.pending;
    out.state = this.exportState();
    this.pending = this.emptyPending();
    this.pendingGen++;
    return out;
  }

  hasPending(): boolean {
    const p = this.pending;
    return p.channelGameDays.size > 0 || p.totalDays.size > 0 || p.samples.length > 0;
  }

  exportState(): IntegratorState {
    const streams: IntegratorState['streams'] = [];
    for (const [id, s] of this.live) streams.push([id, s.t, s.v, s.userId, s.gameId, s.generation, Number.isFinite(s.lastRawAt) ? s.lastRawAt : 0, s.counted]);
    return { version: 1, sweepPeriodMs: this.sweepPeriodMs, lastSweepStart: this.lastSweepStart, lastSweepEnd: this.lastSweepEnd, streams };
  }

  /** resume after a restart exactly where the last stored writes left off */
  importState(state: IntegratorState): void {
    if (state.version !== 1) return;
    this.sweepPeriodMs = state.sweepPeriodMs;
    this.lastSweepStart = state.lastSweepStart;
    this.lastSweepEnd = state.lastSweepEnd ?? null;
    this.live.clear();
    for (const [id, t, v, userId, gameId, generation, lastRawAt, counted] of state.streams) {
      this.live.set(id, { t, v, userId, gameId, generation, lastRawAt, counted });
    }
  }

  /** half a sweep period live after the last sample, and the audience its lagging count hid (when it ended) */
  private creditEnd(s: Live, ended = true): void {
    const end = s.t + this.halfIntervalMs;
    this.credit(s, s.t, end);
    if (ended && this.reportLagMs > 0) this.credit(s, end, end + this.reportLagMs, false);
  }

  /** a stream sampled before its last sample: its run so far ends at that sample */
  private breakAt(s: Live): void {
    this.creditEnd(s, false);
    this.clockBack.streams++;
    if (s.t > this.clockBack.from) this.clockBack.from = s.t;
  }

  /** forget names no stream has carried within the gap cap (either side of now: the clock may have gone back) */
  private pruneNames(now: number): void {
    this.namesPrunedAt = now;
    for (const known of [this.knownGames, this.knownChannels]) {
      for (const [id, n] of known) if (Math.abs(now - n.seenAt) > this.o.gapCapMs) known.delete(id);
    }
  }

  /** `airtime` false: viewer-hours only (the lag correction is not time the stream was live) */
  private credit(s: Live, from: number, to: number, airtime = true): void {
    const cal = this.o.calendar;
    let a = from;
    while (a < to) {
      const b = Math.min(to, cal.nextBoundary(a));
      const span = (b - a) / HOUR_MS;
      const hours = airtime ? span : 0;
      const day = cal.dayOf(a);
      const hour = hourOf(a);
      const watched = s.v * span;
      const r = this.rowsFor(s, day, hour);
      // a stream counts where it was live, not where only its lag correction falls
      let firstInDayGame = false;
      let firstInDay = false;
      if (airtime && !r.counted) {
        r.counted = true;
        firstInDayGame = !s.counted.includes(`${day}|${s.gameId}`);
        firstInDay = !s.counted.includes(day);
        if (firstInDayGame) s.counted.push(`${day}|${s.gameId}`);
        if (firstInDay) {
          s.counted.push(day);
          // keys of days long past can never be credited again
          if (s.counted.length > 8) s.counted = s.counted.slice(-8);
        }
      }
      add(r.cg, watched, hours, firstInDayGame);
      add(r.c, watched, hours, firstInDay);
      add(r.g, watched, hours, firstInDayGame);
      add(r.td, watched, hours, firstInDay);
      add(r.gh, watched, hours, false);
      add(r.th, watched, hours, false);
      a = b;
    }
  }

  private rowsFor(s: Live, day: string, hour: number): RowCache {
    const r = s.rows;
    if (r && r.pendingGen === this.pendingGen && r.day === day && r.hour === hour && r.gameId === s.gameId && r.userId === s.userId) return r;
    const p = this.pending;
    const fresh: RowCache = {
      pendingGen: this.pendingGen,
      day,
      hour,
      userId: s.userId,
      gameId: s.gameId,
      counted: false,
      cg: this.row(p.channelGameDays, `${day}|${s.userId}|${s.gameId}`, day, 0, s.userId, s.gameId),
      c: this.row(p.channelDays, `${day}|${s.userId}`, day, 0, s.userId, ''),
      g: this.row(p.gameDays, `${day}|${s.gameId}`, day, 0, '', s.gameId),
      td: this.row(p.totalDays, day, day, 0, '', ''),
      gh: this.row(p.gameHours, `${hour}|${s.gameId}`, '', hour, '', s.gameId),
      th: this.row(p.totalHours, hour, '', hour, '', ''),
    };
    s.rows = fresh;
    return fresh;
  }

  private cover(from: number, to: number): void {
    const cal = this.o.calendar;
    for (let a = from; a < to; ) {
      const b = Math.min(to, cal.nextBoundary(a));
      const day = cal.dayOf(a);
      const hour = hourOf(a);
      this.row(this.pending.totalDays, day, day, 0, '', '').hoursCovered += (b - a) / HOUR_MS;
      this.row(this.pending.totalHours, hour, '', hour, '', '').hoursCovered += (b - a) / HOUR_MS;
      a = b;
    }
  }

  private peak(s: Live, t: number): void {
    const r = this.rowsFor(s, this.o.calendar.dayOf(t), hourOf(t));
    if (s.v > r.cg.peakViewers) r.cg.peakViewers = s.v;
    if (s.v > r.c.peakViewers) r.c.peakViewers = s.v;
  }

  private sweepContribution(generation: number, t: number, gameId: string, viewers: number, channels: number): void {
    let sweep = this.sweeps.get(generation);
    if (!sweep) {
      sweep = { at: t, games: new Map() };
      this.sweeps.set(generation, sweep);
    }
    let g = sweep.games.get(gameId);
    if (!g) {
      g = { viewers: 0, channels: 0 };
      sweep.games.set(gameId, g);
    }
    g.viewers += viewers;
    g.channels += channels;
  }

  private rememberNames(s: StreamSample, t: number): void {
    if (remember(this.knownGames, s.game_id, s.game_name, '', t)) this.pending.games.set(s.game_id, s.game_name);
    if (remember(this.knownChannels, s.user_id, s.user_name, s.user_login, t)) this.pending.channels.set(s.user_id, { login: s.user_login, name: s.user_name });
  }

  private row<K>(map: Map<K, Accumulated>, key: K, day: string, hour: number, userId: string, gameId: string): Accumulated {
    let r = map.get(key);
    if (!r) {
      r = new Accumulated(day, hour, userId, gameId);
      map.set(key, r);
    }
    return r;
  }

  private emptyPending(): PendingWrites {
    return {
      channelGameDays: new Map(),
      channelDays: new Map(),
      gameDays: new Map(),
      totalDays: new Map(),
      gameHours: new Map(),
      totalHours: new Map(),
      samples: [],
      games: new Map(),
      channels: new Map(),
      state: { version: 1, sweepPeriodMs: 0, lastSweepStart: null, streams: [] },
    };
  }
}

/**
 * Folds `newer` into `older` (both drained, neither being written): rollups are additive, so a
 * write that waits loses nothing by being one write; peaks take the larger; names and the
 * integrator state take the newer. Raw samples beyond `maxSamples` are dropped: returns how many.
 */
export function mergePending(older: PendingWrites, newer: PendingWrites, maxSamples: number): number {
  mergeRows(older.channelGameDays, newer.channelGameDays);
  mergeRows(older.channelDays, newer.channelDays);
  mergeRows(older.gameDays, newer.gameDays);
  mergeRows(older.totalDays, newer.totalDays);
  mergeRows(older.gameHours, newer.gameHours);
  mergeRows(older.totalHours, newer.totalHours);
  for (const [id, name] of newer.games) older.games.set(id, name);
  for (const [id, c] of newer.channels) older.channels.set(id, c);
  older.state = newer.state;
  const room = Math.max(0, maxSamples - older.samples.length);
  for (let i = 0; i < newer.samples.length && i < room; i++) older.samples.push(newer.samples[i]!);
  return capSamples(older, maxSamples) + Math.max(0, newer.samples.length - room);
}

/** drops raw samples beyond `max` (the newest: the earliest are kept); returns how many */
export function capSamples(p: PendingWrites, max: number): number {
  const over = p.samples.length - max;
  if (over <= 0) return 0;
  p.samples.length = max;
  return over;
}

/** rows a pending write holds, for the memory gauges */
export function pendingRows(p: PendingWrites): number {
  return p.channelGameDays.size + p.channelDays.size + p.gameDays.size + p.totalDays.size + p.gameHours.size + p.totalHours.size;
}

/** true when a name goes to the next write: new, changed, or last sent a day ago (or in the future: the clock went back) */
function remember(known: Map<string, KnownName>, id: string, name: string, login: string, t: number): boolean {
  const k = known.get(id);
  if (k !== undefined && k.name === name && k.login === login && t - k.sentAt <= NAME_RESEND_MS && t >= k.sentAt) {
    k.seenAt = t;
    return false;
  }
  known.set(id, { name, login, sentAt: t, seenAt: t });
  return true;
}

function mergeRows<K>(into: Map<K, Accumulated>, from: Map<K, Accumulated>): void {
  for (const [key, r] of from) {
    const o = into.get(key);
    if (!o) {
      into.set(key, r);
      continue;
    }
    o.hoursWatched += r.hoursWatched;
    o.hoursStreamed += r.hoursStreamed;
    o.streams += r.streams;
    o.hoursCovered += r.hoursCovered;
    if (r.peakViewers > o.peakViewers) o.peakViewers = r.peakViewers;
    if (r.peakChannels > o.peakChannels) o.peakChannels = r.peakChannels;
  }
}

function add(m: Measures, watched: number, hours: number, newStream: boolean): void {
  m.hoursWatched += watched;
  m.hoursStreamed += hours;
  if (newStream) m.streams++;
}

export function hourOf(t: number): number {
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}
