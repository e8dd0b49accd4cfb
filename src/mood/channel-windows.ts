// One tracked channel's live counts: a ring of per-second buckets, the channel's running totals,
// and per window the totals of the seconds that have left it, so a window is `total - gone` and a
// message touches its second's bucket and the totals only (few cache lines: at a thousand channels
// the hot path's cost is its memory traffic). The open minute is `total - total at its start`.
//
// Distinct chatters without a scan: each user is counted once, in the bucket of the last second
// they spoke (CHAT below); when they speak again their old second gives the count back (and so
// does each window it had already left). A window's chatters is then its seconds' CHAT, like the
// other sums.
import { moodOf } from './activity.js';
import { EmoteCounts } from './emote-counts.js';
import type { MinuteAggregate, MoodSample } from './engine.js';
import type { MoodWindow, WindowName } from './types.js';

/** 17 minutes of seconds: more than the longest window, a power of two for the index mask */
const RING = 1024;
const MASK = RING - 1;

// the per-second bucket's fields; the first W_FIELDS are also the totals' and the windows' fields
const MSGS = 0;
const POS = 1;
const NEG = 2;
/** scores in fixed point (SCALE), so sums add and subtract exactly */
const SCORE = 3;
const BITS = 4;
const SUBS = 5;
const CHAT = 6;
const W_FIELDS = 7;
/** squared scores (bucket only: the moments' baseline spread) */
const SQ = 7;
/** the totals' last field: distinct chatters of the open minute */
const MINUTE_CHAT = 7;
const F = 8;
/** where the windows' gone totals start in `acc` */
const GONE = F;
const SCALE = 10_000;
const NONE = -0x7fffffff;

/** the running windows: 30 s (the moments' "recent" rate) then the three published ones */
export const RECENT = 0;
const SECONDS = [30, 60, 300, 900] as const;
const WINDOWS = SECONDS.length;
const NAMES: (WindowName | undefined)[] = [undefined, '1m', '5m', '15m'];
const TOP_EMOTES_WINDOW = 10;
const TOP_EMOTES_MINUTE = 5;
/** the recent samples kept for a moment's examples */
const SAMPLES = 64;

/** whoever counts a channel's messages besides its windows (an open moment) */
export interface MessageListener {
  onMessage(sample: MoodSample): void;
}

export interface BinTotals {
  messages: number;
  scoreSum: number;
  scoreSquares: number;
}

export class ChannelWindows {
  // the hot path's fields first: they share the object's first cache lines
  /** the latest second counted (relative): messages stamped earlier count here */
  private cur = 0;
  /** seconds are stored relative to this one, in an Int32Array */
  private readonly base: number;
  private minuteStart: number;
  private readonly buckets = new Int32Array(RING * F);
  /** each bucket's second; NONE before it is first used */
  private readonly secs = new Int32Array(RING).fill(NONE);
  /**
   * everything counted since tracking began (W_FIELDS fields, then MINUTE_CHAT), then per field
   * per window (field-major: a field's windows share a cache line) what has left the window
   */
  private readonly acc = new Float64Array(F + W_FIELDS * WINDOWS);
  private readonly lastSpoke = new Map<string, number>();
  private readonly emotes = new EmoteCounts();
  readonly samples: (MoodSample | undefined)[] = new Array(SAMPLES);
  private sampleCount = 0;
  listener: MessageListener | undefined;
  /** the totals when the open minute began */
  private readonly minuteBase = new Float64Array(W_FIELDS);
  private binStart: number;
  /** the first bin began before tracking did: it is not a whole 10 s of chat, so no bin at all */
  private firstBinPartial: boolean;
  /** messages of the last 16 closed minutes, by minute number (the sparkline) */
  private readonly minuteMessages = new Float64Array(16);
  /** messages of the open minute already handed out by a flush (the sparkline still shows them) */
  private flushedThisMinute = 0;
  /** closed minutes not yet handed to tick() */
  readonly closed: MinuteAggregate[] = [];
  /** 10-second bins closed since the last look (moments' baseline) */
  readonly bins: BinTotals[] = [];

  constructor(
    readonly channel: string,
    readonly trackedAt: number,
  ) {
    this.base = Math.floor(trackedAt / 1000);
    this.secs[0] = 0;
    this.minuteStart = -mod(this.base, 60);
    this.binStart = -mod(this.base, 10);
    this.firstBinPartial = this.binStart < 0 || trackedAt % 1000 !== 0;
  }

  message(sample: MoodSample): void {
    const s = this.second(sample.at);
    const b = (s & MASK) * F;
    const buckets = this.buckets;
    const total = this.acc;
    const label = sample.label;
    const pos = label === 'positive' ? 1 : 0;
    const neg = label === 'negative' ? 1 : 0;
    const score = Math.round(sample.score * SCALE);
    const bits = Math.max(0, sample.bits || 0);
    buckets[b + MSGS]!++;
    buckets[b + POS]! += pos;
    buckets[b + NEG]! += neg;
    buckets[b + SCORE]! += score;
    buckets[b + SQ]! += Math.round(sample.score * sample.score * SCALE);
    buckets[b + BITS]! += bits;
    total[MSGS]!++;
    total[POS]! += pos;
    total[NEG]! += neg;
    total[SCORE]! += score;
    total[BITS]! += bits;
    this.chatter(sample.user, s, b);
    const emotes = sample.emotes;
    for (let i = 0; i < emotes.length; i++) this.emotes.add(emotes[i]!, s);
    this.samples[this.sampleCount++ & (SAMPLES - 1)] = sample;
    if (this.listener !== undefined) this.listener.onMessage(sample);
  }

  subs(at: number, count: number): void {
    if (!(count > 0)) return;
    const s = this.second(at);
    this.buckets[(s & MASK) * F + SUBS]! += count;
    this.acc[SUBS]! += count;
  }

  /** moves the windows' end to `now` (never back): closes minutes and bins, lets old seconds go */
  advance(now: number): void {
    const to = Math.floor(now / 1000) - this.base;
    const from = this.cur;
    if (to <= from) return;
    const minuteBefore = this.minuteStart;
    while (to >= this.minuteStart + 60) {
      this.closed.push(this.closeMinute(this.minuteStart));
      this.minuteStart += 60;
    }
    while (to >= this.binStart + 10) {
      if (!this.firstBinPartial) this.bins.push(this.binTotals(this.binStart, this.binStart + 10));
      this.firstBinPartial = false;
      this.binStart += 10;
    }
    for (let w = 0; w < WINDOWS; w++) {
      const len = SECONDS[w]!;
      if (to - from >= len) for (let f = 0; f < W_FIELDS; f++) this.acc[GONE + f * WINDOWS + w] = this.acc[f]!;
      else for (let s = from - len + 1; s <= to - len; s++) this.leave(w, s);
      if (w > 0) this.emotes.evict(w - 1, to - len);
    }
    for (let s = Math.max(from + 1, to - MASK); s <= to; s++) {
      const i = s & MASK;
      this.secs[i] = s;
      this.buckets.fill(0, i * F, i * F + F);
    }
    this.cur = to;
    if (this.minuteStart !== minuteBefore) this.forgetQuietUsers();
  }

  /** a published window at the current end; `now` only measures how long tracking has run */
  window(w: 1 | 2 | 3, now: number): MoodWindow {
    const seconds = SECONDS[w];
    const messages = this.sum(w, MSGS);
    const positive = this.sum(w, POS);
    const negative = this.sum(w, NEG);
    const meanScore = messages > 0 ? this.sum(w, SCORE) / SCALE / messages : null;
    return {
      window: NAMES[w]!,
      seconds,
      messages,
      messages_per_minute: (messages * 60) / this.coveredSeconds(seconds, now),
      chatters: this.sum(w, CHAT),
      positive: messages > 0 ? positive / messages : 0,
      neutral: messages > 0 ? (messages - positive - negative) / messages : 0,
      negative: messages > 0 ? negative / messages : 0,
      mean_score: meanScore,
      mood: moodOf(meanScore),
      top_emotes: this.emotes.top(w - 1, TOP_EMOTES_WINDOW),
      bits: this.sum(w, BITS),
      subs: this.sum(w, SUBS),
    };
  }

  /**
   * How many seconds a window's rate divides by: the window's length, or while tracking has run
   * for less than that, the time tracked (at least 1 s, so the first message is not a rate of
   * infinity). A channel tracked for 30 s with 10 messages chats at 20 a minute, not at 10 / 5 = 2
   * over a 5-minute window it was not watched for; the rate is then noisy, never biased low.
   */
  coveredSeconds(windowSeconds: number, now: number): number {
    return Math.min(windowSeconds, Math.max(1, (now - this.trackedAt) / 1000));
  }

  /** messages, score sum and labels of the recent (30 s, RECENT) or a published window */
  totals(w: number): { messages: number; scoreSum: number; positive: number; negative: number } {
    return { messages: this.sum(w, MSGS), scoreSum: this.sum(w, SCORE) / SCALE, positive: this.sum(w, POS), negative: this.sum(w, NEG) };
  }

  topEmotes(w: 1 | 2 | 3, k: number) {
    return this.emotes.top(w - 1, k);
  }

  /** messages and score sums per second over the last `n` seconds, oldest first (n ≤ 900) */
  perSecond(n: number): { counts: number[]; scores: number[] } {
    const counts: number[] = [];
    const scores: number[] = [];
    for (let s = this.cur - n + 1; s <= this.cur; s++) {
      const live = this.secs[s & MASK] === s;
      counts.push(live ? this.buckets[(s & MASK) * F + MSGS]! : 0);
      scores.push(live ? this.buckets[(s & MASK) * F + SCORE]! / SCALE : 0);
    }
    return { counts, scores };
  }

  /** the current second, as ms since the epoch */
  currentSecondMs(): number {
    return (this.base + this.cur) * 1000;
  }

  /** messages per minute, per minute, the last 15 minutes oldest first; the open minute last */
  sparkline(): number[] {
    const out: number[] = [];
    const open = Math.floor(this.minuteStart / 60);
    for (let n = open - 14; n < open; n++) out.push(this.minuteMessages[mod(n, 16)]!);
    out.push(this.acc[MSGS]! - this.minuteBase[MSGS]! + this.flushedThisMinute);
    return out;
  }

  /** the open minute so far; its counters start again from zero (the store adds rows up) */
  takePartialMinute(): MinuteAggregate {
    this.flushedThisMinute += this.acc[MSGS]! - this.minuteBase[MSGS]!;
    return this.closeMinute(this.minuteStart, true);
  }

  /** the open minute so far, left open (a series' last point) */
  peekMinute(): MinuteAggregate {
    return this.minuteRow(this.minuteStart, this.emotes.peekMinute(TOP_EMOTES_MINUTE));
  }

  /** hands the closed minutes over (into `rows`) */
  takeClosed(rows: MinuteAggregate[]): void {
    for (const row of this.closed) rows.push(row);
    this.closed.length = 0;
  }

  bytes(): number {
    let users = 0;
    for (const user of this.lastSpoke.keys()) users += 48 + 2 * user.length;
    const arrays = this.buckets.byteLength + this.secs.byteLength + this.acc.byteLength + this.minuteBase.byteLength + this.minuteMessages.byteLength;
    return arrays + 8 * SAMPLES + users + this.emotes.bytes() + 512;
  }

  private sum(w: number, f: number): number {
    return this.acc[f]! - this.acc[GONE + f * WINDOWS + w]!;
  }

  /** the relative second a timestamp counts in: late ones count in the latest second */
  private second(at: number): number {
    if (Math.floor(at / 1000) - this.base > this.cur) this.advance(at);
    return this.cur;
  }

  private chatter(user: string, s: number, b: number): void {
    const last = this.lastSpoke.get(user);
    if (last !== undefined && last >= s) return;
    this.lastSpoke.set(user, s);
    this.buckets[b + CHAT]!++;
    if (last === undefined || last < this.minuteStart) this.acc[MINUTE_CHAT]!++;
    if (last === undefined) {
      this.acc[CHAT]!++;
      return;
    }
    // the user moves from second `last` to `s`: the total stays, the windows `last` had left regain them
    if (last > s - RING && this.secs[last & MASK] === last) this.buckets[(last & MASK) * F + CHAT]!--;
    for (let w = 0; w < WINDOWS; w++) if (last <= s - SECONDS[w]!) this.acc[GONE + CHAT * WINDOWS + w]!--;
  }

  private leave(w: number, s: number): void {
    const i = s & MASK;
    if (this.secs[i] !== s) return;
    const b = i * F;
    for (let f = 0; f < W_FIELDS; f++) this.acc[GONE + f * WINDOWS + w]! += this.buckets[b + f]!;
  }

  private binTotals(start: number, end: number): BinTotals {
    let messages = 0;
    let score = 0;
    let sq = 0;
    for (let s = start; s < end; s++) {
      const i = s & MASK;
      if (this.secs[i] !== s || s > this.cur) continue;
      messages += this.buckets[i * F + MSGS]!;
      score += this.buckets[i * F + SCORE]!;
      sq += this.buckets[i * F + SQ]!;
    }
    return { messages, scoreSum: score / SCALE, scoreSquares: sq / SCALE };
  }

  private closeMinute(start: number, partial = false): MinuteAggregate {
    const t = this.acc;
    const m = this.minuteBase;
    if (!partial) {
      this.minuteMessages[mod(Math.floor(start / 60), 16)] = t[MSGS]! - m[MSGS]! + this.flushedThisMinute;
      this.flushedThisMinute = 0;
    }
    const row = this.minuteRow(start, this.emotes.closeMinute(TOP_EMOTES_MINUTE));
    for (let f = 0; f < W_FIELDS; f++) m[f] = t[f]!;
    t[MINUTE_CHAT] = 0;
    return row;
  }

  /** the open minute's counts so far (the totals less the minute's base) */
  private minuteRow(start: number, topEmotes: MinuteAggregate['topEmotes']): MinuteAggregate {
    const t = this.acc;
    const m = this.minuteBase;
    const messages = t[MSGS]! - m[MSGS]!;
    const positive = t[POS]! - m[POS]!;
    const negative = t[NEG]! - m[NEG]!;
    return {
      channel: this.channel,
      minute: (this.base + start) * 1000,
      messages,
      chatters: t[MINUTE_CHAT]!,
      positive,
      neutral: messages - positive - negative,
      negative,
      scoreSum: (t[SCORE]! - m[SCORE]!) / SCALE,
      bits: t[BITS]! - m[BITS]!,
      subs: t[SUBS]! - m[SUBS]!,
      topEmotes,
    };
  }

  /** users quiet for longer than the longest window no longer count anywhere */
  private forgetQuietUsers(): void {
    const gone = this.cur - SECONDS[WINDOWS - 1]!;
    for (const [user, last] of this.lastSpoke) if (last <= gone) this.lastSpoke.delete(user);
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
