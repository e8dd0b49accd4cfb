// Mood's live windows, in memory: createMoodEngine() keeps every tracked channel's rolling 1-, 5-
// and 15-minute windows, closes its minutes for the store and watches it for moments. Times are
// Lurk's clock, always passed in. The contract is src/mood/engine.ts.
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
      orphans.push(...c.takeClosed());
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
      const moments: MoodMoment[] = [];
      for (const [channel, c] of channels) {
        c.advance(now);
        for (const row of c.takeClosed()) minutes.push(row);
        for (const m of detectors.get(channel)!.check(c, now)) moments.push(m);
      }
      return { minutes, moments };
    },
    flush(now) {
      const rows = orphans;
      orphans = [];
      for (const c of channels.values()) {
        c.advance(now);
        for (const row of c.takeClosed()) rows.push(row);
        rows.push(c.takePartialMinute());
      }
      return rows;
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
