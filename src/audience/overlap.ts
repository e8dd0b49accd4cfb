// Overlap between watched channels, counted from per-user activity (audience_activity) in SQL:
// a self-join on the user. Over a period (the last 1, 3 or 7 × 24 h: a user counts when their last
// signal in the channel falls in it) for the routes, and over one UTC day for the daily ranking
// and the community map. TwitchOverlap's probability is shared / the channel's users shared with
// any other channel ("The probability score is calculated by channel_shared/total_shared").
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.js';
import type { OverlapRow } from './types.js';

export interface PeriodOverlap {
  audience: number;
  shared_any: number;
  others: OverlapRow[];
}

/** the channel's overlap with every other channel over [from, to), most shared first, the first `limit` */
export async function periodOverlap(db: Kysely<Database>, channel: string, from: number, to: number, limit = 100): Promise<PeriodOverlap> {
  // the channel's users in the period (the index on channel, last_at, viewer covers it), then
  // each one's other channels (the index on viewer, last_at, channel)
  const mine = sql`select distinct viewer from audience_activity where channel = ${channel} and last_at >= ${from} and last_at < ${to}`;
  const theirs = sql`select distinct o.channel, o.viewer from audience_activity o join (${mine}) m on o.viewer = m.viewer where o.last_at >= ${from} and o.last_at < ${to} and o.channel <> ${channel}`;
  const totals = await sql<{ audience: number | string; shared_any: number | string }>`
    select (select count(*) from (${mine}) a) as audience, (select count(distinct t.viewer) from (${theirs}) t) as shared_any`.execute(db);
  const audience = Number(totals.rows[0]?.audience ?? 0);
  const sharedAny = Number(totals.rows[0]?.shared_any ?? 0);
  if (sharedAny === 0) return { audience, shared_any: 0, others: [] };
  const shared = await sql<{ channel: string; shared: number | string }>`
    select t.channel as channel, count(*) as shared from (${theirs}) t group by t.channel order by shared desc, channel limit ${limit}`.execute(db);
  const others = shared.rows.map((r) => r.channel);
  const sizes = await sql<{ channel: string; users: number | string }>`
    select channel, count(distinct viewer) as users from audience_activity
    where channel in (${sql.join(others)}) and last_at >= ${from} and last_at < ${to} group by channel`.execute(db);
  const size = new Map(sizes.rows.map((r) => [r.channel, Number(r.users)]));
  return {
    audience,
    shared_any: sharedAny,
    others: shared.rows.map((r) => {
      const n = Number(r.shared);
      return { channel: r.channel, shared: n, share_of_channel: audience > 0 ? n / audience : 0, share_of_other: n / (size.get(r.channel) ?? n), probability: n / sharedAny };
    }),
  };
}

export interface DayOverlap {
  /** each channel's active users that day */
  audience: Map<string, number>;
  /** each channel's users also active in another channel that day */
  sharedAny: Map<string, number>;
  /** every ordered pair with shared users (a, b and b, a both), shared > 0 */
  pairs: { a: string; b: string; shared: number }[];
}

/** every pair of channels' shared users on a UTC day (rows of one day are unique per channel and user) */
export async function dayOverlap(db: Kysely<Database>, day: string): Promise<DayOverlap> {
  const sizes = await sql<{ channel: string; users: number | string }>`select channel, count(*) as users from audience_activity where day = ${day} group by channel`.execute(db);
  const any = await sql<{ channel: string; users: number | string }>`
    select a.channel as channel, count(*) as users from audience_activity a
    where a.day = ${day} and exists (select 1 from audience_activity b where b.day = a.day and b.viewer = a.viewer and b.channel <> a.channel)
    group by a.channel`.execute(db);
  const pairs = await sql<{ a: string; b: string; shared: number | string }>`
    select a.channel as a, b.channel as b, count(*) as shared from audience_activity a
    join audience_activity b on b.day = a.day and b.viewer = a.viewer and b.channel <> a.channel
    where a.day = ${day} group by a.channel, b.channel`.execute(db);
  return {
    audience: new Map(sizes.rows.map((r) => [r.channel, Number(r.users)])),
    sharedAny: new Map(any.rows.map((r) => [r.channel, Number(r.users)])),
    pairs: pairs.rows.map((r) => ({ a: r.a, b: r.b, shared: Number(r.shared) })),
  };
}

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
