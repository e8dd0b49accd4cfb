// The contract between Mood's live windows (src/mood/windows.ts, in memory, fed from the bus) and
// the service that stores and serves them. Types only.
import type { MoodLabel } from './classifier/types.js';
import type { EmoteCount, MoodMoment, MoodWindows } from './types.js';

/** one classified chat message as the windows count it */
export interface MoodSample {
  /** Twitch's message id */
  id: string;
  /** Lurk's clock, ms */
  at: number;
  /** the sender's login (chatters are counted by it) */
  user: string;
  text: string;
  label: MoodLabel;
  score: number;
  /** emote names used, each once */
  emotes: readonly string[];
  bits: number;
}

/** one closed minute of one channel, as the store keeps it for good */
export interface MinuteAggregate {
  channel: string;
  /** the minute's start, ms since the epoch (a multiple of 60,000) */
  minute: number;
  messages: number;
  chatters: number;
  positive: number;
  neutral: number;
  negative: number;
  scoreSum: number;
  bits: number;
  subs: number;
  topEmotes: EmoteCount[];
}

export interface EngineTick {
  /** minutes that closed since the last tick (every tracked channel gets a row per minute, quiet ones too) */
  minutes: MinuteAggregate[];
  /** moments that started, changed or ended since the last tick */
  moments: MoodMoment[];
}

export interface MoodEngine {
  /** starts counting a channel (its windows start empty at `now`) */
  track(channel: string, now: number): void;
  /**
   * forgets a channel; its current minute is returned so it is not lost (minutes it closed before
   * and no tick has handed out yet come with the next tick); its open moments end at `now` and
   * come with endedMoments() or the next tick
   */
  untrack(channel: string, now: number): MinuteAggregate | undefined;
  tracked(): readonly string[];
  /** the hot path: one classified message (ignored for untracked channels) */
  message(channel: string, sample: MoodSample): void;
  /** subs (a gift of N counts N) */
  subs(channel: string, at: number, count: number): void;
  /** every window of a channel at `now`, undefined if not tracked */
  windows(channel: string, now: number): MoodWindows | undefined;
  /** messages per minute, per minute, the last 15 minutes, oldest first */
  sparkline(channel: string, now: number): number[];
  /** the channel's open minute so far, left open (a series' last point); undefined if not tracked */
  current(channel: string, now: number): MinuteAggregate | undefined;
  /** called once a second: closes minutes, detects moments */
  tick(now: number): EngineTick;
  /**
   * for a graceful stop: every minute not yet handed out, closed ones and each tracked channel's
   * current partial minute; the partial minutes' counters start again from zero, so rows are meant
   * to be added to what the store holds (an upsert that adds), never to replace it; every open
   * moment ends at `now` (see endedMoments)
   */
  flush(now: number): MinuteAggregate[];
  /** moments that untrack() or flush() ended and no tick has handed out yet (each handed out once) */
  endedMoments(): MoodMoment[];
  /** moments still in memory for a channel (open and recent), newest first */
  moments(channel: string): MoodMoment[];
  /** bytes the engine holds per tracked channel, roughly, for /metrics and the benchmark */
  memory(): { channels: number; bytes: number };
}
