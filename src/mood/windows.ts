// Mood's live windows, in memory: createMoodEngine() keeps every tracked channel's rolling 1-, 5-
// and 15-minute windows, closes its minutes for the store and watches it for moments. The
// contract is src/mood/engine.ts; times are Lurk's clock, always passed in.
//
// What the numbers mean:
// - a window at `now` holds the seconds (now - length, now], so a message at second s leaves the
//   1-minute window at s + 60; a message stamped before the latest one counted (the bus delivers
//   in order, so it is late by a hair) counts in the latest second;
// - messages_per_minute counts quiet minutes as zero; while tracking has run for less than the
//   window it divides by the time tracked instead (at least 1 s), see ChannelWindows.coveredSeconds;
// - a minute row is handed out once, by tick() (every tracked channel, every minute, quiet ones as
//   zeros), by untrack() (the partial minute) or by flush() (the partial minutes); rows of one
//   minute add up, so the store upserts them by adding (chatters excepted: it keeps the larger);
// - moments: src/mood/moments.ts.
import { ChannelWindows } from './channel-windows.js';
import type { EngineTick, MinuteAggregate, MoodEngine, MoodSample } from './engine.js';
import { MomentDetector } from './moments.js';
import type { MoodMoment, MoodWindows } from './types.js';

export interface MoodEngineOptions {
  /** channels tracked from the start, at `now` */
  channels?: readonly string[];
  now?: number;
}

export function createMoodEngine(options: MoodEngineOptions = {}): MoodEngine {
  // two maps: the hot path looks up the windows only
  const channels = new Map<string, ChannelWindows>();
  const detectors = new Map<string, MomentDetector>();
  /** minutes closed by channels untracked before a tick could hand them out */
  let orphans: MinuteAggregate[] = [];
  /** moments ended by untrack() or flush(), not yet handed out */
  let ended: MoodMoment[] = [];
  let names: readonly string[] = [];

  const engine: MoodEngine = {
    track(channel, now) {
      if (channels.has(channel)) return;
      channels.set(channel, new ChannelWindows(channel, now));
      detectors.set(channel, new MomentDetector(channel));
      names = [...channels.keys()];
    },
    untrack(channel, now) {
      const c = channels.get(channel);
      if (!c) return undefined;
      c.advance(now);
      c.takeClosed(orphans);
      detectors.get(channel)?.endOpen(now, ended);
      channels.delete(channel);
      detectors.delete(channel);
      names = [...channels.keys()];
      return c.takePartialMinute();
    },
    tracked() {
      return names;
    },
    message(channel: string, sample: MoodSample) {
      channels.get(channel)?.message(sample);
    },
    subs(channel, at, count) {
      channels.get(channel)?.subs(at, count);
    },
    windows(channel, now): MoodWindows | undefined {
      const w = channels.get(channel);
      if (!w) return undefined;
      w.advance(now);
      return { '1m': w.window(1, now), '5m': w.window(2, now), '15m': w.window(3, now) };
    },
    sparkline(channel, now) {
      const c = channels.get(channel);
      if (!c) return [];
      c.advance(now);
      return c.sparkline();
    },
    tick(now): EngineTick {
      const minutes = orphans;
      orphans = [];
      const moments = ended;
      ended = [];
      for (const [channel, c] of channels) {
        c.advance(now);
        c.takeClosed(minutes);
        detectors.get(channel)!.check(c, now, moments);
      }
      return { minutes, moments };
    },
    current(channel, now) {
      const c = channels.get(channel);
      if (!c) return undefined;
      c.advance(now);
      return c.peekMinute();
    },
    flush(now) {
      const rows = orphans;
      orphans = [];
      for (const [channel, c] of channels) {
        c.advance(now);
        c.takeClosed(rows);
        rows.push(c.takePartialMinute());
        detectors.get(channel)!.endOpen(now, ended);
      }
      return rows;
    },
    endedMoments() {
      const out = ended;
      ended = [];
      return out;
    },
    moments(channel) {
      return detectors.get(channel)?.moments() ?? [];
    },
    memory() {
      let bytes = 0;
      for (const [channel, c] of channels) bytes += c.bytes() + detectors.get(channel)!.bytes();
      return { channels: channels.size, bytes };
    },
  };
  if (options.channels?.length && options.now === undefined) throw new Error('createMoodEngine: channels need `now`, the time their windows start');
  for (const channel of options.channels ?? []) engine.track(channel, options.now!);
  return engine;
}
