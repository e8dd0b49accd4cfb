// Shared by the Mood engine's tests: samples with explicit times, and a small seeded PRNG for
// reproducible Poisson chat.
import type { MoodLabel } from '../../src/mood/classifier/types.js';
import type { MoodSample } from '../../src/mood/engine.js';

/** 2026-01-01T12:00:00Z, a whole minute */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

let serial = 0;
export function sample(at: number, user: string, label: MoodLabel = 'neutral', extra: Partial<MoodSample> = {}): MoodSample {
  const score = label === 'positive' ? 0.5 : label === 'negative' ? -0.5 : 0;
  return { id: `m${++serial}`, at, user, text: `message ${serial}`, label, score, emotes: [], bits: 0, ...extra };
}

/** mulberry32: a tiny deterministic PRNG, uniform in [0, 1) */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** a Poisson count with mean `mean` (Knuth's method below 30, a rounded normal above) */
export function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const u = 1 - random();
    const v = random();
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}
