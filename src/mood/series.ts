// Stored minutes as a series of 1-minute, 5-minute or hourly points.
import type { MinuteRow } from './store.js';
import type { MoodSeriesPoint, SeriesStep } from './types.js';

export const STEP_MS: Record<SeriesStep, number> = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000 };

/** points one request may ask for (a day of minutes, five days of 5 minutes, two months of hours) */
export const MAX_POINTS = 1440;

/** [from, to) widened to whole steps (UTC) */
export function alignRange(from: number, to: number, step: SeriesStep): { from: number; to: number; points: number } {
  const ms = STEP_MS[step];
  const start = Math.floor(from / ms) * ms;
  const end = Math.ceil(to / ms) * ms;
  return { from: start, to: end, points: (end - start) / ms };
}

/**
 * One point per step that has stored minutes (a step Lurk did not track is absent, not zero).
 * Counts add up; chatters of a longer step are its busiest minute's (distinct chatters across
 * minutes are not kept).
 */
export function bucketMinutes(rows: readonly MinuteRow[], step: SeriesStep): MoodSeriesPoint[] {
  const ms = STEP_MS[step];
  const buckets = new Map<number, { point: MoodSeriesPoint; scoreSum: number }>();
  for (const r of rows) {
    const t = Math.floor(r.minute / ms) * ms;
    let b = buckets.get(t);
    if (!b) {
      b = { point: { t: new Date(t).toISOString(), messages: 0, chatters: 0, positive: 0, neutral: 0, negative: 0, mean_score: null, bits: 0, subs: 0 }, scoreSum: 0 };
      buckets.set(t, b);
    }
    const p = b.point;
    p.messages += r.messages;
    p.chatters = Math.max(p.chatters, r.chatters);
    p.positive += r.positive;
    p.neutral += r.neutral;
    p.negative += r.negative;
    p.bits += r.bits;
    p.subs += r.subs;
    b.scoreSum += r.scoreSum;
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => ({ ...b.point, mean_score: b.point.messages > 0 ? round(b.scoreSum / b.point.messages) : null }));
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
