// Audience's logic: which channels are watched and why (the configuration, the API, the top N
// live, the targets of watched channels' raids), every signal of a user in them from the bus into
// the presence engine (the hot path: no awaits, no writes per signal), a tick every 5 s on
// Lurk's clock that queues the engine's moves, raids and ended streams (and once a minute its
// activity) and writes them in one transaction, and the answers the routes ask for.
import type { DeepReadonly } from '../core/bus.js';
import type { CancelTimer, Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { dropOldest } from '../core/queue.js';
import type { AudienceConfig } from '../config/settings.js';
import type { StreamsPageEvent } from '../discover/events.js';
import { type TopChannel, TopLive } from '../streams/top-live.js';
import type { ChatMembership, ChatMessage, ChatNotice } from '../twitch/chat/events.js';
import type { ChatWants } from '../twitch/chat/types.js';
import type { EventSubNotification } from '../twitch/eventsub/events.js';
import type { SubscriptionWant } from '../twitch/eventsub/manager.js';
import { LOGIN, type LookupUsers, type TwitchUser, usersByLogin } from '../twitch/users.js';
import type { ChattersPoller } from './chatters.js';
import type { ActivityRow, AudienceEngine, EngineTick } from './engine.js';
import { buildMap, type DayMap } from './map.js';
import { overlapAnswer, rankSimilar } from './overlap.js';
import type { AudienceQueries } from './queries.js';
import { type AudienceStore, type AudienceWrite, type ChannelRecord, DAY, utcDay } from './store.js';
import type { AudienceChannel, AudienceChannelsResponse, EndedResponse, FlowsResponse, MapResponse, MovesResponse, OverlapResponse, RaidsResponse, WatchSource } from './types.js';

const TICK_MS = 5000;
/** activity is drained from the engine this often: what overlap is counted from */
const DRAIN_MS = 60_000;
/** Get Chatters is asked this often per channel that has a token */
const CHATTERS_MS = 60_000;
/** a watched channel's raid target stays watched this long after the raid (or until its stream ends) */
export const RAID_WATCH_MS = 2 * 3_600_000;
/** "active chatters": distinct users who chatted in the last 10 minutes */
const ACTIVE_MS = 600_000;
/** the chat ratio is compared with at least this many channels of the same power-of-ten size */
const MIN_PEERS = 5;
/** flagged under a fifth of the peers' median, with at least 50 viewers */
const FLAG_FACTOR = 5;
const FLAG_MIN_VIEWERS = 50;
/** today's map is recomputed at most this often */
const MAP_CACHE_MS = 600_000;
/** how long a start waits for Helix to name the configured channels (real ms) */
const START_LOOKUP_WAIT_MS = 5000;
const RESOLVE_RETRY_MS = 60_000;
/** queued rows at most while the database fails; beyond it the oldest go (counted and logged) */
const MAX_QUEUED = { moves: 200_000, raids: 10_000, ended: 10_000, activity: 500_000 } as const;

/** EventSub's manager as Audience uses it */
export interface AudienceEventSub {
  declare(owner: string, wants: readonly SubscriptionWant[]): void;
  /** a reconcile soon, so new channels' subscriptions do not wait for the periodic one */
  kick(): void;
}

export interface AudienceMeters {
  watched(n: number): void;
  moves(cause: 'raid' | 'organic', n: number): void;
  tick(seconds: number): void;
  engine(m: { presences: number; bytes: number }): void;
}

export interface AudienceServiceOptions {
  config: AudienceConfig;
  store: AudienceStore;
  engine: AudienceEngine;
  clock: Clock;
  log: Logger;
  chat: ChatWants;
  eventsub: AudienceEventSub;
  lookupUsers: LookupUsers;
  /** Get Chatters, for channels whose moderator token Lurk holds */
  chatters?: ChattersPoller;
  /** whether Discover's sweep feeds onStreamsPage in this process (default true) */
  sweeps?: boolean;
  meters?: AudienceMeters;
  /** the engine's warm-up (AudienceEngineOptions.warmupMs, default 120,000): a raid target skips it */
  warmupMs?: number;
}

interface LiveState {
  live: boolean;
  viewers: number | null;
  /** when it was last seen ending: a sweep listing it soon after is Helix lagging, not a new stream */
  endedAt?: number;
}

/** a watched stream missing from this many complete sweeps in a row has ended (paging drift skips one now and then; Discover's default grace) */
const SWEEP_MISSES_TO_END = 2;
/** a sweep listing a stream this soon after it ended is Helix's lag */
const RELIVE_AFTER_MS = 5 * 60_000;
/** Twitch sends no JOIN/PART in rooms past 1,000 users (twitch-protocol.md §5.5); viewer_count stands in for the room's size */
const MEMBERSHIP_LIMIT = 1000;
/** a raid target whose stream ended stays watched this long, so where its audience went is counted */
const ENDED_FOLLOW_MS = 30 * 60_000 + 60_000;

const OWNER = 'audience';

export class AudienceService implements AudienceQueries {
  private readonly watched = new Map<string, ChannelRecord>();
  private readonly engine: AudienceEngine;
  private readonly state = new Map<string, LiveState>();
  /** rooms JOIN/PART/NAMES came from since they were watched */
  private readonly membership = new Set<string>();
  private pending: AudienceWrite = { moves: [], raids: [], ended: [], activity: [] };
  private readonly dropped = { moves: 0, raids: 0, ended: 0, activity: 0 };
  private writing: Promise<void> | undefined;
  private cancelTick: CancelTimer | undefined;
  private stopped = false;
  private started = false;
  private lastDrain = 0;
  private lastChatters = 0;
  private polling = false;
  private unresolved: string[] = [];
  private resolveAt = 0;
  private resolving = false;
  private readonly topLive: TopLive;
  /** the sweep generation being read, the watched channels its pages showed live, and the last complete generation's */
  private sweepGeneration = -1;
  private sweepSeen = new Set<string>();
  /** complete sweeps in a row a watched live stream was missing from */
  private readonly sweepMisses = new Map<string, number>();
  private lastSweepSeen: Set<string> | undefined;
  private subscriptionsDirty = false;
  private declaredKey = '';
  private todayMap: { at: number; map: DayMap } | undefined;
  private mapComputing: Promise<DayMap> | undefined;
  /** channel changes run one at a time: every await lets another begin */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: AudienceServiceOptions) {
    this.engine = o.engine;
    this.topLive = new TopLive(o.config.top);
  }

  get perUser(): boolean {
    return this.o.config.perUser;
  }

  /** Lurk's time (the simulator's in simulator mode): the routes' default periods end here */
  now(): number {
    return this.o.clock.now();
  }

  // ------------------------------------------------------------------ lifecycle

  /** watches what was stored and what the configuration names, then ticks every 5 s */
  async start(): Promise<void> {
    const now = this.o.clock.now();
    const followsTop = this.o.config.top > 0 && this.o.sweeps !== false;
    if (this.o.config.top > 0 && !followsTop)
      this.o.log.warn({ setting: 'LURK_AUDIENCE_TOP' }, 'this process runs no Discover sweep: the top live channels are not followed, and those stored from an earlier ranking are dropped');
    const configured = new Set(this.o.config.channels.map((c) => c.toLowerCase()));
    for (const rec of await this.o.store.channels()) {
      let sources = rec.sources.filter((s) => s !== 'config' || configured.has(rec.login));
      if (!followsTop) sources = sources.filter((s) => s !== 'top');
      // a raid target's two hours ran out while Lurk was down
      if (rec.raidUntil === null || rec.raidUntil <= now) sources = sources.filter((s) => s !== 'raid');
      if (configured.has(rec.login) && !sources.includes('config')) sources.push('config');
      if (sources.length === 0) {
        await this.o.store.deleteChannel(rec.login);
        continue;
      }
      const kept: ChannelRecord = { ...rec, sources: sortSources(sources), raidUntil: sources.includes('raid') ? rec.raidUntil : null };
      if (kept.sources.join() !== rec.sources.join()) await this.o.store.saveChannel(kept);
      this.begin(kept, now);
    }
    this.unresolved = [...configured].filter((login) => !this.watched.has(login));
    const resolved = this.resolveConfigured();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([resolved, new Promise<void>((resolve) => (timer = setTimeout(resolve, START_LOOKUP_WAIT_MS)))]);
    clearTimeout(timer);
    this.started = true;
    this.declare();
    this.lastDrain = now;
    this.scheduleTick();
  }

  /** the last tick, the activity in memory and everything queued, written */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTick?.();
    const now = this.o.clock.now();
    try {
      this.collect(this.engine.tick(now));
      this.queueActivity(this.engine.drainActivity());
    } catch (err) {
      this.o.log.error({ err }, 'audience final tick failed');
    }
    await this.changes.catch(() => {});
    await this.writing;
    await this.write();
  }

  // ------------------------------------------------------------------ the hot path

  onMessages(items: readonly DeepReadonly<ChatMessage>[]): void {
    const engine = this.engine;
    for (const m of items) if (this.watched.has(m.channel)) engine.signal(m.channel, m.user.toLowerCase(), 'chat', m.receivedAt);
  }

  onNotices(items: readonly DeepReadonly<ChatNotice>[]): void {
    for (const n of items) {
      if (!this.watched.has(n.channel)) continue;
      // anonymous gifts name no one
      if (n.user !== '') this.engine.signal(n.channel, n.user.toLowerCase(), 'notice', n.receivedAt);
      if (n.kind === 'raid') {
        const from = (n.params.login ?? n.user).toLowerCase();
        const viewers = n.viewers ?? Number(n.params.viewerCount ?? 0);
        if (from !== '' && from !== n.channel) this.engine.raid({ from, to: n.channel, at: n.receivedAt, viewers: Number.isFinite(viewers) ? viewers : 0, source: 'chat' });
      }
    }
  }

  onMembership(items: readonly DeepReadonly<ChatMembership>[]): void {
    const engine = this.engine;
    for (const m of items) {
      if (!this.watched.has(m.channel)) continue;
      this.membership.add(m.channel);
      if (m.kind === 'part') for (const u of m.users) engine.part(m.channel, u.toLowerCase(), m.receivedAt);
      else {
        const kind = m.kind === 'join' ? 'join' : 'names';
        for (const u of m.users) engine.signal(m.channel, u.toLowerCase(), kind, m.receivedAt);
      }
    }
  }

  /** channel.raid (either side), stream.offline and stream.online of watched channels */
  onEventSub(n: DeepReadonly<EventSubNotification>): void {
    try {
      // EventSub's times are wall time (Twitch's replay window is); chat's are Lurk's clock. On
      // any other clock than the system's (the simulator's accelerated one) the notification is
      // timed by Lurk's clock now, which the bus hands it on at once
      const at = this.o.clock.kind === 'system' ? n.receivedAt : this.o.clock.now();
      if (n.type === 'channel.raid') {
        const e = n.event;
        const from = e.from_broadcaster_user_login.toLowerCase();
        const to = e.to_broadcaster_user_login.toLowerCase();
        if (from === to) return;
        // watched first, so the engine knows the target when the raid reaches it
        if (this.watched.has(from) && LOGIN.test(to)) this.watchRaidTarget(to, e.to_broadcaster_user_id, at);
        this.engine.raid({ from, to, at, viewers: e.viewers, source: 'eventsub' });
      } else if (n.type === 'stream.offline') this.streamEnded(n.event.broadcaster_user_login.toLowerCase(), at);
      else if (n.type === 'stream.online') {
        const login = n.event.broadcaster_user_login.toLowerCase();
        if (this.watched.has(login)) this.setLive(login, true);
      }
    } catch (err) {
      this.o.log.error({ err, type: n.type }, 'audience could not handle an EventSub notification');
    }
  }

  /**
   * A page of Discover's sweep: viewer counts and live state of watched channels, and the top N.
   * A watched channel live in the previous complete sweep and absent from the next ended (unless
   * EventSub said so already).
   */
  onStreamsPage(e: DeepReadonly<StreamsPageEvent>): Promise<void> {
    if (e.generation > this.sweepGeneration) {
      this.sweepGeneration = e.generation;
      this.sweepSeen = new Set();
    }
    if (e.generation === this.sweepGeneration)
      for (const s of e.streams) {
        const login = s.user_login.toLowerCase();
        if (!this.watched.has(login)) continue;
        const was = this.state.get(login);
        if (was?.endedAt !== undefined && !was.live && e.seenAt - was.endedAt < RELIVE_AFTER_MS) continue;
        this.sweepSeen.add(login);
        this.sweepMisses.delete(login);
        this.state.set(login, { live: true, viewers: s.viewer_count });
        if (s.viewer_count >= MEMBERSHIP_LIMIT) this.engine.membership(login, false);
      }
    const top = this.topLive.page(e);
    return top ? this.background(() => this.applyTop(top)) : Promise.resolve();
  }

  onSweepCompleted(generation: number, at: number): Promise<void> {
    if (generation === this.sweepGeneration) {
      const previous = this.lastSweepSeen;
      this.lastSweepSeen = this.sweepSeen;
      if (previous)
        for (const login of previous) {
          if (this.sweepSeen.has(login) || !this.watched.has(login) || this.state.get(login)?.live === false) continue;
          const misses = (this.sweepMisses.get(login) ?? 0) + 1;
          if (misses < SWEEP_MISSES_TO_END) {
            // still counted as seen: the next complete sweep decides
            this.sweepMisses.set(login, misses);
            this.lastSweepSeen.add(login);
            continue;
          }
          this.sweepMisses.delete(login);
          this.o.log.info({ login }, 'a watched stream is gone from the sweep: ended');
          this.streamEnded(login, at);
        }
    }
    const top = this.topLive.completed(generation);
    return top ? this.background(() => this.applyTop(top)) : Promise.resolve();
  }

  private setLive(login: string, live: boolean, at?: number): void {
    const s = this.state.get(login);
    if (live) this.state.set(login, { live: true, viewers: s?.viewers ?? null });
    else this.state.set(login, { live: false, viewers: null, ...(at !== undefined ? { endedAt: at } : {}) });
  }

  private streamEnded(login: string, at: number): void {
    if (!this.watched.has(login)) return;
    if (this.state.get(login)?.live === false) return;
    this.setLive(login, false, at);
    this.lastSweepSeen?.delete(login);
    this.sweepMisses.delete(login);
    this.engine.streamEnded(login, at);
    const rec = this.watched.get(login);
    // a raid target watched for nothing else stays while its ended stream's audience is followed, then goes
    if (rec?.sources.includes('raid') && rec.sources.length > 1) void this.background(() => this.dropSource(login, 'raid'));
    else if (rec?.sources.includes('raid')) {
      rec.raidUntil = Math.min(rec.raidUntil ?? Number.POSITIVE_INFINITY, at + ENDED_FOLLOW_MS);
      void this.background(() => (this.watched.get(login) === rec ? this.o.store.saveChannel(rec) : Promise.resolve()));
    }
  }

  // ------------------------------------------------------------------ ticks and writes

  private scheduleTick(): void {
    if (this.stopped) return;
    const next = Math.floor(this.o.clock.now() / TICK_MS) * TICK_MS + TICK_MS;
    this.cancelTick = this.o.clock.at(next, () => this.tick());
  }

  private tick(): void {
    const started = performance.now();
    try {
      const now = this.o.clock.now();
      const r = this.engine.tick(now);
      this.collect(r);
      if (this.o.meters && r.moves.length > 0) {
        let raid = 0;
        for (const m of r.moves) if (m.cause === 'raid') raid++;
        if (raid > 0) this.o.meters.moves('raid', raid);
        if (r.moves.length > raid) this.o.meters.moves('organic', r.moves.length - raid);
      }
      if (now - this.lastDrain >= DRAIN_MS) {
        this.lastDrain = now;
        this.queueActivity(this.engine.drainActivity());
        if (this.o.meters) {
          const m = this.engine.memory();
          this.o.meters.engine({ presences: m.presences, bytes: m.bytes });
        }
      }
      for (const rec of this.watched.values()) if (rec.sources.includes('raid') && rec.raidUntil !== null && rec.raidUntil <= now) void this.background(() => this.dropSource(rec.login, 'raid'));
      if (this.subscriptionsDirty) this.declare();
      if (this.unresolved.length > 0 && now >= this.resolveAt) void this.resolveConfigured();
      if (this.o.chatters && now - this.lastChatters >= CHATTERS_MS) {
        this.lastChatters = now;
        void this.pollChatters();
      }
      void this.write();
    } catch (err) {
      this.o.log.error({ err }, 'audience tick failed');
    } finally {
      this.o.meters?.tick((performance.now() - started) / 1000);
      this.scheduleTick();
    }
  }

  private collect(r: EngineTick): void {
    for (const m of r.moves) this.pending.moves.push(m);
    for (const x of r.raids) this.pending.raids.push(x);
    for (const e of r.ended) this.pending.ended.push(e);
    this.capPending();
  }

  private queueActivity(rows: readonly ActivityRow[]): void {
    // one element at a time: spreading 150,000 arguments overflows V8's stack
    for (const a of rows) this.pending.activity.push(a);
    this.capPending();
  }

  /** a database failing for long fills memory no further: the oldest queued rows go, counted and logged */
  private capPending(): void {
    const moves = dropOldest(this.pending.moves, MAX_QUEUED.moves);
    const raids = dropOldest(this.pending.raids, MAX_QUEUED.raids);
    const ended = dropOldest(this.pending.ended, MAX_QUEUED.ended);
    const activity = dropOldest(this.pending.activity, MAX_QUEUED.activity);
    if (moves + raids + ended + activity === 0) return;
    this.dropped.moves += moves;
    this.dropped.raids += raids;
    this.dropped.ended += ended;
    this.dropped.activity += activity;
    this.o.log.warn({ moves, raids, ended, activity, dropped: this.dropped }, 'audience write queue full while the database fails; the oldest queued rows were dropped');
  }

  /** one write at a time; what arrives meanwhile goes with the next */
  private write(): Promise<void> {
    if (this.writing) return this.writing;
    const p = this.pending;
    if (p.moves.length === 0 && p.raids.length === 0 && p.ended.length === 0 && p.activity.length === 0) return Promise.resolve();
    const batch = p;
    this.pending = { moves: [], raids: [], ended: [], activity: [] };
    this.writing = this.o.store
      .write(batch)
      .catch((err: unknown) => {
        // a throw here would be an unhandled rejection (the tick does not wait for writes): Lurk's exit
        try {
          this.o.log.error(
            { err, moves: batch.moves.length, raids: batch.raids.length, ended: batch.ended.length, activity: batch.activity.length },
            'audience write failed; retried at the next tick',
          );
          // kept for the next tick, ahead of what came meanwhile; concat, not a spread
          this.pending = {
            moves: batch.moves.concat(this.pending.moves),
            raids: batch.raids.concat(this.pending.raids),
            ended: batch.ended.concat(this.pending.ended),
            activity: batch.activity.concat(this.pending.activity),
          };
          this.capPending();
        } catch {
          this.dropped.moves += batch.moves.length;
          this.dropped.raids += batch.raids.length;
          this.dropped.ended += batch.ended.length;
          this.dropped.activity += batch.activity.length;
        }
      })
      .finally(() => {
        this.writing = undefined;
      });
    return this.writing;
  }

  /** resolves once what was queued before the call is stored */
  async idle(): Promise<void> {
    await this.writing;
    await this.write();
  }

  /** rows dropped because the database failed for too long */
  get droppedRows(): Readonly<typeof this.dropped> {
    return this.dropped;
  }

  /** forgets per-user moves and activity older than LURK_AUDIENCE_PER_USER_DAYS */
  async prune(): Promise<{ moves: number; activity: number }> {
    return this.o.store.prune(this.o.clock.now() - this.o.config.perUserDays * DAY);
  }

  /**
   * The daily job: the previous UTC day's ranking of each watched channel's most similar
   * channels and its community map, stored. `onlyIfMissing` (at start): skipped when that day's
   * map is stored already.
   */
  async daily(onlyIfMissing = false): Promise<{ day: string; ranked: number; nodes: number } | undefined> {
    const now = this.o.clock.now();
    const day = utcDay(now - DAY);
    if (onlyIfMissing && (await this.o.store.map(day))) return undefined;
    // what the engine holds of that day is written first
    this.queueActivity(this.engine.drainActivity());
    await this.idle();
    const overlap = await this.o.store.dayOverlap(day);
    if (overlap.audience.size === 0) return { day, ranked: 0, nodes: 0 };
    // every channel watched that day (those with activity), not only those watched now
    const ranks = rankSimilar(overlap, overlap.audience.keys());
    await this.o.store.saveSimilar(day, ranks);
    const map = buildMap(day, overlap);
    await this.o.store.saveMap(day, { ...map, computed_at: new Date(now).toISOString() }, now);
    return { day, ranked: ranks.length, nodes: map.nodes.length };
  }

  private async pollChatters(): Promise<void> {
    const poller = this.o.chatters;
    if (!poller || this.polling) return;
    this.polling = true;
    try {
      for (const rec of [...this.watched.values()]) {
        if (this.stopped) return;
        try {
          const logins = await poller.list(rec.userId);
          if (!logins || !this.watched.has(rec.login)) continue;
          const at = this.o.clock.now();
          for (const login of logins) this.engine.signal(rec.login, login, 'chatters', at);
        } catch (err) {
          this.o.log.warn({ err, login: rec.login }, 'audience could not list the chatters');
        }
      }
    } finally {
      this.polling = false;
    }
  }

  // ------------------------------------------------------------------ watching

  /** the EventSub subscriptions of every watched channel: its stream's start and end, raids out and in */
  private declare(): void {
    const ids = [...this.watched.values()].map((r) => r.userId).sort();
    const key = ids.join();
    this.subscriptionsDirty = false;
    if (key === this.declaredKey) return;
    this.declaredKey = key;
    const wants: SubscriptionWant[] = [];
    for (const id of ids)
      wants.push(
        { type: 'stream.online', condition: { broadcaster_user_id: id } },
        { type: 'stream.offline', condition: { broadcaster_user_id: id } },
        { type: 'channel.raid', condition: { from_broadcaster_user_id: id } },
        { type: 'channel.raid', condition: { to_broadcaster_user_id: id } },
      );
    this.o.eventsub.declare(OWNER, wants);
    if (this.started) this.o.eventsub.kick();
  }

  /** `watchedSince`: when the engine is told it was watched from (a raid target: before its warm-up) */
  private begin(rec: ChannelRecord, now: number, watchedSince = now): void {
    this.watched.set(rec.login, rec);
    this.engine.watch(rec.login, watchedSince);
    this.o.chat.want(OWNER, [rec.login]);
    this.subscriptionsDirty = true;
    this.o.meters?.watched(this.watched.size);
  }

  private async end(login: string): Promise<void> {
    if (!this.watched.has(login)) return;
    this.watched.delete(login);
    this.engine.unwatch(login, this.o.clock.now());
    this.o.chat.release(OWNER, [login]);
    this.state.delete(login);
    this.membership.delete(login);
    this.subscriptionsDirty = true;
    this.o.meters?.watched(this.watched.size);
    await this.o.store.deleteChannel(login);
  }

  /** runs channel changes one after another (each awaits the store); the answer is the change's own */
  private queueChange<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.changes.then(fn, fn);
    this.changes = run.catch((err: unknown) => this.o.log.error({ err }, 'audience channel change failed'));
    return run;
  }

  /** a change nobody waits for: its failure is logged (by queueChange), never an unhandled rejection */
  private background(fn: () => Promise<unknown>): Promise<void> {
    return this.queueChange(fn).then(
      () => {},
      () => {},
    );
  }

  private async dropSource(login: string, source: WatchSource): Promise<void> {
    const rec = this.watched.get(login);
    if (!rec?.sources.includes(source)) return;
    const rest = rec.sources.filter((s) => s !== source);
    if (rest.length === 0) await this.end(login);
    else {
      rec.sources = rest;
      if (source === 'raid') rec.raidUntil = null;
      await this.o.store.saveChannel(rec);
    }
  }

  /** a watched channel raided `login`: watched at once (the engine must know it before the raiders arrive), stored after */
  private watchRaidTarget(login: string, userId: string, at: number): void {
    const until = at + RAID_WATCH_MS;
    const rec = this.watched.get(login);
    if (rec) {
      rec.raidUntil = Math.max(rec.raidUntil ?? 0, until);
      if (!rec.sources.includes('raid')) rec.sources = sortSources([...rec.sources, 'raid']);
    } else {
      // The raiders arrive within seconds, inside the warm-up that makes a new channel's first
      // presences baseline (never the arriving half of a move): the engine is told the target was
      // watched a warm-up ago, so they count. Its earlier audience becomes a move only when matched
      // to a departure from a watched channel within the window, which the raiders are.
      const now = this.o.clock.now();
      this.begin({ login, userId, sources: ['raid'], addedAt: now, raidUntil: until }, now, Math.min(now, at) - (this.o.warmupMs ?? 120_000));
    }
    // live: it is being raided
    this.setLive(login, true);
    const saved = this.watched.get(login)!;
    void this.background(() => (this.watched.get(login) === saved ? this.o.store.saveChannel(saved) : Promise.resolve()));
  }

  /** watches a channel for `source`, or adds the source; false when it is not watched and no Twitch user is known for it */
  private async watchAs(login: string, user: TwitchUser | undefined, source: WatchSource, now: number): Promise<boolean> {
    const rec = this.watched.get(login);
    if (rec) {
      if (rec.sources.includes(source)) return true;
      rec.sources = sortSources([...rec.sources, source]);
      await this.o.store.saveChannel(rec);
      return true;
    }
    if (!user) return false;
    const created: ChannelRecord = { login, userId: user.id, sources: [source], addedAt: now, raidUntil: null };
    this.begin(created, now);
    await this.o.store.saveChannel(created);
    return true;
  }

  private async resolveConfigured(): Promise<void> {
    if (this.resolving || this.unresolved.length === 0) return;
    this.resolving = true;
    try {
      const wanted = this.unresolved;
      const found = await this.lookup(wanted.filter((login) => !this.watched.has(login)));
      await this.queueChange(async () => {
        const now = this.o.clock.now();
        for (const login of wanted)
          if (!(await this.watchAs(login, found.get(login), 'config', now)))
            this.o.log.warn({ login, setting: 'LURK_AUDIENCE_CHANNELS' }, 'no Twitch user has this login; its audience is not watched');
      });
      this.unresolved = [];
    } catch (err) {
      this.resolveAt = this.o.clock.now() + RESOLVE_RETRY_MS;
      this.o.log.warn({ err, logins: this.unresolved }, 'could not ask Twitch about the configured audience channels; trying again in a minute');
    } finally {
      this.resolving = false;
    }
  }

  private lookup(logins: readonly string[]): Promise<Map<string, TwitchUser>> {
    return usersByLogin(this.o.lookupUsers, logins);
  }

  private async applyTop(top: TopChannel[]): Promise<void> {
    const inTop = new Set(top.map((s) => s.login));
    for (const rec of [...this.watched.values()]) if (rec.sources.includes('top') && !inTop.has(rec.login)) await this.dropSource(rec.login, 'top');
    const now = this.o.clock.now();
    for (const s of top) {
      if (this.watched.get(s.login)?.sources.includes('top')) continue;
      await this.watchAs(s.login, { id: s.id, login: s.login, display_name: s.name }, 'top', now);
      // the sweep that ranked it saw it live
      if (!this.state.get(s.login)?.live) this.state.set(s.login, { live: true, viewers: s.viewers });
    }
  }

  // ------------------------------------------------------------------ AudienceQueries

  async watch(logins: string[]): Promise<{ added: AudienceChannel[]; unknown: string[] }> {
    const wanted = [...new Set(logins.map((l) => l.trim().toLowerCase()))];
    const unknown: string[] = [];
    const found = await this.lookup(wanted.filter((l) => !this.watched.has(l)));
    await this.queueChange(async () => {
      const now = this.o.clock.now();
      for (const login of wanted) if (!(await this.watchAs(login, found.get(login), 'api', now))) unknown.push(login);
    });
    // a channel the API did not add before: its subscriptions now, not at the next tick
    this.declare();
    const rows = this.rows(this.o.clock.now());
    const known = new Set(wanted.filter((l) => !unknown.includes(l)));
    return { added: rows.filter((r) => known.has(r.login)), unknown };
  }

  async unwatch(login: string): Promise<boolean> {
    const l = login.toLowerCase();
    if (!this.watched.get(l)?.sources.includes('api')) return false;
    await this.queueChange(() => this.dropSource(l, 'api'));
    this.declare();
    return true;
  }

  async channels(): Promise<AudienceChannelsResponse> {
    const c = this.o.config;
    return {
      channels: this.rows(this.o.clock.now()),
      settings: { linger_seconds: c.lingerSeconds, move_window_seconds: c.moveWindowSeconds, per_user_moves: c.perUser, per_user_days: c.perUserDays },
    };
  }

  /** every watched channel with its figures now, by login */
  private rows(now: number): AudienceChannel[] {
    const chat = new Map<string, AudienceChannel['chat']>();
    for (const c of this.o.chat.channels()) {
      if (c.role !== 'read' || !c.owners.includes(OWNER)) continue;
      chat.set(c.channel, { state: c.state === 'pending' ? 'joining' : c.state, reason: c.reason ?? null });
    }
    const rows = [...this.watched.values()]
      .sort((a, b) => (a.login < b.login ? -1 : 1))
      .map((rec): AudienceChannel => {
        const s = this.state.get(rec.login);
        const viewers = s?.live ? s.viewers : null;
        const active = this.engine.activeChatters(rec.login, now, ACTIVE_MS);
        return {
          login: rec.login,
          sources: rec.sources,
          added_at: new Date(rec.addedAt).toISOString(),
          live: s?.live ?? false,
          viewer_count: viewers,
          present: this.engine.present(rec.login),
          active_chatters: active,
          chat_ratio: viewers !== null && viewers > 0 ? active / viewers : null,
          peer_ratio: null,
          flagged: false,
          membership: this.membership.has(rec.login) && !(viewers !== null && viewers >= 1000),
          chat: chat.get(rec.login) ?? { state: 'parted', reason: null },
        };
      });
    applyPeers(rows);
    return rows;
  }

  async flows(q: { channel: string; direction: 'out' | 'in'; from: number; to: number }): Promise<FlowsResponse> {
    await this.idle();
    const flows = await this.o.store.flows(q.channel, q.direction, q.from, q.to);
    return { channel: q.channel, direction: q.direction, from: iso(q.from), to: iso(q.to), total: flows.reduce((n, f) => n + f.moves, 0), flows };
  }

  async moves(q: { fromChannel?: string; toChannel?: string; from: number; to: number; limit: number }): Promise<MovesResponse> {
    await this.idle();
    const { total, pairs } = await this.o.store.movePairs(q);
    const answer: MovesResponse = { from: iso(q.from), to: iso(q.to), total, pairs };
    if (this.o.config.perUser) answer.moves = await this.o.store.moves(q);
    return answer;
  }

  async raids(q: { channel?: string; from: number; to: number; limit: number }): Promise<RaidsResponse> {
    await this.idle();
    return { from: iso(q.from), to: iso(q.to), raids: await this.o.store.raids(q) };
  }

  async ended(q: { channel?: string; limit: number }): Promise<EndedResponse> {
    await this.idle();
    return { ended: await this.o.store.ended(q) };
  }

  async overlap(q: { channel: string; days: 1 | 3 | 7 }): Promise<OverlapResponse> {
    // the activity the engine holds is counted too (it is drained once a minute otherwise)
    this.queueActivity(this.engine.drainActivity());
    await this.idle();
    return overlapAnswer(this.o.store, q.channel, q.days, this.o.clock.now());
  }

  async map(q: { day?: string }): Promise<MapResponse | undefined> {
    const now = this.o.clock.now();
    const today = utcDay(now);
    const stored = await this.o.store.mapDays();
    const live = q.day === undefined || q.day === today ? await this.mapOfToday(now) : undefined;
    const days = live && live.nodes.length > 0 ? [today, ...stored.filter((d) => d !== today)] : stored;
    if (q.day === undefined || q.day === today) {
      if (live && live.nodes.length > 0) return { ...live, days, computed_at: iso(this.todayMap?.at ?? now) };
      if (q.day === today) return undefined;
      const newest = stored[0];
      if (newest === undefined) return undefined;
      const map = await this.o.store.map(newest);
      return map ? { ...map, days } : undefined;
    }
    const map = await this.o.store.map(q.day);
    return map ? { ...map, days } : undefined;
  }

  /** today's map, recomputed at most every 10 minutes (one computation at a time) */
  private async mapOfToday(now: number): Promise<DayMap> {
    if (this.todayMap && now - this.todayMap.at < MAP_CACHE_MS && utcDay(this.todayMap.at) === utcDay(now)) return this.todayMap.map;
    this.mapComputing ??= (async () => {
      try {
        this.queueActivity(this.engine.drainActivity());
        await this.idle();
        const day = utcDay(now);
        const map = buildMap(day, await this.o.store.dayOverlap(day));
        // an empty day is not kept: the first activity shows at the next request, not 10 minutes on
        this.todayMap = map.nodes.length > 0 ? { at: now, map } : undefined;
        return map;
      } finally {
        this.mapComputing = undefined;
      }
    })();
    return this.mapComputing;
  }

  // ------------------------------------------------------------------ for tests and the module

  isWatched(login: string): boolean {
    return this.watched.has(login);
  }

  logins(): string[] {
    return [...this.watched.keys()].sort();
  }

  record(login: string): Readonly<ChannelRecord> | undefined {
    return this.watched.get(login);
  }

  /** resolves once the channel changes queued so far are done */
  async settled(): Promise<void> {
    await this.changes;
  }
}

/** the median chat ratio of the other channels in the same power-of-ten viewer bucket; flags far below it */
function applyPeers(rows: AudienceChannel[]): void {
  const buckets = new Map<number, AudienceChannel[]>();
  for (const r of rows) {
    if (r.chat_ratio === null || r.viewer_count === null) continue;
    const b = Math.floor(Math.log10(r.viewer_count));
    let list = buckets.get(b);
    if (!list) buckets.set(b, (list = []));
    list.push(r);
  }
  for (const list of buckets.values()) {
    if (list.length - 1 < MIN_PEERS) continue;
    // sorted once: each channel's peers are the bucket without it (a top 10,000 is one sort, not 10,000)
    list.sort((x, y) => x.chat_ratio! - y.chat_ratio!);
    const sorted = list.map((r) => r.chat_ratio!);
    list.forEach((r, i) => {
      r.peer_ratio = medianWithout(sorted, i);
      r.flagged = r.viewer_count! >= FLAG_MIN_VIEWERS && r.chat_ratio! < r.peer_ratio / FLAG_FACTOR;
    });
  }
}

/** the median of a sorted array without its element at `skip` */
export function medianWithout(sorted: readonly number[], skip: number): number {
  const n = sorted.length - 1;
  const at = (k: number) => sorted[k < skip ? k : k + 1]!;
  return n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

const SOURCE_ORDER: readonly WatchSource[] = ['config', 'api', 'top', 'raid'];

function sortSources(sources: readonly WatchSource[]): WatchSource[] {
  return SOURCE_ORDER.filter((s) => sources.includes(s));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
