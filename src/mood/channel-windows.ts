// One tracked channel's live counts: a ring of per-second buckets, running sums for each rolling
// window (a bucket is added when its messages arrive and subtracted when its second leaves the
// window), the open minute's counters and the users' last seconds for distinct chatters.
//
// Distinct chatters without a scan: each user is counted once, in the bucket of the last second
// they spoke (CHAT below); when they speak again their old bucket gives the count back. A window's
// chatters is then the sum of its buckets' CHAT, kept running like the other sums.
import { moodOf } from './activity.js';
import { EmoteCounts } from './emote-counts.js';
import type { MinuteAggregate, MoodSample } from './engine.js';
import type { MoodWindow, WindowName } from './types.js';

/** 17 minutes of seconds: more than the longest window, a power of two for the index mask */
const RING = 1024;
const MASK = RING - 1;

// the per-second bucket's fields (also the running sums' fields)
const MSGS = 0;
const POS = 1;
const NEG = 2;
/** scores in fixed point (SCALE), so sums add and subtract exactly */
const SCORE = 3;
const SQ = 4;
const BITS = 5;
const SUBS = 6;
const CHAT = 7;
const F = 8;
const SCALE = 10_000;
const NONE = -0x7fffffff;

/** the running windows: 30 s (the moments' "recent" rate) then the three published ones */
export const RECENT = 0;
const SECONDS = [30, 60, 300, 900] as const;
const NAMES: (WindowName | undefined)[] = [undefined, '1m', '5m', '15m'];
const TOP_EMOTES_WINDOW = 10;
const TOP_EMOTES_MINUTE = 5;
/** the recent samples kept for a moment's examples */
const SAMPLES = 64;

export interface BinTotals {
  messages: number;
  scoreSum: number;
  scoreSquares: number;
}

export class ChannelWindows {
  /** seconds are stored relative to this one, in an Int32Array */
  private readonly base: number;
  private readonly buckets = new Int32Array(RING * F);
  /** each bucket's second; NONE before it is first used */
  private readonly secs = new Int32Array(RING).fill(NONE);
  private readonly sums = new Float64Array(SECONDS.length * F);
  private readonly emotes = new EmoteCounts();
  private readonly lastSpoke = new Map<string, number>();
  /** the latest second counted (relative): messages stamped earlier count here */
  private cur: number;
  private minuteStart: number;
  private readonly minute = new Float64Array(F);
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
  readonly samples: (MoodSample | undefined)[] = new Array(SAMPLES);
  private sampleCount = 0;

  constructor(
    readonly channel: string,
    readonly trackedAt: number,
  ) {
    this.base = Math.floor(trackedAt / 1000);
    this.cur = 0;
    this.secs[0] = 0;
    this.minuteStart = -mod(this.base, 60);
    this.binStart = -mod(this.base, 10);
    this.firstBinPartial = this.binStart < 0 || trackedAt % 1000 !== 0;
  }

  message(sample: MoodSample): void {
    const s = this.second(sample.at);
    const b = (s & MASK) * F;
    const buckets = this.buckets;
    const sums = this.sums;
    const label = sample.label;
    const pos = label === 'positive' ? 1 : 0;
    const neg = label === 'negative' ? 1 : 0;
    const score = Math.round(sample.score * SCALE);
    const sq = Math.round(sample.score * sample.score * SCALE);
    const bits = Math.max(0, sample.bits || 0);
    buckets[b + MSGS]!++;
    buckets[b + POS]! += pos;
    buckets[b + NEG]! += neg;
    buckets[b + SCORE]! += score;
    buckets[b + SQ]! += sq;
    buckets[b + BITS]! += bits;
    for (let o = 0; o < sums.length; o += F) {
      sums[o + MSGS]!++;
      sums[o + POS]! += pos;
      sums[o + NEG]! += neg;
      sums[o + SCORE]! += score;
      sums[o + SQ]! += sq;
      sums[o + BITS]! += bits;
    }
    const m = this.minute;
    m[MSGS]!++;
    m[POS]! += pos;
    m[NEG]! += neg;
    m[SCORE]! += score;
    m[BITS]! += bits;
    this.chatter(sample.user, s, b);
    const emotes = sample.emotes;
    for (let i = 0; i < emotes.length; i++) this.emotes.add(emotes[i]!, s);
    this.samples[this.sampleCount++ & (SAMPLES - 1)] = sample;
  }

  subs(at: number, count: number): void {
    if (!(count > 0)) return;
    const s = this.second(at);
    this.buckets[(s & MASK) * F + SUBS]! += count;
    for (let o = 0; o < this.sums.length; o += F) this.sums[o + SUBS]! += count;
    this.minute[SUBS]! += count;
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
    for (let w = 0; w < SECONDS.length; w++) {
      const len = SECONDS[w]!;
      const o = w * F;
      if (to - from >= len) this.sums.fill(0, o, o + F);
      else for (let s = from - len + 1; s <= to - len; s++) this.subtract(o, s);
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
    const o = w * F;
    const sums = this.sums;
    const messages = sums[o + MSGS]!;
    const positive = sums[o + POS]!;
    const negative = sums[o + NEG]!;
    const meanScore = messages > 0 ? sums[o + SCORE]! / SCALE / messages : null;
    return {
      window: NAMES[w]!,
      seconds,
      messages,
      messages_per_minute: (messages * 60) / this.coveredSeconds(seconds, now),
      chatters: sums[o + CHAT]!,
      positive: messages > 0 ? positive / messages : 0,
      neutral: messages > 0 ? (messages - positive - negative) / messages : 0,
      negative: messages > 0 ? negative / messages : 0,
      mean_score: meanScore,
      mood: moodOf(meanScore),
      top_emotes: this.emotes.top(w - 1, TOP_EMOTES_WINDOW),
      bits: sums[o + BITS]!,
      subs: sums[o + SUBS]!,
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

  /** messages, score sum and message count of the recent (30 s) or a published window */
  totals(w: number): { messages: number; scoreSum: number; positive: number; negative: number } {
    const o = w * F;
    return { messages: this.sums[o + MSGS]!, scoreSum: this.sums[o + SCORE]! / SCALE, positive: this.sums[o + POS]!, negative: this.sums[o + NEG]! };
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
    out.push(this.minute[MSGS]! + this.flushedThisMinute);
    return out;
  }

  /** the open minute so far; its counters start again from zero (the store adds rows up) */
  takePartialMinute(): MinuteAggregate {
    this.flushedThisMinute += this.minute[MSGS]!;
    return this.closeMinute(this.minuteStart, true);
  }

  takeClosed(): MinuteAggregate[] {
    return this.closed.splice(0, this.closed.length);
  }

  bytes(): number {
    let users = 0;
    for (const user of this.lastSpoke.keys()) users += 48 + 2 * user.length;
    return this.buckets.byteLength + this.secs.byteLength + this.sums.byteLength + this.minute.byteLength + 8 * SAMPLES + users + this.emotes.bytes() + 512;
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
    if (last === undefined || last < this.minuteStart) this.minute[CHAT]!++;
    this.buckets[b + CHAT]!++;
    const sums = this.sums;
    for (let w = 0; w < SECONDS.length; w++) {
      sums[w * F + CHAT]!++;
      if (last !== undefined && last > s - SECONDS[w]!) sums[w * F + CHAT]!--;
    }
    if (last !== undefined && last > s - RING && this.secs[last & MASK] === last) this.buckets[(last & MASK) * F + CHAT]!--;
  }

  private subtract(o: number, s: number): void {
    const i = s & MASK;
    if (this.secs[i] !== s) return;
    const b = i * F;
    for (let f = 0; f < F; f++) this.sums[o + f]! -= this.buckets[b + f]!;
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
    const m = this.minute;
    if (!partial) {
      this.minuteMessages[mod(Math.floor(start / 60), 16)] = m[MSGS]! + this.flushedThisMinute;
      this.flushedThisMinute = 0;
    }
    const row: MinuteAggregate = {
      channel: this.channel,
      minute: (this.base + start) * 1000,
      messages: m[MSGS]!,
      chatters: m[CHAT]!,
      positive: m[POS]!,
      neutral: m[MSGS]! - m[POS]! - m[NEG]!,
      negative: m[NEG]!,
      scoreSum: m[SCORE]! / SCALE,
      bits: m[BITS]!,
      subs: m[SUBS]!,
      topEmotes: this.emotes.closeMinute(TOP_EMOTES_MINUTE),
    };
    m.fill(0);
    return row;
  }

  /** users quiet for longer than the longest window no longer count anywhere */
  private forgetQuietUsers(): void {
    const gone = this.cur - SECONDS[SECONDS.length - 1]!;
    for (const [user, last] of this.lastSpoke) if (last <= gone) this.lastSpoke.delete(user);
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
