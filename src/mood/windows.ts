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

interface Tracked {
  windows: ChannelWindows;
  moments: MomentDetector;
}

export function createMoodEngine(options: MoodEngineOptions = {}): MoodEngine {
  const channels = new Map<string, Tracked>();
  /** minutes closed by channels untracked before a tick could hand them out */
  let orphans: MinuteAggregate[] = [];
  let names: readonly string[] = [];

  const engine: MoodEngine = {
    track(channel, now) {
      if (channels.has(channel)) return;
      channels.set(channel, { windows: new ChannelWindows(channel, now), moments: new MomentDetector(channel) });
      names = [...channels.keys()];
    },
    untrack(channel, now) {
      const c = channels.get(channel);
      if (!c) return undefined;
      c.windows.advance(now);
      orphans.push(...c.windows.takeClosed());
      channels.delete(channel);
      names = [...channels.keys()];
      return c.windows.takePartialMinute();
    },
    tracked() {
      return names;
    },
    message(channel: string, sample: MoodSample) {
      const c = channels.get(channel);
      if (c === undefined) return;
      c.windows.message(sample);
      if (c.moments.counting) c.moments.onMessage(sample);
    },
    subs(channel, at, count) {
      channels.get(channel)?.windows.subs(at, count);
    },
    windows(channel, now): MoodWindows | undefined {
      const c = channels.get(channel);
      if (!c) return undefined;
      const w = c.windows;
      w.advance(now);
      return { '1m': w.window(1, now), '5m': w.window(2, now), '15m': w.window(3, now) };
    },
    sparkline(channel, now) {
      const c = channels.get(channel);
      if (!c) return [];
      c.windows.advance(now);
      return c.windows.sparkline();
    },
    tick(now): EngineTick {
      const minutes = orphans;
      orphans = [];
      const moments: MoodMoment[] = [];
      for (const c of channels.values()) {
        c.windows.advance(now);
        for (const row of c.windows.takeClosed()) minutes.push(row);
        for (const m of c.moments.check(c.windows, now)) moments.push(m);
      }
      return { minutes, moments };
    },
    flush(now) {
      const rows = orphans;
      orphans = [];
      for (const c of channels.values()) {
        c.windows.advance(now);
        for (const row of c.windows.takeClosed()) rows.push(row);
        rows.push(c.windows.takePartialMinute());
      }
      return rows;
    },
    moments(channel) {
      return channels.get(channel)?.moments.moments() ?? [];
    },
    memory() {
      let bytes = 0;
      for (const c of channels.values()) bytes += c.windows.bytes() + c.moments.bytes();
      return { channels: channels.size, bytes };
    },
  };
  if (options.channels?.length && options.now === undefined) throw new Error('createMoodEngine: channels need `now`, the time their windows start');
  for (const channel of options.channels ?? []) engine.track(channel, options.now!);
  return engine;
}
