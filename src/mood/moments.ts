// Moments: a burst of chat (spike) or a sharp turn of its mood (swing), each measured against the
// channel's OWN recent past, so a small chat's ten messages in half a minute can be a moment and a
// big chat's thousand ordinary ones are not.
//
// The baseline is an exponentially weighted mean over closed 10-second bins (time constant 5 min,
// so the last ~15 minutes carry 95 % of the weight), fed with a delay of three bins so the burst
// being judged is never part of what it is judged against. No moment before the baseline has seen
// WARMUP_BINS bins: Lurk's start and a newly tracked channel (whose first minutes look like a
// jump from nothing) are not moments. Nor is a chat waking up: after WARMUP_BINS bins without a
// message (an offline channel) the baseline starts again, warm-up included.
//
// Spike: the last 30 s hold at least SPIKE_FACTOR × the baseline's expected count, at least
// SPIKE_MIN_MESSAGES messages, and at least SPIKE_Z Poisson standard deviations above the
// expectation (a small chat's noise: 1 expected message makes 4 by chance now and then, never 15).
// Swing: the last minute's mean score sits at least SWING_MIN_DELTA and SWING_Z standard errors
// (from the baseline's per-message spread) away from the baseline's mean score, over at least
// SWING_MIN_MESSAGES messages.
// A moment ends when it falls back near its starting baseline, or near the baseline as it has
// moved since (a new normal), or after MAX_DURATION; then COOLDOWN passes before the next of its
// kind, so one event is one moment.
import { moodOf } from './activity.js';
import type { BinTotals, ChannelWindows } from './channel-windows.js';
import { type MessageListener, RECENT } from './channel-windows.js';
import type { MoodSample } from './engine.js';
import type { EmoteCount, MomentExample, MoodLabel, MoodMoment } from './types.js';

const BIN_SECONDS = 10;
const BASELINE_TIME_CONSTANT_S = 300;
const DECAY = Math.exp(-BIN_SECONDS / BASELINE_TIME_CONSTANT_S);
/** bins the baseline waits behind the present (the spike's 30-second window) */
const FEED_DELAY_BINS = 3;
/** 5 minutes of baseline before any moment */
export const WARMUP_BINS = 30;
const RECENT_SECONDS = 30;

export const SPIKE_FACTOR = 3;
export const SPIKE_MIN_MESSAGES = 15;
const SPIKE_Z = 5;
/** ends below 1.5 × the starting baseline (plus noise), or 1.2 × the present one */
const SPIKE_END_FACTOR = 1.5;
const SPIKE_END_NEW_NORMAL = 1.2;

export const SWING_MIN_DELTA = 0.3;
const SWING_Z = 5;
export const SWING_MIN_MESSAGES = 20;
/** the baseline's mean score needs this many (weighted) messages behind it */
const SWING_BASELINE_MESSAGES = 30;
/** per-message score spread assumed at least this (a baseline of identical scores) */
const MIN_SCORE_VARIANCE = 0.01;

/** the swing's window: after a spike, its messages stay in it this long */
const SWING_WINDOW_MS = 60_000;
/** a swing is a turn at about the usual rate: a minute with more than this × the usual messages (or a half minute with twice that) is a burst's */
const SWING_MAX_RATE_FACTOR = 1.5;
/** a new peak is pushed when it beats the last pushed one by this factor (the end carries the last peak anyway) */
const PEAK_PUSH_FACTOR = 1.1;

export const MAX_DURATION_MS = 10 * 60_000;
export const COOLDOWN_MS = 2 * 60_000;
const KEPT_MOMENTS = 20;
const TOP_EMOTES = 5;
const EXAMPLES = 5;

type Kind = MoodMoment['kind'];

interface OpenMoment {
  wire: MoodMoment;
  startedAt: number;
  /** the measure whose maximum is the peak: the 30-s count (spike) or |Δ score| (swing) */
  peak: number;
  pushedPeak: number;
  baselineCount: number;
  baselineScore: number;
  messages: number;
  scoreSum: number;
  /** the label the examples should show */
  label: MoodLabel;
}

export class MomentDetector implements MessageListener {
  private readonly pending: BinTotals[] = [];
  private weight = 0;
  private ewMessages = 0;
  private ewScore = 0;
  private ewSquares = 0;
  private binsFed = 0;
  private quietBins = 0;
  private readonly open: { spike: OpenMoment | undefined; swing: OpenMoment | undefined } = { spike: undefined, swing: undefined };
  private readonly quietUntil = { spike: 0, swing: 0 };
  private spikeEndedAt = Number.NEGATIVE_INFINITY;
  /** newest first */
  private readonly kept: MoodMoment[] = [];

  constructor(private readonly channel: string) {}

  onMessage(sample: MoodSample): void {
    const { spike, swing } = this.open;
    if (spike) {
      spike.messages++;
      spike.scoreSum += sample.score;
    }
    if (swing) {
      swing.messages++;
      swing.scoreSum += sample.score;
    }
  }

  /** once a second: takes the channel's closed bins, then starts, moves or ends moments (into `changed`) */
  check(ch: ChannelWindows, now: number, changed: MoodMoment[]): void {
    for (const bin of ch.bins) {
      this.pending.push(bin);
      if (this.pending.length > FEED_DELAY_BINS) this.feed(this.pending.shift()!);
    }
    ch.bins.length = 0;
    const spike = this.checkSpike(ch, now);
    if (spike) changed.push({ ...spike });
    const swing = this.checkSwing(ch, now);
    if (swing) changed.push({ ...swing });
    // while a moment is open its messages are counted into it as they come
    ch.listener = this.open.spike !== undefined || this.open.swing !== undefined ? this : undefined;
  }

  /** a channel untracked or Lurk stopping: its open moments end now (into `ended`) */
  endOpen(now: number, ended: MoodMoment[]): void {
    if (this.open.spike) ended.push({ ...this.end('spike', now) });
    if (this.open.swing) ended.push({ ...this.end('swing', now) });
  }

  moments(): MoodMoment[] {
    return this.kept.map((m) => ({ ...m }));
  }

  bytes(): number {
    return 256 + this.kept.length * 1500;
  }

  private feed(bin: BinTotals): void {
    this.quietBins = bin.messages === 0 ? this.quietBins + 1 : 0;
    if (this.quietBins >= WARMUP_BINS) {
      this.weight = this.ewMessages = this.ewScore = this.ewSquares = this.binsFed = 0;
      return;
    }
    this.weight = this.weight * DECAY + 1;
    this.ewMessages = this.ewMessages * DECAY + bin.messages;
    this.ewScore = this.ewScore * DECAY + bin.scoreSum;
    this.ewSquares = this.ewSquares * DECAY + bin.scoreSquares;
    this.binsFed++;
  }

  /** messages the baseline expects in the recent 30 s */
  private expectedRecent(): number {
    return this.weight > 0 ? (this.ewMessages / this.weight) * (RECENT_SECONDS / BIN_SECONDS) : 0;
  }

  private baselineScore(): number | null {
    return this.ewMessages > 0 ? this.ewScore / this.ewMessages : null;
  }

  private checkSpike(ch: ChannelWindows, now: number): MoodMoment | undefined {
    const recent = ch.totals(RECENT);
    const count = recent.messages;
    const expected = this.expectedRecent();
    const m = this.open.spike;
    if (m) {
      const ended =
        count <= Math.max(SPIKE_END_FACTOR * m.baselineCount + 2 * Math.sqrt(m.baselineCount), SPIKE_END_NEW_NORMAL * expected, SPIKE_MIN_MESSAGES / 2) || now - m.startedAt >= MAX_DURATION_MS;
      if (ended) return this.end('spike', now);
      if (count <= m.peak) return undefined;
      m.peak = count;
      this.peakAt(m, ch, now, (count * 60) / RECENT_SECONDS);
      return this.pushPeak(m);
    }
    if (this.binsFed < WARMUP_BINS || now < this.quietUntil.spike) return undefined;
    if (count < SPIKE_MIN_MESSAGES || count < SPIKE_FACTOR * expected || count < expected + SPIKE_Z * Math.sqrt(expected)) return undefined;
    const { counts } = ch.perSecond(RECENT_SECONDS);
    const startedAt = ch.currentSecondMs() - (RECENT_SECONDS - 1 - burstStart(counts, expected / RECENT_SECONDS)) * 1000;
    const mean = count > 0 ? recent.scoreSum / count : 0;
    const label: MoodLabel = moodOf(mean) ?? 'neutral';
    return this.start('spike', ch, now, startedAt, {
      peak: count,
      baselineCount: expected,
      messages: count,
      scoreSum: recent.scoreSum,
      label,
      rate: (count * 60) / RECENT_SECONDS,
    });
  }

  private checkSwing(ch: ChannelWindows, now: number): MoodMoment | undefined {
    const minute = ch.totals(1);
    const n = minute.messages;
    const base = this.baselineScore();
    const mean = n > 0 ? minute.scoreSum / n : null;
    const delta = mean !== null && base !== null ? mean - base : 0;
    const m = this.open.swing;
    if (m) {
      const nearStart = mean === null || Math.abs(mean - m.baselineScore) < SWING_MIN_DELTA / 2;
      const nearNow = Math.abs(delta) < SWING_MIN_DELTA / 2;
      if (nearStart || nearNow || n < SWING_MIN_MESSAGES / 2 || now - m.startedAt >= MAX_DURATION_MS) return this.end('swing', now);
      const away = Math.abs((mean ?? 0) - m.baselineScore);
      if (away <= m.peak) return undefined;
      m.peak = away;
      this.peakAt(m, ch, now, n);
      return this.pushPeak(m);
    }
    if (this.binsFed < WARMUP_BINS || now < this.quietUntil.swing || base === null || mean === null) return undefined;
    // a burst moves the mood of the minute it fills: that is the spike's mood (its mean score
    // against its baseline score), not a second moment, even before the spike is sure of itself
    if (this.open.spike || now < this.spikeEndedAt + SWING_WINDOW_MS) return undefined;
    const usual = this.expectedRecent();
    if (n > SWING_MAX_RATE_FACTOR * usual * (SWING_WINDOW_MS / 1000 / RECENT_SECONDS) || ch.totals(RECENT).messages > 2 * SWING_MAX_RATE_FACTOR * usual) return undefined;
    if (this.ewMessages < SWING_BASELINE_MESSAGES || n < SWING_MIN_MESSAGES) return undefined;
    const variance = Math.max(MIN_SCORE_VARIANCE, this.ewSquares / this.ewMessages - base * base);
    if (Math.abs(delta) < Math.max(SWING_MIN_DELTA, SWING_Z * Math.sqrt(variance / n))) return undefined;
    const { counts, scores } = ch.perSecond(60);
    const sign = Math.sign(delta);
    // the turn began where its CUSUM peaks: each message's distance from the baseline in the
    // swing's direction, less half the shift, so the chat before the turn adds up to below zero
    const drift = Math.abs(delta) / 2;
    const startedAt = ch.currentSecondMs() - (60 - 1 - bestSuffixStart(scores.map((s, i) => sign * (s - base * counts[i]!) - drift * counts[i]!))) * 1000;
    return this.start('swing', ch, now, startedAt, {
      peak: Math.abs(delta),
      baselineCount: this.expectedRecent(),
      messages: n,
      scoreSum: minute.scoreSum,
      label: delta > 0 ? 'positive' : 'negative',
      rate: n,
    });
  }

  private start(
    kind: Kind,
    ch: ChannelWindows,
    now: number,
    startedAt: number,
    o: { peak: number; baselineCount: number; messages: number; scoreSum: number; label: MoodLabel; rate: number },
  ): MoodMoment {
    const mean = o.messages > 0 ? o.scoreSum / o.messages : null;
    const wire: MoodMoment = {
      id: `${this.channel}:${startedAt}:${kind}`,
      login: this.channel,
      kind,
      started_at: new Date(startedAt).toISOString(),
      peak_at: new Date(now).toISOString(),
      ended_at: null,
      peak_rate: o.rate,
      baseline_rate: (o.baselineCount * 60) / RECENT_SECONDS,
      mean_score: mean,
      baseline_score: this.baselineScore(),
      mood: moodOf(mean),
      top_emotes: [],
      examples: [],
    };
    const m: OpenMoment = {
      wire,
      startedAt,
      peak: o.peak,
      pushedPeak: o.peak,
      baselineCount: o.baselineCount,
      baselineScore: this.baselineScore() ?? 0,
      messages: o.messages,
      scoreSum: o.scoreSum,
      label: o.label,
    };
    this.open[kind] = m;
    this.peakAt(m, ch, now, o.rate);
    this.kept.unshift(wire);
    if (this.kept.length > KEPT_MOMENTS) this.kept.pop();
    return wire;
  }

  private peakAt(m: OpenMoment, ch: ChannelWindows, now: number, rate: number): void {
    const w = m.wire;
    w.peak_at = new Date(now).toISOString();
    w.peak_rate = rate;
    w.mean_score = m.messages > 0 ? m.scoreSum / m.messages : null;
    w.mood = moodOf(w.mean_score);
    w.top_emotes = ch.topEmotes(1, TOP_EMOTES);
    w.examples = chooseExamples(ch.samples, m.startedAt, now, m.label, w.top_emotes);
  }

  private pushPeak(m: OpenMoment): MoodMoment | undefined {
    if (m.peak < m.pushedPeak * PEAK_PUSH_FACTOR) return undefined;
    m.pushedPeak = m.peak;
    return m.wire;
  }

  private end(kind: Kind, now: number): MoodMoment {
    const m = this.open[kind]!;
    m.wire.ended_at = new Date(now).toISOString();
    m.wire.mean_score = m.messages > 0 ? m.scoreSum / m.messages : null;
    m.wire.mood = moodOf(m.wire.mean_score);
    this.open[kind] = undefined;
    this.quietUntil[kind] = now + COOLDOWN_MS;
    if (kind === 'spike') this.spikeEndedAt = now;
    return m.wire;
  }
}

/**
 * Where a burst began among the last seconds' counts: the start of the suffix that is least likely
 * to be the baseline's Poisson chat (the largest log-likelihood ratio of its own rate against the
 * baseline's). A stray message a few seconds before the burst lowers the ratio and stays out.
 */
function burstStart(counts: readonly number[], perSecond: number): number {
  const expected = Math.max(perSecond, 1e-3);
  let n = 0;
  let best = Number.NEGATIVE_INFINITY;
  let at = counts.length - 1;
  for (let i = counts.length - 1; i >= 0; i--) {
    n += counts[i]!;
    const mean = expected * (counts.length - i);
    const ratio = n > 0 ? n * Math.log(n / mean) - n + mean : mean;
    if (n > mean && ratio > best) {
      best = ratio;
      at = i;
    }
  }
  return at;
}

/** the index where the suffix of `xs` with the largest sum begins (the last index when none is positive) */
function bestSuffixStart(xs: number[]): number {
  let sum = 0;
  let best = Number.NEGATIVE_INFINITY;
  let at = xs.length - 1;
  for (let i = xs.length - 1; i >= 0; i--) {
    sum += xs[i]!;
    if (sum > best) {
      best = sum;
      at = i;
    }
  }
  return at;
}

/**
 * A few messages that show the moment: from the channel's last samples, sent since it started,
 * one per user, no commands; those with the moment's label and its top emotes first, then the
 * latest (the ring holds the peak's messages when this runs at a peak).
 */
export function chooseExamples(samples: readonly (MoodSample | undefined)[], since: number, now: number, label: MoodLabel, top: readonly EmoteCount[]): MomentExample[] {
  const topNames = new Set(top.map((e) => e.name));
  const candidates: { sample: MoodSample; rank: number }[] = [];
  for (const sample of samples) {
    if (!sample || sample.at < since - 999 || sample.at > now || sample.text.startsWith('!') || sample.text.trim() === '') continue;
    let rank = sample.label === label ? 2 : 0;
    for (const e of sample.emotes) if (topNames.has(e)) rank++;
    candidates.push({ sample, rank });
  }
  candidates.sort((a, b) => b.rank - a.rank || b.sample.at - a.sample.at);
  const users = new Set<string>();
  const out: MomentExample[] = [];
  for (const { sample } of candidates) {
    if (users.has(sample.user)) continue;
    users.add(sample.user);
    out.push({ at: new Date(sample.at).toISOString(), user: sample.user, text: sample.text, label: sample.label });
    if (out.length === EXAMPLES) break;
  }
  return out;
}
