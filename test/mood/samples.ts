// Shared by the Mood engine's tests: samples with explicit times.
import type { MoodLabel } from '../../src/mood/classifier/types.js';
import type { MoodSample } from '../../src/mood/engine.js';

/** 2026-01-01T12:00:00Z, a whole minute */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

let serial = 0;
export function sample(at: number, user: string, label: MoodLabel = 'neutral', extra: Partial<MoodSample> = {}): MoodSample {
  const score = label === 'positive' ? 0.5 : label === 'negative' ? -0.5 : 0;
  return { id: `m${++serial}`, at, user, text: `message ${serial}`, label, score, emotes: [], bits: 0, ...extra };
}
