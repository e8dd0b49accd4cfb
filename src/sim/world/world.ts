// The simulated Twitch world: channels, streams, individual viewers, chat and events, all
// advanced in fixed one-second steps from a seed, and the ground truth of everything that
// happened. Protocols (src/sim/protocols) only render this state.
import { LANGUAGES, buildGames, displayNameFor, indexFromLogin, loginFor, tagsFor, titleFor, type Game } from './catalog.js';
import { composeMessage, type Sentiment } from './chat.js';
import { AliasTable, Random, hash32 } from './random.js';
import { DenseSet, Ring, TimeHeap, WeightedSet } from './structures.js';
import { WatchTruth } from './truth.js';
import type { ChatMessage, Move, WorldEvent, WorldEventType, WorldOptions, WorldStats } from './types.js';

export type { ChatMessage, Move, WorldEvent, WorldEventType, WorldOptions, WorldStats };

const STEP_MS = 1000;
/** Twitch refreshes a stream's viewer_count about once a minute. */
export const VIEWER_COUNT_REFRESH_MS = 60_000;
const MEAN_SESSION_MS = 40 * 60_000;
const MOVE_SHARE = 0.35;
const MEAN_MOVE_GAP_MS = 20_000;
/** how long a viewer who stopped watching stays away before they may arrive anew (longer than Lurk's default move window) */
const REST_MS = 15 * 60_000;
const RAID_CHANCE = 0.3;
const MEAN_STREAM_MS = 4 * 3600_000;
const USER_ID_BASE = 1000;
/** a triggered chat spike (POST /_sim/trigger chat.spike): how long, and how far above the channel's usual rate */
export const CHAT_SPIKE_MS = 75_000;
const CHAT_SPIKE_FACTOR = 8;
/** messages per second at least, so a channel of a few viewers spikes too */
const CHAT_SPIKE_FLOOR = 4;

enum Mood {
  Normal = 0,
  Hype = 1,
  Boring = 2,
  Loss = 3,
}

type Listener<T> = (value: T) => void;

export class World {
  readonly seed: number;
  readonly options: Required<WorldOptions>;
  readonly games: Game[];
  readonly channelCount: number;
  readonly viewerCount: number;
  private time: number;
  private readonly startedAt: number;

  // independent random streams
  private readonly rngStreams: Random;
  private readonly rngViewers: Random;
  private readonly rngChat: Random;
  private readonly rngEvents: Random;

  // channels (broadcasters are users 0..channelCount-1)
  private readonly appeal: Float64Array;
  private readonly live: Uint8Array;
  private readonly streamId: Float64Array;
  private readonly streamStartedAt: Float64Array;
  private readonly gameOf: Int32Array;
  private readonly languageOf: Uint8Array;
  private readonly titles: string[];
  private readonly tags: string[][];
  private readonly liveChannels: DenseSet;
  private readonly liveWeights: WeightedSet;
  private readonly streamEnds = new TimeHeap();
  private readonly streamStarts = new TimeHeap();
  private readonly members: (number[] | undefined)[];
  private readonly reported: Int32Array;
  private readonly lastChangeAt: Float64Array;
  private readonly mood: Float32Array;
  private readonly moodKind: Uint8Array;
  private readonly moodUntil: Float64Array;
  private readonly spikeUntil: Float64Array;
  private readonly followerBase: Int32Array;
  private readonly followers: Map<number, { user: number; at: number }[]> = new Map();
  private nextStreamId = 40_000_000_000;

  // viewers (users channelCount..channelCount+viewerCount-1)
  private readonly watching: Int32Array;
  private readonly memberPos: Int32Array;
  private readonly watchers: DenseSet;
  private readonly pendingJoins = new TimeHeap();
  private readonly pendingJoin: Map<number, { from: number; to: number; leftAt: number; cause: 'organic' | 'raid' }> = new Map();
  private readonly hasChatted: Uint8Array;
  /** a viewer who stopped watching is not drawn as a new arrival before this (ms): they went away */
  private readonly restUntil: Float64Array;

  private readonly languageTable: AliasTable;
  private readonly gameTable: AliasTable;
  private eventCounter = 0;
  private messageCounter = 0;
  private stepCount = 0;

  readonly truth: WatchTruth;
  private readonly moves: Ring<Move>;
  private readonly messages: Ring<ChatMessage>;
  private readonly events: Ring<WorldEvent>;
  private readonly chatListeners: Listener<ChatMessage>[] = [];
  private readonly eventListeners: Listener<WorldEvent>[] = [];
  private readonly membershipListeners: Listener<{ channel: number; user: number; kind: 'join' | 'part'; at: number }>[] = [];
  private readonly stepListeners: Listener<number>[] = [];
  private messagesLastStep = 0;

  constructor(options: WorldOptions) {
    this.options = {
      viewersPerLive: 26,
      retentionMs: 6 * 3600_000,
      truthIntervalMs: 60_000,
      maxMessages: 300_000,
      maxMoves: 1_000_000,
      maxEvents: 200_000,
      ...options,
    };
    const { seed, channels, live } = this.options;
    if (!(channels >= 1 && live >= 0 && live <= channels)) throw new RangeError('need 1 ≤ channels and 0 ≤ live ≤ channels');
    this.seed = seed;
    this.time = Math.floor(this.options.startMs / STEP_MS) * STEP_MS;
    this.startedAt = this.time;
    this.channelCount = channels;
    this.viewerCount = Math.max(100, Math.ceil(live * this.options.viewersPerLive * 2));
    this.games = buildGames();
    this.rngStreams = new Random(seed, 1);
    this.rngViewers = new Random(seed, 2);
    this.rngChat = new Random(seed, 3);
    this.rngEvents = new Random(seed, 4);
    this.languageTable = new AliasTable(LANGUAGES.map(([, w]) => w));
    this.gameTable = new AliasTable(this.games.map((_, i) => 1 / (i + 1) ** 1.1));

    const n = channels;
    this.appeal = new Float64Array(n);
    this.live = new Uint8Array(n);
    this.streamId = new Float64Array(n);
    this.streamStartedAt = new Float64Array(n);
    this.gameOf = new Int32Array(n);
    this.languageOf = new Uint8Array(n);
    this.titles = new Array(n);
    this.tags = new Array(n);
    this.liveChannels = new DenseSet(n, live + 16);
    this.liveWeights = new WeightedSet(n);
    this.members = new Array(n);
    this.reported = new Int32Array(n);
    this.lastChangeAt = new Float64Array(n);
    this.mood = new Float32Array(n);
    this.moodKind = new Uint8Array(n);
    this.moodUntil = new Float64Array(n);
    this.spikeUntil = new Float64Array(n);
    this.followerBase = new Int32Array(n);
    for (let c = 0; c < n; c++) {
      // lognormal popularity: most channels draw a viewer or two, a few draw thousands
      this.appeal[c] = Math.exp(2.7 * this.rngStreams.normal());
      this.languageOf[c] = this.languageTable.draw(this.rngStreams);
      this.followerBase[c] = Math.floor(this.appeal[c]! * 40 + this.rngStreams.int(30));
    }
    const users = channels + this.viewerCount;
    this.watching = new Int32Array(users).fill(-1);
    this.memberPos = new Int32Array(users).fill(-1);
    this.hasChatted = new Uint8Array(users);
    this.restUntil = new Float64Array(users);
    this.watchers = new DenseSet(users, Math.ceil(this.viewerCount / 2));
    this.truth = new WatchTruth(n, this.games.length, this.time, this.options.truthIntervalMs, this.options.retentionMs);
    this.moves = new Ring(this.options.maxMoves);
    this.messages = new Ring(this.options.maxMessages);
    this.events = new Ring(this.options.maxEvents);

    this.populate();
  }

  // ---------------------------------------------------------------- identity

  userId(user: number): string {
    return String(USER_ID_BASE + user);
  }
  userIndex(id: string): number | undefined {
    if (!/^\d{1,12}$/.test(id)) return undefined;
    const idx = Number(id) - USER_ID_BASE;
    return idx >= 0 && idx < this.channelCount + this.viewerCount ? idx : undefined;
  }
  login(user: number): string {
    return loginFor(user);
  }
  displayName(user: number): string {
    return displayNameFor(user);
  }
  userByLogin(login: string): number | undefined {
    return indexFromLogin(login.toLowerCase(), (i) => i >= 0 && i < this.channelCount + this.viewerCount);
  }
  get userCount(): number {
    return this.channelCount + this.viewerCount;
  }
  isBroadcaster(user: number): boolean {
    return user >= 0 && user < this.channelCount;
  }
  broadcasterType(channel: number): 'partner' | 'affiliate' | '' {
    if (!this.isBroadcaster(channel)) return '';
    const a = this.appeal[channel]!;
    return a > 60 ? 'partner' : a > 0.5 ? 'affiliate' : '';
  }
  /** account creation time, derived from the index */
  createdAt(user: number): number {
    return Date.UTC(2011, 0, 1) + (hash32(user, 0xc4ea7e) % (14 * 365)) * 86_400_000 + (hash32(user, 9) % 86_400) * 1000;
  }
  gameIndexById(id: string): number | undefined {
    this.gameIdIndex ??= new Map(this.games.map((g, i) => [g.id, i]));
    return this.gameIdIndex.get(id);
  }
  private gameIdIndex?: Map<string, number>;

  // ---------------------------------------------------------------- state

  now(): number {
    return this.time;
  }
  isLive(channel: number): boolean {
    return this.live[channel] === 1;
  }
  /** channels live right now (a copy) */
  liveChannelList(): Int32Array {
    return this.liveChannels.values();
  }
  get liveCount(): number {
    return this.liveChannels.size;
  }
  /** users watching `channel` right now */
  viewersNow(channel: number): number {
    return this.members[channel]?.length ?? 0;
  }
  /** what Twitch reports as viewer_count: the count at the channel's last refresh */
  reportedViewers(channel: number): number {
    if (!this.live[channel]) return 0;
    const boundary = this.lastRefresh(channel, this.time);
    return boundary > this.lastChangeAt[channel]! ? this.viewersNow(channel) : this.reported[channel]!;
  }
  /** the members of a channel's audience (a copy) */
  audience(channel: number): number[] {
    return [...(this.members[channel] ?? [])];
  }
  /** the channel a user is watching, or -1 */
  watchingOf(user: number): number {
    return this.watching[user]!;
  }
  stream(channel: number): { id: string; startedAt: number; game: Game; title: string; language: string; tags: string[] } | undefined {
    if (!this.live[channel]) return undefined;
    return {
      id: String(this.streamId[channel]),
      startedAt: this.streamStartedAt[channel]!,
      game: this.games[this.gameOf[channel]!]!,
      title: this.titles[channel] ?? '',
      language: LANGUAGES[this.languageOf[channel]!]![0],
      tags: this.tags[channel] ?? [],
    };
  }
  /** the channel's settings as last broadcast (also while offline) */
  channelInfo(channel: number): { game: Game; title: string; language: string; tags: string[] } {
    return {
      game: this.games[this.gameOf[channel]!]!,
      title: this.titles[channel] ?? '',
      language: LANGUAGES[this.languageOf[channel]!]![0],
      tags: this.tags[channel] ?? [],
    };
  }

  /** subscribers: a stable base derived from popularity plus every sub the world generated */
  subscriberCount(channel: number): number {
    return Math.floor(this.followerBase[channel]! / 25) + (this.subs.get(channel)?.length ?? 0);
  }
  /** subscribers newest first */
  subscriberAt(channel: number, index: number): { user: number; tier: '1000' | '2000' | '3000'; gifter?: number } | undefined {
    const recent = this.subs.get(channel) ?? [];
    if (index < recent.length) return recent[recent.length - 1 - index];
    const k = index - recent.length;
    if (k >= Math.floor(this.followerBase[channel]! / 25)) return undefined;
    const h = hash32(channel, k, 0x5ab5);
    return { user: this.channelCount + (h % this.viewerCount), tier: h % 20 === 0 ? '3000' : h % 10 === 1 ? '2000' : '1000' };
  }
  private readonly subs: Map<number, { user: number; tier: '1000' | '2000' | '3000'; gifter?: number }[]> = new Map();

  /** followers: a stable base derived from popularity plus every follow the world generated */
  followerCount(channel: number): number {
    return this.followerBase[channel]! + (this.followers.get(channel)?.length ?? 0);
  }
  /** followers newest first: generated follows, then the derived older base */
  followerAt(channel: number, index: number): { user: number; at: number } | undefined {
    const recent = this.followers.get(channel) ?? [];
    if (index < recent.length) return recent[recent.length - 1 - index];
    const k = index - recent.length;
    if (k >= this.followerBase[channel]!) return undefined;
    const user = this.channelCount + (hash32(channel, k, 0xf011) % this.viewerCount);
    const at = this.startedAt - (k + 1) * 3_600_000 - (hash32(channel, k) % 3_600_000);
    return { user, at };
  }

  stats(): WorldStats {
    let chatters = 0;
    let viewers = 0;
    for (const c of this.liveChannels.values()) viewers += this.viewersNow(c);
    chatters = Math.round(viewers * 0.2);
    return {
      seed: this.seed,
      time: this.time,
      channels: this.channelCount,
      liveChannels: this.liveChannels.size,
      viewers,
      chatters,
      viewerPool: this.viewerCount,
      messagesPerSecond: this.messagesLastStep / (STEP_MS / 1000),
      games: this.games.length,
      steps: this.stepCount,
    };
  }

  // ---------------------------------------------------------------- listeners

  onChat(fn: Listener<ChatMessage>): () => void {
    return add(this.chatListeners, fn);
  }
  onEvent(fn: Listener<WorldEvent>): () => void {
    return add(this.eventListeners, fn);
  }
  onMembership(fn: Listener<{ channel: number; user: number; kind: 'join' | 'part'; at: number }>): () => void {
    return add(this.membershipListeners, fn);
  }
  /** called after each one-second step with the new time */
  onStep(fn: Listener<number>): () => void {
    return add(this.stepListeners, fn);
  }

  // ---------------------------------------------------------------- time

  /** Runs one-second steps until the world's time reaches `t`. */
  advanceTo(t: number): void {
    while (this.time + STEP_MS <= t) this.step();
  }

  private step(): void {
    this.time += STEP_MS;
    this.stepCount++;
    const t = this.time;
    this.messagesLastStep = 0;
    this.stepStreams(t);
    this.stepViewers(t);
    this.stepChannels(t);
    this.truth.maybeClose(t, () => {
      for (const c of this.liveChannels.values()) this.truth.accrue(c, this.viewersNow(c), t);
    });
    for (const fn of this.stepListeners) fn(t);
  }

  // ---------------------------------------------------------------- streams

  private populate(): void {
    const { live } = this.options;
    const r = this.rngStreams;
    // a random set of channels is live, each started some time ago
    const chosen = new Set<number>();
    while (chosen.size < live) chosen.add(r.int(this.channelCount));
    for (const c of [...chosen].sort((a, b) => a - b)) {
      // seen at a random moment of its broadcast: part of it is behind, the rest ahead
      const duration = this.streamDuration();
      const elapsed = Math.floor((r.float() * duration) / 1000) * 1000;
      this.goLive(c, this.time - elapsed, false, this.time - elapsed + duration);
    }
    // viewers already watching, in proportion to each live channel's pull
    const target = this.targetViewers(this.time);
    const total = this.liveWeights.sum || 1;
    let next = this.channelCount;
    const end = this.channelCount + this.viewerCount;
    for (const c of this.liveChannels.values()) {
      const n = this.rngViewers.poisson((target * this.liveWeights.get(c)) / total);
      for (let i = 0; i < n && next < end; i++) this.join(next++, c, this.time, true);
      // the audience was already there: Twitch's count has caught up with it
      this.lastChangeAt[c] = this.time - 2 * VIEWER_COUNT_REFRESH_MS;
    }
  }

  private streamDuration(): number {
    return Math.max(15 * 60_000, this.rngStreams.lognormal(Math.log(MEAN_STREAM_MS) - 0.18, 0.6));
  }

  private goLive(channel: number, startedAt: number, announce: boolean, endsAt = startedAt + this.streamDuration()): void {
    const r = this.rngStreams;
    this.live[channel] = 1;
    this.streamId[channel] = this.nextStreamId++ * 10 + (channel % 10);
    this.streamStartedAt[channel] = startedAt;
    this.gameOf[channel] = this.gameTable.draw(r);
    this.titles[channel] = titleFor(r, this.games[this.gameOf[channel]!]!.name);
    this.tags[channel] = tagsFor(r, LANGUAGES[this.languageOf[channel]!]![0]);
    this.liveChannels.add(channel);
    this.liveWeights.set(channel, this.appeal[channel]!);
    this.reported[channel] = 0;
    this.lastChangeAt[channel] = this.time;
    this.truth.startChannel(channel, this.time, this.gameOf[channel]!);
    this.streamEnds.push(Math.max(this.time + STEP_MS, endsAt), channel);
    if (announce) this.emit({ type: 'stream.online', channel, streamId: String(this.streamId[channel]) });
  }

  private goOffline(channel: number, t: number): void {
    const audience = this.audience(channel);
    // some streams end with a raid that carries a share of the audience along
    let raided = -1;
    if (audience.length > 0 && this.rngStreams.chance(RAID_CHANCE) && this.liveChannels.size > 1) {
      raided = this.pickLiveChannel(this.rngStreams, channel);
    }
    if (raided >= 0) this.raid(channel, raided, t, 0.75);
    for (const user of this.audience(channel)) {
      this.leave(user, t);
      if (this.rngViewers.chance(MOVE_SHARE)) this.planMove(user, channel, t, 'organic');
    }
    this.truth.accrue(channel, this.viewersNow(channel), t);
    this.truth.stopChannel(channel, t);
    this.live[channel] = 0;
    this.liveChannels.delete(channel);
    this.liveWeights.set(channel, 0);
    this.emit({ type: 'stream.offline', channel, streamId: String(this.streamId[channel]) });
    // another channel goes live a little later, keeping the live count steady
    this.streamStarts.push(t + Math.round(this.rngStreams.exp(60_000) / 1000) * 1000, -1);
  }

  private stepStreams(t: number): void {
    while (this.streamEnds.size && this.streamEnds.peekTime() <= t) {
      const channel = this.streamEnds.pop();
      if (this.live[channel]) this.goOffline(channel, t);
    }
    while (this.streamStarts.size && this.streamStarts.peekTime() <= t) {
      this.streamStarts.pop();
      if (this.liveChannels.size >= this.channelCount) continue;
      let c: number;
      do c = this.rngStreams.int(this.channelCount);
      while (this.live[c]);
      this.goLive(c, t, true);
    }
  }

  private pickLiveChannel(r: Random, exclude: number): number {
    for (let attempt = 0; attempt < 8; attempt++) {
      const c = this.liveWeights.find(r.float());
      if (c !== exclude && this.live[c]) return c;
    }
    const list = this.liveChannels.values();
    for (let attempt = 0; attempt < 8; attempt++) {
      const c = list[r.int(list.length)]!;
      if (c !== exclude) return c;
    }
    return -1;
  }

  // ---------------------------------------------------------------- viewers

  /** concurrent viewers the world aims for, with a daily rhythm peaking in the evening (UTC) */
  targetViewers(t: number): number {
    const hour = (t / 3_600_000) % 24;
    const rhythm = 1 + 0.25 * Math.cos(((hour - 20) / 24) * 2 * Math.PI);
    return this.options.live * this.options.viewersPerLive * rhythm;
  }

  private stepViewers(t: number): void {
    const r = this.rngViewers;
    // arrivals of planned moves and raids
    while (this.pendingJoins.size && this.pendingJoins.peekTime() <= t) {
      const user = this.pendingJoins.pop();
      const plan = this.pendingJoin.get(user);
      if (!plan) continue;
      this.pendingJoin.delete(user);
      let to = plan.to;
      if (to < 0 || !this.live[to]) to = this.pickLiveChannel(r, plan.from);
      if (to < 0) continue;
      this.join(user, to, t);
      this.moves.push({ user, from: plan.from, to, leftAt: plan.leftAt, joinedAt: t, cause: plan.cause });
    }
    // departures: each viewer leaves after an exponential session; some move on
    const leaving = r.poisson((this.watchers.size * STEP_MS) / MEAN_SESSION_MS);
    for (let i = 0; i < leaving && this.watchers.size > 0; i++) {
      const user = this.watchers.at(r.int(this.watchers.size));
      const from = this.watching[user]!;
      this.leave(user, t);
      if (r.chance(MOVE_SHARE)) this.planMove(user, from, t, 'organic');
    }
    // arrivals relax the audience towards the day's target
    const gap = this.targetViewers(t) - this.watchers.size - this.pendingJoin.size;
    const arriving = r.poisson(Math.max(0, gap) / 120 + ((this.watchers.size * STEP_MS) / MEAN_SESSION_MS) * (1 - MOVE_SHARE) * (gap > 0 ? 1 : 0.5));
    const first = this.channelCount;
    for (let i = 0; i < arriving && this.liveChannels.size > 0; i++) {
      let user = first + r.int(this.viewerCount);
      // a resting viewer is passed over for another (a few tries: the idle pool is most of it)
      for (let tries = 0; tries < 3 && this.restUntil[user]! > t; tries++) user = first + r.int(this.viewerCount);
      if (this.watching[user]! >= 0 || this.pendingJoin.has(user) || this.restUntil[user]! > t) continue;
      const c = this.pickLiveChannel(r, -1);
      if (c >= 0) this.join(user, c, t);
    }
  }

  private planMove(user: number, from: number, leftAt: number, cause: 'organic' | 'raid', to = -1, gapMs?: number): void {
    const gap = gapMs ?? Math.max(STEP_MS, Math.round(this.rngViewers.exp(MEAN_MOVE_GAP_MS) / 1000) * 1000);
    this.pendingJoin.set(user, { from, to, leftAt, cause });
    this.pendingJoins.push(leftAt + gap, user);
  }

  private join(user: number, channel: number, t: number, initial = false): void {
    if (this.watching[user]! >= 0) this.leave(user, t);
    this.beforeChange(channel, t);
    let list = this.members[channel];
    if (!list) this.members[channel] = list = [];
    this.memberPos[user] = list.length;
    list.push(user);
    this.watching[user] = channel;
    this.watchers.add(user);
    if (!initial) for (const fn of this.membershipListeners) fn({ channel, user, kind: 'join', at: t });
  }

  private leave(user: number, t: number): void {
    const channel = this.watching[user]!;
    if (channel < 0) return;
    this.beforeChange(channel, t);
    const list = this.members[channel]!;
    const pos = this.memberPos[user]!;
    const last = list.pop()!;
    if (last !== user) {
      list[pos] = last;
      this.memberPos[last] = pos;
    }
    this.memberPos[user] = -1;
    this.watching[user] = -1;
    // someone who leaves and moves on arrives through their plan; anyone else rests a while, so a
    // new arrival is never, by chance, the same person seconds after they left (the truth would
    // call that no move, and no observer could tell it from one)
    this.restUntil[user] = t + REST_MS;
    this.watchers.delete(user);
    for (const fn of this.membershipListeners) fn({ channel, user, kind: 'part', at: t });
  }

  /** keeps the lagged viewer_count and the watch-time integral exact across a change */
  private beforeChange(channel: number, t: number): void {
    const boundary = this.lastRefresh(channel, t);
    if (boundary > this.lastChangeAt[channel]!) this.reported[channel] = this.viewersNow(channel);
    this.lastChangeAt[channel] = t;
    this.truth.accrue(channel, this.viewersNow(channel), t);
  }

  /** the time of the channel's latest viewer_count refresh at or before t */
  private lastRefresh(channel: number, t: number): number {
    const phase = (hash32(channel, 0x7e11) % (VIEWER_COUNT_REFRESH_MS / 1000)) * 1000;
    return Math.floor((t - phase) / VIEWER_COUNT_REFRESH_MS) * VIEWER_COUNT_REFRESH_MS + phase;
  }

  /** Moves `share` of `from`'s audience to `to` as a raid, arriving a few seconds later. */
  raid(from: number, to: number, t: number, share: number): number {
    const audience = this.audience(from);
    let moved = 0;
    for (const user of audience) {
      if (!this.rngViewers.chance(share)) continue;
      this.leave(user, t);
      this.planMove(user, from, t, 'raid', to, STEP_MS * (1 + this.rngViewers.int(5)));
      moved++;
    }
    this.emit({ type: 'channel.raid', channel: from, toChannel: to, viewers: audience.length });
    return moved;
  }

  // ---------------------------------------------------------------- chat and events

  private stepChannels(t: number): void {
    const rc = this.rngChat;
    const re = this.rngEvents;
    for (const c of this.liveChannels.values()) {
      const v = this.viewersNow(c);
      this.stepMood(c, t);
      // the stream's category or title changes now and then
      if (this.rngStreams.chance(STEP_MS / (3 * 3600_000))) this.changeGame(c, t);
      else if (this.rngStreams.chance(STEP_MS / (2 * 3600_000))) this.changeTitle(c);
      if (v === 0) continue;
      const kind = this.moodKind[c]!;
      const rateFactor = kind === Mood.Hype ? 2.5 : kind === Mood.Loss ? 1.8 : kind === Mood.Boring ? 0.3 : 1;
      const usual = Math.min(12, 0.004 * v ** 0.85);
      const spiking = t < this.spikeUntil[c]!;
      const rate = spiking ? Math.max(usual * CHAT_SPIKE_FACTOR, CHAT_SPIKE_FLOOR) : usual * rateFactor;
      const n = rc.poisson(rate * (STEP_MS / 1000));
      for (let i = 0; i < n; i++) this.chat(c, t + Math.floor((i * STEP_MS) / Math.max(1, n)), rc, spiking);
      // follows, subs and cheers grow with the audience
      const follows = re.poisson((v * 1e-5 + 1 / 7200) * (STEP_MS / 1000));
      for (let i = 0; i < follows; i++) this.follow(c, re);
      const subs = re.poisson(v * 2e-6 * (STEP_MS / 1000));
      for (let i = 0; i < subs; i++) this.subscribe(c, re);
      const cheers = re.poisson(v * 1e-6 * (STEP_MS / 1000));
      for (let i = 0; i < cheers; i++) this.cheer(c, re, t);
    }
  }

  private stepMood(c: number, t: number): void {
    const r = this.rngChat;
    if (this.moodKind[c] !== Mood.Normal && t >= this.moodUntil[c]!) this.moodKind[c] = Mood.Normal;
    if (this.moodKind[c] === Mood.Normal) {
      const u = r.float();
      const perStep = STEP_MS / 3600_000;
      if (u < 1.5 * perStep) this.startMood(c, Mood.Hype, t, 60 + r.int(180));
      else if (u < 2.2 * perStep) this.startMood(c, Mood.Loss, t, 60 + r.int(120));
      else if (u < 3.2 * perStep) this.startMood(c, Mood.Boring, t, 300 + r.int(600));
    }
    const kind = this.moodKind[c]!;
    const goal = kind === Mood.Hype ? 0.85 : kind === Mood.Loss ? -0.8 : kind === Mood.Boring ? -0.25 : 0.1;
    const m = this.mood[c]!;
    this.mood[c] = Math.max(-1, Math.min(1, m + (goal - m) * 0.08 + 0.02 * r.normal()));
  }

  private startMood(c: number, kind: Mood, t: number, seconds: number): void {
    this.moodKind[c] = kind;
    this.moodUntil[c] = t + seconds * 1000;
  }

  /** the channel's mood now, -1 (gloom) to 1 (hype), and the episode it is in */
  moodOf(channel: number): { value: number; episode: 'normal' | 'hype' | 'boring' | 'loss' } {
    const kinds = ['normal', 'hype', 'boring', 'loss'] as const;
    return { value: this.mood[channel]!, episode: kinds[this.moodKind[channel]!]! };
  }

  private chat(channel: number, at: number, r: Random, everyone = false): void {
    const list = this.members[channel]!;
    // most viewers lurk: only about one in five ever chats (in a spike the lurkers speak up too)
    let user = -1;
    for (let attempt = 0; attempt < 4; attempt++) {
      const candidate = list[r.int(list.length)]!;
      if (everyone || hash32(candidate, 0xc4a7) % 100 < 20) {
        user = candidate;
        break;
      }
    }
    if (user < 0) return;
    const m = this.mood[channel]!;
    const pPos = 0.3 + 0.5 * Math.max(m, 0) - 0.2 * Math.max(-m, 0);
    const pNeg = 0.12 + 0.55 * Math.max(-m, 0) - 0.08 * Math.max(m, 0);
    const u = r.float();
    const wanted: Sentiment = u < pPos ? 'positive' : u < pPos + pNeg ? 'negative' : 'neutral';
    const composed = composeMessage(r, wanted, { game: this.games[this.gameOf[channel]!]!.name, streamer: this.displayName(channel) });
    const firstMsg = !this.hasChatted[user];
    this.hasChatted[user] = 1;
    const message: ChatMessage = {
      id: this.uuid(0x3e55a6e, this.messageCounter++),
      at,
      channel,
      user,
      text: composed.text,
      sentiment: composed.sentiment,
      emotes: composed.emotesTag,
      firstMsg,
    };
    this.messages.push(message);
    this.messagesLastStep++;
    for (const fn of this.chatListeners) fn(message);
  }

  private follow(channel: number, r: Random): void {
    const user = this.channelCount + r.int(this.viewerCount);
    let list = this.followers.get(channel);
    if (!list) this.followers.set(channel, (list = []));
    list.push({ user, at: this.time });
    this.emit({ type: 'channel.follow', channel, user });
  }

  private subscribe(channel: number, r: Random): void {
    const tierDraw = r.float();
    const tier = tierDraw < 0.85 ? '1000' : tierDraw < 0.95 ? '2000' : '3000';
    const audience = this.members[channel]!;
    const user = audience[r.int(audience.length)]!;
    if (r.chance(0.1)) {
      // a gift bomb: one gifter, several recipients
      const count = Math.min(100, Math.max(1, Math.round(r.pareto(1, 1.2))));
      const anonymous = r.chance(0.1);
      this.emit({ type: 'channel.subscription.gift', channel, user, tier, total: count, anonymous });
      for (let i = 0; i < count; i++) {
        const recipient = this.channelCount + r.int(this.viewerCount);
        this.emit({ type: 'channel.subscribe', channel, user: recipient, tier, isGift: true, gifter: anonymous ? undefined : user });
      }
      return;
    }
    if (r.chance(0.6)) {
      const months = 2 + (Math.floor(r.pareto(1, 1.1)) % 60);
      this.emit({
        type: 'channel.subscription.message',
        channel,
        user,
        tier,
        cumulativeMonths: months,
        streakMonths: r.chance(0.7) ? months : 1 + r.int(months),
        message: r.chance(0.5) ? 'love the streams' : '',
      });
    } else {
      this.emit({ type: 'channel.subscribe', channel, user, tier, isGift: false });
    }
  }

  private cheer(channel: number, r: Random, at: number): void {
    const audience = this.members[channel]!;
    const user = audience[r.int(audience.length)]!;
    const bits = Math.max(1, Math.round(r.pareto(50, 1.3) / 50) * 50 - (r.chance(0.3) ? 49 : 0));
    const anonymous = r.chance(0.05);
    const text = `Cheer${bits} ${r.pick(['great stream', 'for the clutch', 'hype!', 'take my bits', 'GG'])}`;
    this.emit({ type: 'channel.cheer', channel, user, bits, anonymous, message: text });
    // cheers also show up in chat as a PRIVMSG with a bits tag
    const message: ChatMessage = { id: this.uuid(0x3e55a6e, this.messageCounter++), at, channel, user, text, sentiment: 'positive', emotes: '', firstMsg: false, bits };
    this.messages.push(message);
    for (const fn of this.chatListeners) fn(message);
  }

  private changeGame(c: number, t: number): void {
    this.truth.accrue(c, this.viewersNow(c), t);
    this.gameOf[c] = this.gameTable.draw(this.rngStreams);
    this.truth.changeGame(c, t, this.gameOf[c]!);
    if (this.rngStreams.chance(0.7)) this.titles[c] = titleFor(this.rngStreams, this.games[this.gameOf[c]!]!.name);
    this.emit({ type: 'channel.update', channel: c });
  }

  private changeTitle(c: number): void {
    this.titles[c] = titleFor(this.rngStreams, this.games[this.gameOf[c]!]!.name);
    this.emit({ type: 'channel.update', channel: c });
  }

  private emit(event: Omit<WorldEvent, 'id' | 'at'>): void {
    const full = { ...event, id: this.uuid(0xe7e47, this.eventCounter++), at: this.time } as WorldEvent;
    if ((full.type === 'channel.subscribe' || full.type === 'channel.subscription.message') && full.user !== undefined && full.tier) {
      let list = this.subs.get(full.channel);
      if (!list) this.subs.set(full.channel, (list = []));
      list.push({ user: full.user, tier: full.tier, ...(full.gifter !== undefined ? { gifter: full.gifter } : {}) });
    }
    this.events.push(full);
    for (const fn of this.eventListeners) fn(full);
  }

  /** deterministic UUID-shaped ids */
  private uuid(kind: number, counter: number): string {
    const h = (i: number) => hash32(this.seed, kind, counter, i).toString(16).padStart(8, '0');
    const a = h(1);
    const b = h(2);
    const c = h(3);
    const d = h(4);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${((parseInt(c[0]!, 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  // ---------------------------------------------------------------- triggers

  /**
   * Makes an event happen now, consistently with the world: a raid really moves viewers, an
   * online stream really starts. Returns what happened.
   */
  trigger(type: WorldEventType, channel: number, options: { toChannel?: number; user?: number; bits?: number; tier?: '1000' | '2000' | '3000' } = {}): WorldEvent | undefined {
    if (!this.isBroadcaster(channel)) throw new RangeError('broadcaster_user_id is not a simulated broadcaster');
    const before = this.eventCounter;
    const r = this.rngEvents;
    switch (type) {
      case 'stream.online':
        if (this.live[channel]) throw new RangeError('that channel is already live');
        this.goLive(channel, this.time, true);
        break;
      case 'stream.offline':
        if (!this.live[channel]) throw new RangeError('that channel is not live');
        this.goOffline(channel, this.time);
        break;
      case 'channel.raid': {
        if (!this.live[channel]) throw new RangeError('a raid needs the raiding channel to be live');
        let to = options.toChannel ?? -1;
        if (to < 0) to = this.pickLiveChannel(r, channel);
        if (to < 0 || !this.live[to] || to === channel) throw new RangeError('no live channel to raid');
        this.raid(channel, to, this.time, 0.8);
        break;
      }
      case 'channel.follow':
        this.follow(channel, r);
        break;
      case 'channel.subscribe':
      case 'channel.subscription.message':
      case 'channel.subscription.gift':
        if (!this.viewersNow(channel)) throw new RangeError('a subscription needs someone watching');
        this.subscribe(channel, r);
        break;
      case 'channel.cheer':
        if (!this.viewersNow(channel)) throw new RangeError('a cheer needs someone watching');
        this.cheer(channel, r, this.time);
        break;
      case 'channel.update':
        if (!this.live[channel]) throw new RangeError('channel.update is simulated for live channels');
        this.changeGame(channel, this.time);
        break;
      default:
        throw new RangeError(`cannot trigger ${type as string}`);
    }
    return this.eventCounter > before ? ([...this.events].reverse().find((e) => e.type === type) ?? [...this.events].at(-1)) : undefined;
  }

  /**
   * A burst of hype in a live channel's chat for CHAT_SPIKE_MS: its rate jumps to
   * CHAT_SPIKE_FACTOR times its usual (at least CHAT_SPIKE_FLOOR a second), its mood to hype.
   * Draws nothing now, so the world stays the same for a given seed and trigger sequence.
   */
  spikeChat(channel: number): { until: number } {
    if (!this.isBroadcaster(channel)) throw new RangeError('broadcaster_user_id is not a simulated broadcaster');
    if (!this.live[channel]) throw new RangeError('a chat spike needs the channel to be live');
    if (!this.viewersNow(channel)) throw new RangeError('a chat spike needs someone watching');
    const until = this.time + CHAT_SPIKE_MS;
    this.spikeUntil[channel] = until;
    this.startMood(channel, Mood.Hype, this.time, (Math.max(until, this.moodKind[channel] === Mood.Hype ? this.moodUntil[channel]! : 0) - this.time) / 1000);
    // hype at once, not after the mood's usual drift towards it
    this.mood[channel] = Math.max(this.mood[channel]!, 0.7);
    return { until };
  }

  // ---------------------------------------------------------------- truth

  movesBetween(from: number, to: number): Move[] {
    const out: Move[] = [];
    for (const m of this.moves) if (m.joinedAt >= from && m.leftAt < to) out.push(m);
    return out;
  }
  messagesBetween(channel: number | undefined, from: number, to: number): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const m of this.messages) if (m.at >= from && m.at < to && (channel === undefined || m.channel === channel)) out.push(m);
    return out;
  }
  eventsBetween(from: number, to: number): WorldEvent[] {
    const out: WorldEvent[] = [];
    for (const e of this.events) if (e.at >= from && e.at < to) out.push(e);
    return out;
  }
  /** the oldest time the truth still covers for moves, messages and events */
  truthHorizon(): { moves?: number; messages?: number; events?: number; watchtime: number } {
    return { moves: this.moves.oldest()?.leftAt, messages: this.messages.oldest()?.at, events: this.events.oldest()?.at, watchtime: this.truth.horizon() };
  }
}

function add<T>(list: T[], item: T): () => void {
  list.push(item);
  return () => {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
  };
}
