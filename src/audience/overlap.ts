// Overlap between watched channels, counted from per-user activity in SQL (AudienceStore's
// periodOverlap and dayOverlap: a self-join on the user), and the daily ranking of each
// channel's most similar channels made from a day's pairs. TwitchOverlap's probability is
// shared / the channel's users shared with any other channel ("The probability score is
// calculated by channel_shared/total_shared").
import { type AudienceStore, type DayOverlap, utcDay } from './store.js';
import type { OverlapResponse } from './types.js';

export type { DayOverlap };

export interface SimilarRow {
  channel: string;
  other: string;
  rank: number;
  shared: number;
  probability: number;
}

/** each of `channels`' most similar channels that day by shared users (ties by name), the first `top` */
export function rankSimilar(o: DayOverlap, channels: Iterable<string>, top = 10): SimilarRow[] {
  const wanted = new Set(channels);
  const by = new Map<string, { other: string; shared: number }[]>();
  for (const p of o.pairs) {
    if (!wanted.has(p.a)) continue;
    let list = by.get(p.a);
    if (!list) by.set(p.a, (list = []));
    list.push({ other: p.b, shared: p.shared });
  }
  const rows: SimilarRow[] = [];
  for (const [channel, list] of [...by].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const any = o.sharedAny.get(channel) ?? 0;
    list.sort((x, y) => y.shared - x.shared || (x.other < y.other ? -1 : 1));
    for (const [i, s] of list.slice(0, top).entries()) rows.push({ channel, other: s.other, rank: i + 1, shared: s.shared, probability: any > 0 ? s.shared / any : 0 });
  }
  return rows;
}

const DAY_MS = 24 * 3_600_000;

/**
 * GET /api/audience/overlap: the channel's overlap over the last `days` × 24 h, and its daily
 * ranking over the same days: the stored ranking of past days, today's counted now.
 */
export async function overlapAnswer(store: AudienceStore, channel: string, days: 1 | 3 | 7, now: number): Promise<OverlapResponse> {
  const from = now - days * DAY_MS;
  const period = await store.periodOverlap(channel, from, now);
  const today = utcDay(now);
  const ranking = (await store.similar(channel, utcDay(from), today)).filter((d) => d.day !== today);
  const live = rankSimilar(await store.dayOverlap(today, channel), [channel]);
  if (live.length > 0) ranking.push({ day: today, ranks: live.map((r) => ({ channel: r.other, rank: r.rank, shared: r.shared, probability: r.probability })) });
  return { channel, days, from: new Date(from).toISOString(), to: new Date(now).toISOString(), audience: period.audience, shared_any: period.shared_any, others: period.others, ranking };
}
