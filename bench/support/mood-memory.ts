// What a tracked channel costs Mood's live windows in memory: an engine tracking N channels fed
// 15 simulated minutes (its longest window) of chat spread as on Twitch, a few channels busy and
// most quiet, measured as heap and typed-array memory kept after a full collection; beside the
// naive way to keep the same windows, a Map of each channel to every message of its last 15 minutes.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MoodSample } from '../../src/mood/engine.js';
import type { MoodLabel } from '../../src/mood/classifier/types.js';
import { createMoodEngine } from '../../src/mood/windows.js';
import { mulberry32 } from './streams.js';

/** a classified message to draw texts from; its sender and id are made fresh for every copy */
export interface SampleText {
  text: string;
  label: MoodLabel;
  score: number;
  emotes: readonly string[];
}

/** messages a minute of the busiest channel; channel k of N gets BUSIEST / (k + 1)^1.1 (Zipf, as audiences are) */
const BUSIEST = 3000;
const MINUTES = 15;
const START = Date.UTC(2026, 10, 22, 18);

/** the garbage collector, exposed for this process even when node was started without --expose-gc */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface Traffic {
  channels: string[];
  /** calls `message` for every message of 15 simulated minutes and `second` after each second */
  play(message: (channel: string, sample: MoodSample) => void, second: (now: number) => void): number;
}

export function traffic(n: number, texts: readonly SampleText[]): Traffic {
  const channels = Array.from({ length: n }, (_, k) => `mood_channel_${k}`);
  const perSecond = channels.map((_, k) => BUSIEST / (k + 1) ** 1.1 / 60);
  // chatters seen in 15 minutes: most of a quiet channel's messages come from a few regulars
  const chatters = perSecond.map((r) => Math.ceil(5 + r * 60 * MINUTES * 0.4));
  return {
    channels,
    play(message, second) {
      // seeded, so both sides see the same traffic
      const rng = mulberry32(12);
      let sent = 0;
      for (let s = 0; s < MINUTES * 60; s++) {
        const t = START + s * 1000;
        for (let k = 0; k < n; k++) {
          const r = perSecond[k]!;
          const count = Math.floor(r) + (rng() < r % 1 ? 1 : 0);
          for (let j = 0; j < count; j++) {
            const from = texts[(sent + k) % texts.length]!;
            // fresh strings, as the parser makes for every message
            const user = `u${k}_${Math.floor(rng() * chatters[k]!)}`;
            message(channels[k]!, { id: `m${sent}`, at: t + Math.floor((j * 1000) / count), user, text: from.text, label: from.label, score: from.score, emotes: from.emotes, bits: 0 });
            sent++;
          }
        }
        second(t + 1000);
      }
      return sent;
    },
  };
}

export interface MemoryFigures {
  channels: number;
  messages: number;
  /** heap and typed-array memory the engine keeps per channel, after a full collection */
  engineBytes: number;
  /** what the engine says it holds per channel (engine.memory()) */
  engineReported: number;
  /** heap per channel of a Map of channel → every message of its last 15 minutes */
  mapBytes: number;
}

/** the JS heap and typed arrays' backing stores, which live outside it (the windows' rings are Int32Arrays) */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Collects until the figure stops falling: typed arrays' backing stores are freed after the
 * collection that found them dead, a turn or more later, so one gc() can still count the last
 * measurement's rings.
 */
async function settled(gc: () => void): Promise<number> {
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    const now = used();
    if (now >= last) return now;
    last = now;
  }
  return last;
}

/** memory kept by what `build` returns, after full collections on each side */
async function heapKept(gc: () => void, build: () => unknown): Promise<number> {
  const before = await settled(gc);
  const kept = build();
  const bytes = (await settled(gc)) - before;
  // held until measured, so the collector cannot take it first
  void kept;
  return bytes;
}

export async function measureMemory(n: number, texts: readonly SampleText[]): Promise<MemoryFigures> {
  const gc = collector();
  const world = traffic(n, texts);
  let messages = 0;
  let reported = 0;
  const engineBytes = await heapKept(gc, () => {
    const engine = createMoodEngine();
    for (const c of world.channels) engine.track(c, START);
    messages = world.play(
      (c, s) => engine.message(c, s),
      (now) => void engine.tick(now),
    );
    const m = engine.memory();
    reported = m.bytes / m.channels;
    return engine;
  });
  const mapBytes = await heapKept(gc, () => {
    const windows = new Map<string, MoodSample[]>(world.channels.map((c) => [c, []]));
    // every message stays: all of them are within the last 15 minutes
    world.play(
      (c, s) => windows.get(c)!.push(s),
      () => undefined,
    );
    return windows;
  });
  return { channels: n, messages, engineBytes: engineBytes / n, engineReported: reported, mapBytes: mapBytes / n };
}
