// Mood's logic: which channels are tracked and why, chat from the bus into the classifier and the
// live windows (the hot path: no awaits, no writes per message), a tick once a second on Lurk's
// clock that stores closed minutes and moments, and the answers the routes and the socket serve.
import type { DeepReadonly } from '../core/bus.js';
import type { CancelTimer, Clock } from '../core/clock.js';
import { badRequest, conflict, notFound } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { dropOldest } from '../core/queue.js';
import type { MoodConfig } from '../config/settings.js';
import type { StreamsPageEvent } from '../discover/events.js';
import { type TopChannel, TopLive } from '../streams/top-live.js';
import type { ChatMessage, ChatNotice } from '../twitch/chat/events.js';
import type { ChatWants } from '../twitch/chat/types.js';
import { LOGIN, type LookupUsers, MAX_LOGINS_PER_CALL, type TwitchUser, usersByLogin } from '../twitch/users.js';
import { activityLabel } from './activity.js';
import type { Classifier } from './classifier/types.js';
import type { EngineTick, MinuteAggregate, MoodEngine } from './engine.js';
import { alignRange, bucketMinutes, MAX_POINTS } from './series.js';
import type { ChannelRecord, MinuteRow, MoodStore, RawMessage, TickWrite } from './store.js';
import { SubCounter } from './subs.js';
import type { MoodChannelDetail, MoodChannelSummary, MoodMoment, MoodSeries, SeriesStep, TrackSource } from './types.js';

/** raw messages waiting for a write at most; beyond it they are dropped (and counted) */
const MAX_QUEUED_RAW = 200_000;
/** minute rows waiting for a write at most (a failing database: 1,000 channels for 100 minutes); the oldest go first */
const MAX_QUEUED_MINUTES = 100_000;
/** moment versions waiting for a write at most; the oldest go first */
const MAX_QUEUED_MOMENTS = 10_000;
/** how long a start waits for Helix to name the configured channels (real ms) */
const START_LOOKUP_WAIT_MS = 5000;
/** config channels Helix could not be asked about are asked again this often */
const RESOLVE_RETRY_MS = 60_000;

export interface MoodMeters {
  classified(n: number): void;
  tracked(n: number): void;
  tick(seconds: number): void;
}

export interface MoodServiceOptions {
  config: MoodConfig;
  store: MoodStore;
  engine: MoodEngine;
  classifier: Classifier;
  clock: Clock;
  log: Logger;
  chat: ChatWants;
  lookupUsers: LookupUsers;
  meters?: MoodMeters;
  /** whether Discover's sweep feeds onStreamsPage in this process (default true); without it the top N is never refreshed */
  sweeps?: boolean;
}

export type TickListener = (now: number, moments: readonly MoodMoment[]) => void;

export class MoodService {
  private readonly tracked = new Map<string, ChannelRecord>();
  private readonly subs = new SubCounter();
  private readonly engine: MoodEngine;
  /** channels untracked since the last tick: minutes the engine closed for them come with it */
  private readonly gone = new Map<string, string>();
  private pending: TickWrite = { minutes: [], moments: [], messages: [] };
  private raw: RawMessage[] = [];
  private droppedRaw = 0;
  private droppedMinutes = 0;
  private droppedMoments = 0;
  private writing: Promise<void> | undefined;
  /** writes started so far: a reader that saw none start between two reads saw one consistent state */
  private writesStarted = 0;
  private cancelTick: CancelTimer | undefined;
  private stopped = false;
  private unresolved: string[] = [];
  private resolveAt = 0;
  private resolving = false;
  private readonly topLive: TopLive;
  private readonly tickListeners = new Set<TickListener>();
  private readonly channelListeners = new Set<() => void>();
  private readonly keepRaw: boolean;

  constructor(private readonly o: MoodServiceOptions) {
    this.engine = o.engine;
    this.topLive = new TopLive(o.config.top);
    this.keepRaw = o.config.rawRetentionHours > 0;
  }

  // ------------------------------------------------------------------ lifecycle

  /** tracks what was stored and what the configuration names, then ticks once a second */
  async start(): Promise<void> {
    const now = this.o.clock.now();
    // moments a crash left open: nothing more is known of them than their peak
    const closed = await this.o.store.endOpenMoments();
    if (closed > 0) this.o.log.warn({ moments: closed }, 'mood moments left open by an earlier run ended at their peak');
    const followsTop = this.o.config.top > 0 && this.o.sweeps !== false;
    if (this.o.config.top > 0 && !followsTop)
      this.o.log.warn({ setting: 'LURK_MOOD_TOP' }, 'this process runs no Discover sweep: the top live channels are not followed, and those stored from an earlier ranking are dropped');
    const configured = new Set(this.o.config.channels.map((c) => c.toLowerCase()));
    for (const rec of await this.o.store.channels()) {
      let sources = rec.sources.filter((s) => s !== 'config' || configured.has(rec.login));
      // with LURK_MOOD_TOP off, or no sweep in this process to say what the top is now, a channel
      // tracked only for an old ranking is dropped
      if (!followsTop) sources = sources.filter((s) => s !== 'top');
      if (configured.has(rec.login) && !sources.includes('config')) sources.push('config');
      if (sources.length === 0) {
        await this.o.store.deleteChannel(rec.login);
        continue;
      }
      const kept = { ...rec, sources: sortSources(sources) };
      if (kept.sources.join() !== rec.sources.join()) await this.o.store.saveChannel(kept);
      this.begin(kept, now);
    }
    this.unresolved = [...configured].filter((login) => !this.tracked.has(login));
    // Helix retries a failing Twitch for minutes: the start waits a little, then goes on (the
    // lookup finishes in the background, and failing that is tried again every minute)
    const resolved = this.resolveConfigured();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([resolved, new Promise<void>((resolve) => (timer = setTimeout(resolve, START_LOOKUP_WAIT_MS)))]);
    clearTimeout(timer);
    this.o.meters?.tracked(this.tracked.size);
    this.scheduleTick();
  }

  /** the last tick, the partial minute of every channel and everything queued, written */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTick?.();
    const now = this.o.clock.now();
    this.collect(this.engine.tick(now));
    this.queueMinutes(this.engine.flush(now));
    this.queueMoments(this.engine.endedMoments());
    await this.writing;
    await this.write();
  }

  // ------------------------------------------------------------------ the hot path

  onMessages(items: readonly DeepReadonly<ChatMessage>[]): void {
    let classified = 0;
    for (const m of items) {
      const rec = this.tracked.get(m.channel);
      if (!rec) continue;
      const c = this.o.classifier.classify(m.text, m.emotes);
      this.engine.message(m.channel, { id: m.id, at: m.receivedAt, user: m.user, text: m.text, label: c.label, score: c.score, emotes: c.emotes, bits: m.bits });
      classified++;
      if (this.keepRaw) {
        if (this.raw.length < MAX_QUEUED_RAW) this.raw.push({ channelId: rec.userId, at: m.receivedAt, user: m.user, text: m.text, label: c.label, score: c.score });
        else this.droppedRaw++;
      }
    }
    if (classified > 0) this.o.meters?.classified(classified);
  }

  onNotices(items: readonly DeepReadonly<ChatNotice>[]): void {
    for (const n of items) {
      if (!this.tracked.has(n.channel)) continue;
      const count = this.subs.count(n);
      if (count > 0) this.engine.subs(n.channel, n.receivedAt, count);
    }
  }

  // ------------------------------------------------------------------ ticks and writes

  private scheduleTick(): void {
    if (this.stopped) return;
    const next = Math.floor(this.o.clock.now() / 1000) * 1000 + 1000;
    this.cancelTick = this.o.clock.at(next, () => this.tick());
  }

  private tick(): void {
    const started = performance.now();
    try {
      const now = this.o.clock.now();
      const r = this.engine.tick(now);
      this.collect(r);
      void this.write();
      for (const listener of this.tickListeners) {
        try {
          listener(now, r.moments);
        } catch (err) {
          this.o.log.error({ err }, 'mood push failed');
        }
      }
      if (this.unresolved.length > 0 && now >= this.resolveAt) void this.resolveConfigured();
    } catch (err) {
      this.o.log.error({ err }, 'mood tick failed');
    } finally {
      this.o.meters?.tick((performance.now() - started) / 1000);
      this.scheduleTick();
    }
  }

  private collect(r: EngineTick): void {
    // swapped out first: whatever throws below, the next tick starts from an empty buffer
    const raw = this.raw;
    this.raw = [];
    this.queueMinutes(r.minutes);
    this.queueMoments(r.moments);
    this.gone.clear();
    // one element at a time: spreading 150,000 arguments overflows V8's stack
    for (const m of raw) this.pending.messages.push(m);
    this.capPending();
  }

  private queueMoments(moments: readonly MoodMoment[]): void {
    for (const moment of moments) {
      const channelId = this.channelId(moment.login);
      if (channelId !== undefined) this.pending.moments.push({ channelId, moment });
    }
  }

  /** a database failing for long fills memory no further: the oldest queued rows go, counted and logged */
  private capPending(): void {
    const raw = dropOldest(this.pending.messages, MAX_QUEUED_RAW);
    const minutes = dropOldest(this.pending.minutes, MAX_QUEUED_MINUTES);
    const moments = dropOldest(this.pending.moments, MAX_QUEUED_MOMENTS);
    if (raw + minutes + moments === 0) return;
    this.droppedRaw += raw;
    this.droppedMinutes += minutes;
    this.droppedMoments += moments;
    this.o.log.warn(
      { raw, minutes, moments, droppedRaw: this.droppedRaw, droppedMinutes: this.droppedMinutes, droppedMoments: this.droppedMoments },
      'mood write queue full while the database fails; the oldest queued rows were dropped',
    );
  }

  private queueMinutes(minutes: readonly MinuteAggregate[]): void {
    for (const m of minutes) {
      const userId = this.channelId(m.channel);
      if (userId !== undefined) this.pending.minutes.push(minuteRow(userId, m));
    }
  }

  private channelId(login: string): string | undefined {
    return this.tracked.get(login)?.userId ?? this.gone.get(login);
  }

  /** one write at a time; what arrives meanwhile goes with the next */
  private write(): Promise<void> {
    if (this.writing) return this.writing;
    const batch: TickWrite = { minutes: this.pending.minutes.splice(0), moments: this.pending.moments.splice(0), messages: this.pending.messages.splice(0) };
    if (batch.minutes.length === 0 && batch.moments.length === 0 && batch.messages.length === 0) return Promise.resolve();
    this.writesStarted++;
    this.writing = this.o.store
      .writeTick(batch)
      .catch((err: unknown) => {
        // a throw here would be an unhandled rejection (the tick does not wait for writes): Lurk's exit
        try {
          this.o.log.error({ err, minutes: batch.minutes.length, moments: batch.moments.length, messages: batch.messages.length }, 'mood write failed; retried at the next tick');
          // kept for the next tick, ahead of what came meanwhile; concat, not a spread (see collect)
          this.pending.minutes = batch.minutes.concat(this.pending.minutes);
          this.pending.moments = batch.moments.concat(this.pending.moments);
          this.pending.messages = batch.messages.concat(this.pending.messages);
          this.capPending();
        } catch (inner) {
          this.lost(inner, batch);
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

  /** forgets raw messages past their retention (all of them when raw messages are not kept) */
  async pruneRaw(): Promise<number> {
    return this.o.store.pruneMessages(this.o.clock.now() - this.o.config.rawRetentionHours * 3_600_000);
  }

  get droppedRawMessages(): number {
    return this.droppedRaw;
  }

  /** minute rows and moment versions dropped because the database failed for too long */
  get droppedRows(): { minutes: number; moments: number } {
    return { minutes: this.droppedMinutes, moments: this.droppedMoments };
  }

  private lost(err: unknown, batch: TickWrite): void {
    this.droppedRaw += batch.messages.length;
    this.droppedMinutes += batch.minutes.length;
    this.droppedMoments += batch.moments.length;
    try {
      this.o.log.error({ err, minutes: batch.minutes.length, moments: batch.moments.length, messages: batch.messages.length }, 'mood write failed and its rows could not be queued again; dropped');
    } catch {
      // the logger itself failed: the counters above still say what went
    }
  }

  // ------------------------------------------------------------------ tracking

  private begin(rec: ChannelRecord, now: number): void {
    this.tracked.set(rec.login, rec);
    this.gone.delete(rec.login);
    this.engine.track(rec.login, now);
    this.o.chat.want('mood', [rec.login]);
  }

  private async end(login: string): Promise<void> {
    const rec = this.tracked.get(login);
    if (!rec) return;
    // its current minute is written under its id, and minutes the next tick hands out too
    this.gone.set(login, rec.userId);
    const last = this.engine.untrack(login, this.o.clock.now());
    if (last) this.queueMinutes([last]);
    this.queueMoments(this.engine.endedMoments());
    this.tracked.delete(login);
    this.o.chat.release('mood', [login]);
    await this.o.store.deleteChannel(login);
  }

  private async resolveConfigured(): Promise<void> {
    if (this.resolving || this.unresolved.length === 0) return;
    this.resolving = true;
    try {
      const wanted = this.unresolved;
      const ask = wanted.filter((login) => !this.tracked.has(login));
      const found = await usersByLogin(this.o.lookupUsers, ask);
      const now = this.o.clock.now();
      let changed = false;
      // tracked meanwhile (the API added it during the lookup) or already: it gains 'config'
      for (const login of wanted) {
        if (await this.trackAs(login, found.get(login), 'config', now)) changed = true;
        else this.o.log.warn({ login, setting: 'LURK_MOOD_CHANNELS' }, 'no Twitch user has this login; its mood is not tracked');
      }
      this.unresolved = [];
      if (changed) this.channelsChanged();
    } catch (err) {
      this.resolveAt = this.o.clock.now() + RESOLVE_RETRY_MS;
      this.o.log.warn({ err, logins: this.unresolved }, 'could not ask Twitch about the configured mood channels; trying again in a minute');
    } finally {
      this.resolving = false;
    }
  }

  /**
   * Tracks a channel for `source`, or adds the source to the channel if it is tracked now (which
   * may differ from when the caller last looked: every await lets adds and removes run). False
   * when it is not tracked and no Twitch user is known for it.
   */
  private async trackAs(login: string, user: TwitchUser | undefined, source: TrackSource, now: number): Promise<boolean> {
    const rec = this.tracked.get(login);
    if (rec) {
      if (rec.sources.includes(source)) return true;
      rec.sources = sortSources([...rec.sources, source]);
      await this.o.store.saveChannel(rec);
      return true;
    }
    if (!user) return false;
    const created: ChannelRecord = { login, userId: user.id, displayName: user.display_name, sources: [source], addedAt: now };
    // tracked before the write's await, so that an add meanwhile merges its source into this record
    this.begin(created, now);
    await this.o.store.saveChannel(created);
    return true;
  }

  /**
   * POST /api/mood/channels: lower-cased and checked, then asked of Helix (unknown logins are
   * refused, naming them); channels tracked already gain the source.
   */
  async add(logins: readonly string[], source: TrackSource = 'api'): Promise<void> {
    if (logins.length < 1 || logins.length > MAX_LOGINS_PER_CALL) throw badRequest(`logins: give 1 to ${MAX_LOGINS_PER_CALL} logins (got ${logins.length})`);
    const wanted = [...new Set(logins.map((l) => l.trim().toLowerCase()))];
    const bad = wanted.find((l) => !LOGIN.test(l));
    if (bad !== undefined) throw badRequest(`logins: ${JSON.stringify(bad)} is not a Twitch login (1 to 25 letters, digits or _)`);
    const found = new Map<string, TwitchUser>();
    const asked = new Set<string>();
    // a login tracked when looked at may be untracked by the time it is applied (a remove during
    // an await): it is then asked of Helix in a second round; each login is asked once at most
    let todo = wanted;
    while (todo.length > 0) {
      const ask = todo.filter((l) => !this.tracked.has(l) && !found.has(l) && !asked.has(l));
      for (const l of ask) asked.add(l);
      if (ask.length > 0) for (const u of await this.o.lookupUsers(ask)) found.set(u.login.toLowerCase(), u);
      const unknown = todo.filter((l) => asked.has(l) && !this.tracked.has(l) && !found.has(l));
      if (unknown.length > 0) throw notFound(`logins: no Twitch user ${unknown.join(', ')}`);
      const now = this.o.clock.now();
      const later: string[] = [];
      for (const login of todo) if (!(await this.trackAs(login, found.get(login), source, now))) later.push(login);
      todo = later;
    }
    this.channelsChanged();
  }

  /**
   * DELETE /api/mood/channels/:login: drops the API's interest. A channel named in
   * LURK_MOOD_CHANNELS cannot be removed here; one that is also in the top N stays for it.
   */
  async remove(login: string): Promise<void> {
    const rec = this.tracked.get(login.toLowerCase());
    if (!rec) throw notFound(`login: ${login} is not tracked`);
    if (rec.sources.includes('config')) throw conflict(`login: ${rec.login} comes from LURK_MOOD_CHANNELS; remove it there`);
    if (!rec.sources.includes('api')) throw conflict(`login: ${rec.login} is tracked as one of the top ${this.o.config.top} live channels (LURK_MOOD_TOP)`);
    const rest = rec.sources.filter((s) => s !== 'api');
    if (rest.length > 0) {
      rec.sources = rest;
      await this.o.store.saveChannel(rec);
    } else await this.end(rec.login);
    this.channelsChanged();
  }

  /** a page of Discover's sweep: the first pages of each generation (sorted by viewers) give the top N */
  onStreamsPage(e: DeepReadonly<StreamsPageEvent>): Promise<void> {
    const top = this.topLive.page(e);
    return top ? this.applyTop(top) : Promise.resolve();
  }

  /** a sweep that ended with fewer than N live channels: those it saw are the top */
  onSweepCompleted(generation: number): Promise<void> {
    const top = this.topLive.completed(generation);
    return top ? this.applyTop(top) : Promise.resolve();
  }

  private async applyTop(top: TopChannel[]): Promise<void> {
    const inTop = new Set(top.map((s) => s.login));
    let changed = false;
    for (const rec of [...this.tracked.values()]) {
      if (!rec.sources.includes('top') || inTop.has(rec.login)) continue;
      changed = true;
      const rest = rec.sources.filter((s) => s !== 'top');
      if (rest.length === 0) await this.end(rec.login);
      else {
        rec.sources = rest;
        await this.o.store.saveChannel(rec);
      }
    }
    const now = this.o.clock.now();
    for (const s of top) {
      const rec = this.tracked.get(s.login);
      if (rec?.sources.includes('top')) continue;
      changed = true;
      await this.trackAs(s.login, { id: s.id, login: s.login, display_name: s.name }, 'top', now);
    }
    if (changed) this.channelsChanged();
  }

  private channelsChanged(): void {
    this.o.meters?.tracked(this.tracked.size);
    for (const listener of this.channelListeners) listener();
  }

  // ------------------------------------------------------------------ answers

  isTracked(login: string): boolean {
    return this.tracked.has(login);
  }

  logins(): string[] {
    return [...this.tracked.keys()].sort();
  }

  now(): number {
    return this.o.clock.now();
  }

  /** the chat pool's read state of every channel, for one round of summaries */
  chatStates(): Map<string, MoodChannelSummary['chat']> {
    const states = new Map<string, MoodChannelSummary['chat']>();
    for (const c of this.o.chat.channels()) {
      if (c.role !== 'read' || !c.owners.includes('mood')) continue;
      states.set(c.channel, { state: c.state === 'pending' ? 'joining' : c.state, reason: c.reason ?? null });
    }
    return states;
  }

  private build(login: string, now: number, chat: Map<string, MoodChannelSummary['chat']>): MoodChannelDetail | undefined {
    const rec = this.tracked.get(login);
    const windows = rec && this.engine.windows(login, now);
    if (!rec || !windows) return undefined;
    const w = windows['5m'];
    return {
      login: rec.login,
      user_id: rec.userId,
      display_name: rec.displayName,
      sources: rec.sources,
      added_at: new Date(rec.addedAt).toISOString(),
      chat: chat.get(login) ?? { state: 'parted', reason: null },
      mood: w.mood,
      mean_score: w.mean_score,
      activity: activityLabel(w.messages_per_minute),
      messages_per_minute: w.messages_per_minute,
      sparkline: this.engine.sparkline(login, now),
      at: new Date(now).toISOString(),
      windows,
    };
  }

  /** a channel with every window; the summaries' routes serialize only the summary's fields */
  detail(login: string, now: number): MoodChannelDetail | undefined {
    return this.build(login, now, this.chatStates());
  }

  summaries(now: number): MoodChannelSummary[] {
    return this.details(now).map(({ at: _at, windows: _windows, ...summary }) => summary);
  }

  details(now: number, only?: string): MoodChannelDetail[] {
    const chat = this.chatStates();
    return (only === undefined ? this.logins() : [only]).flatMap((login) => this.build(login, now, chat) ?? []);
  }

  /** stored minutes, those waiting for a write, and the current partial minute */
  async series(login: string, q: { from?: number; to?: number; step: SeriesStep }): Promise<MoodSeries> {
    const rec = this.tracked.get(login);
    if (!rec) throw notFound(`login: ${login} is not tracked`);
    const now = this.o.clock.now();
    const to = q.to ?? (q.from !== undefined ? Math.min(now, q.from + 3_600_000) : now);
    const from = q.from ?? to - 3_600_000;
    if (from >= to) throw badRequest(`from: ${new Date(from).toISOString()} is not before to (${new Date(to).toISOString()})`);
    const range = alignRange(from, to, q.step);
    if (range.points > MAX_POINTS) throw badRequest(`from/to: ${range.points} points at step=${q.step}, more than ${MAX_POINTS}; narrow the range or use a larger step`);
    const rows = await this.storedMinutes(rec, range.from, range.to);
    const current = this.engine.current(login, now);
    if (current && current.minute >= range.from && current.minute < range.to) rows.push(minuteRow(rec.userId, current));
    return { login, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), step: q.step, points: bucketMinutes(rows, q.step) };
  }

  private async storedMinutes(rec: ChannelRecord, from: number, to: number): Promise<MinuteRow[]> {
    const inRange = (m: MinuteRow) => m.channelId === rec.userId && m.minute >= from && m.minute < to;
    for (let attempt = 0; ; attempt++) {
      await this.writing;
      const seq = this.writesStarted;
      const stored = await this.o.store.minutes(rec.userId, from, to);
      // a write that started meanwhile may or may not be in what was read: read again
      if (seq !== this.writesStarted && attempt < 3) continue;
      return [...stored, ...this.pending.minutes.filter(inRange)];
    }
  }

  /** stored moments and those in memory (open and recent), newest first */
  async moments(login: string, q: { from?: number; to?: number; limit: number }): Promise<MoodMoment[]> {
    const rec = this.tracked.get(login);
    if (!rec) throw notFound(`login: ${login} is not tracked`);
    const now = this.o.clock.now();
    const to = q.to ?? now + 1;
    const from = q.from ?? to - 24 * 3_600_000;
    if (from >= to) throw badRequest(`from: ${new Date(from).toISOString()} is not before to (${new Date(to).toISOString()})`);
    const byId = new Map<string, MoodMoment>();
    for (const m of await this.o.store.moments(rec.userId, login, from, to, q.limit)) byId.set(m.id, m);
    for (const { moment } of this.pending.moments) if (moment.login === login) byId.set(moment.id, moment);
    for (const m of this.engine.moments(login)) byId.set(m.id, m);
    return [...byId.values()]
      .filter((m) => {
        const t = Date.parse(m.started_at);
        return t >= from && t < to;
      })
      .sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at) || (a.id < b.id ? -1 : 1))
      .slice(0, q.limit);
  }

  // ------------------------------------------------------------------ pushes

  onTick(listener: TickListener): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  onChannelsChange(listener: () => void): () => void {
    this.channelListeners.add(listener);
    return () => this.channelListeners.delete(listener);
  }
}

const SOURCE_ORDER: readonly TrackSource[] = ['config', 'api', 'top'];

function sortSources(sources: readonly TrackSource[]): TrackSource[] {
  return SOURCE_ORDER.filter((s) => sources.includes(s));
}

function minuteRow(channelId: string, m: MinuteAggregate): MinuteRow {
  const { channel: _login, ...counts } = m;
  return { channelId, ...counts };
}
