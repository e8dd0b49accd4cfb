// Audience's SQL: the watched channels, what one flush of the engine's output writes (in one
// transaction), the reads the routes need, and the hourly prune of per-user rows. The overlap
// queries are in overlap.ts, the map's in map.ts.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { AudienceActivityTable, AudienceMoveCountsTable, AudienceRaidsTable, Database } from '../store/schema.js';
import type { DialectFacts } from '../store/dialect.js';
import type { ActivityRow, EngineEnded, EngineMove, EngineRaid } from './engine.js';
import type { DestinationRow, EndedStream, Evidence, FlowRow, MapResponse, MovePairRow, MoveRow, OverlapRow, RaidRow, WatchSource } from './types.js';

type Db = Kysely<Database> | Transaction<Database>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** rows per INSERT: well under either dialect's parameter limit at 10 columns or fewer */
const CHUNK = 500;
/** per-user rows one prune statement deletes at most (some milliseconds on SQLite) */
const PRUNE_BATCH = 10_000;

export interface ChannelRecord {
  login: string;
  userId: string;
  sources: WatchSource[];
  addedAt: number;
  /** the 'raid' source lasts until then; null without it */
  raidUntil: number | null;
}

/** what one flush hands the store: written in one transaction */
export interface AudienceWrite {
  moves: EngineMove[];
  raids: EngineRaid[];
  ended: EngineEnded[];
  activity: ActivityRow[];
}

/** the UTC day of an epoch-ms time, YYYY-MM-DD */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** the start of a UTC day, epoch ms */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

export class AudienceStore {
  constructor(
    readonly db: Kysely<Database>,
    private readonly facts: Pick<DialectFacts, 'rowLocator' | 'kind'>,
  ) {}

  // ------------------------------------------------------------------ channels

  async channels(): Promise<ChannelRecord[]> {
    const rows = await this.db.selectFrom('audience_channels').selectAll().orderBy('login').execute();
    return rows.map((r) => ({
      login: r.login,
      userId: r.user_id,
      sources: JSON.parse(r.sources) as WatchSource[],
      addedAt: Number(r.added_at),
      raidUntil: r.raid_until === null ? null : Number(r.raid_until),
    }));
  }

  async saveChannel(c: ChannelRecord): Promise<void> {
    const row = { login: c.login, user_id: c.userId, sources: JSON.stringify(c.sources), added_at: c.addedAt, raid_until: c.raidUntil };
    await this.db
      .insertInto('audience_channels')
      .values(row)
      .onConflict((oc) => oc.column('login').doUpdateSet({ user_id: row.user_id, sources: row.sources, raid_until: row.raid_until }))
      .execute();
  }

  async deleteChannel(login: string): Promise<void> {
    await this.db.deleteFrom('audience_channels').where('login', '=', login).execute();
  }

  // ------------------------------------------------------------------ writes

  /**
   * One flush: per-user moves, the hourly counts they add to, raids and ended streams (their
   * latest version), and activity (first and last signal per day, channel and user), in one
   * transaction so that the counts and the rows behind them always agree.
   */
  async write(w: AudienceWrite): Promise<void> {
    if (w.moves.length === 0 && w.raids.length === 0 && w.ended.length === 0 && w.activity.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await insertMoves(trx, w.moves);
      await upsertMoveCounts(trx, w.moves);
      await upsertRaids(trx, w.raids);
      await upsertEnded(trx, w.ended);
      await upsertActivity(trx, w.activity);
    });
  }

  // ------------------------------------------------------------------ reads

  /** moves out of (or into) a channel whose arrival hour begins in [hourOf(from), to), by the other channel, most first */
  async flows(channel: string, direction: 'out' | 'in', from: number, to: number): Promise<FlowRow[]> {
    const [mine, other] = direction === 'out' ? (['from_channel', 'to_channel'] as const) : (['to_channel', 'from_channel'] as const);
    const rows = await this.db
      .selectFrom('audience_move_counts')
      .select((eb) => [eb.ref(other).as('channel'), eb.fn.sum<number>('moves').as('moves'), eb.fn.sum<number>('organic').as('organic'), eb.fn.sum<number>('raid').as('raid')])
      .where(mine, '=', channel)
      .where('hour', '>=', hourOf(from))
      .where('hour', '<', to)
      .groupBy(other)
      .execute();
    return rows.map((r) => ({ channel: r.channel, moves: Number(r.moves), organic: Number(r.organic), raid: Number(r.raid) })).sort((a, b) => b.moves - a.moves || (a.channel < b.channel ? -1 : 1));
  }

  /** moves between pairs of channels in the hours beginning in [hourOf(from), to), summed per pair, most first, with the median gap */
  async movePairs(q: { fromChannel?: string; toChannel?: string; from: number; to: number; limit: number }): Promise<{ total: number; pairs: MovePairRow[] }> {
    let query = this.db.selectFrom('audience_move_counts').where('hour', '>=', hourOf(q.from)).where('hour', '<', q.to);
    if (q.fromChannel !== undefined) query = query.where('from_channel', '=', q.fromChannel);
    if (q.toChannel !== undefined) query = query.where('to_channel', '=', q.toChannel);
    const total = await query.select((eb) => eb.fn.sum<number>('moves').as('moves')).executeTakeFirst();
    const sums = await query
      .select((eb) => ['from_channel', 'to_channel', eb.fn.sum<number>('moves').as('moves'), eb.fn.sum<number>('organic').as('organic'), eb.fn.sum<number>('raid').as('raid')])
      .groupBy(['from_channel', 'to_channel'])
      .orderBy('moves', 'desc')
      .orderBy('from_channel')
      .orderBy('to_channel')
      .limit(q.limit)
      .execute();
    const pairs: MovePairRow[] = [];
    for (const s of sums) {
      // the gap histograms of the pairs shown only: a pair's hours are few next to all pairs' hours
      const hours = await this.db
        .selectFrom('audience_move_counts')
        .select('gaps')
        .where('from_channel', '=', s.from_channel)
        .where('to_channel', '=', s.to_channel)
        .where('hour', '>=', hourOf(q.from))
        .where('hour', '<', q.to)
        .execute();
      const gaps = new Map<number, number>();
      for (const h of hours) addGaps(gaps, JSON.parse(h.gaps) as Record<string, number>);
      pairs.push({ from_channel: s.from_channel, to_channel: s.to_channel, moves: Number(s.moves), organic: Number(s.organic), raid: Number(s.raid), median_gap_seconds: medianOf(gaps) });
    }
    return { total: Number(total?.moves ?? 0), pairs };
  }

  /** per-user moves arriving in [from, to), newest first */
  async moves(q: { fromChannel?: string; toChannel?: string; from: number; to: number; limit: number }): Promise<MoveRow[]> {
    let query = this.db.selectFrom('audience_moves').selectAll().where('joined_at', '>=', q.from).where('joined_at', '<', q.to);
    if (q.fromChannel !== undefined) query = query.where('from_channel', '=', q.fromChannel);
    if (q.toChannel !== undefined) query = query.where('to_channel', '=', q.toChannel);
    const rows = await query.orderBy('joined_at', 'desc').orderBy('viewer').limit(q.limit).execute();
    return rows.map((r) => ({
      user: r.viewer,
      from_channel: r.from_channel,
      to_channel: r.to_channel,
      left_at: iso(r.left_at),
      joined_at: iso(r.joined_at),
      cause: r.cause,
      raid_id: r.raid_id,
      evidence: JSON.parse(r.evidence) as Evidence[],
    }));
  }

  /** raids at [from, to) from or to a channel (any, without one), newest first */
  async raids(q: { channel?: string; from: number; to: number; limit: number }): Promise<RaidRow[]> {
    let query = this.db.selectFrom('audience_raids').selectAll().where('at', '>=', q.from).where('at', '<', q.to);
    const channel = q.channel;
    if (channel !== undefined) query = query.where((eb) => eb.or([eb('from_channel', '=', channel), eb('to_channel', '=', channel)]));
    const rows = await query.orderBy('at', 'desc').orderBy('id').limit(q.limit).execute();
    return rows.map(raidFromRow);
  }

  /** ended streams (of one channel, or any), newest first */
  async ended(q: { channel?: string; limit: number }): Promise<EndedStream[]> {
    let query = this.db.selectFrom('audience_ended').selectAll();
    if (q.channel !== undefined) query = query.where('channel', '=', q.channel);
    const rows = await query.orderBy('ended_at', 'desc').orderBy('channel').limit(q.limit).execute();
    return rows.map((r) => {
      const moves = Number(r.moves);
      return {
        channel: r.channel,
        ended_at: iso(r.ended_at),
        audience: Number(r.audience),
        followed: Number(r.followed),
        raid_share: moves > 0 ? Number(r.raid_moves) / moves : null,
        destinations: JSON.parse(r.destinations) as DestinationRow[],
        final: Number(r.final) === 1,
      };
    });
  }

  // ------------------------------------------------------------------ overlap

  /** the channel's overlap with every other channel over [from, to) (a user counts by their last signal), most shared first, the first `limit` */
  periodOverlap(channel: string, from: number, to: number, limit = 100): Promise<PeriodOverlap> {
    return periodOverlap(this.db, channel, from, to, limit);
  }

  /** every pair of channels' shared users on a UTC day (with `channel`: that channel's pairs, size and shared-any only) */
  dayOverlap(day: string, channel?: string): Promise<DayOverlap> {
    return dayOverlap(this.db, day, channel);
  }

  // ------------------------------------------------------------------ the daily ranking and maps

  /** replaces a day's ranking of the given channels */
  async saveSimilar(day: string, rows: { channel: string; other: string; rank: number; shared: number; probability: number }[]): Promise<void> {
    const channels = [...new Set(rows.map((r) => r.channel))];
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < channels.length; i += CHUNK)
        await trx
          .deleteFrom('audience_similar')
          .where('day', '=', day)
          .where('channel', 'in', channels.slice(i, i + CHUNK))
          .execute();
      const values = rows.map((r) => ({ day, ...r }));
      for (let i = 0; i < values.length; i += CHUNK)
        await trx
          .insertInto('audience_similar')
          .values(values.slice(i, i + CHUNK))
          .execute();
    });
  }

  /** a channel's ranking on the days [fromDay, toDay], oldest first, rank 1 first */
  async similar(channel: string, fromDay: string, toDay: string): Promise<{ day: string; ranks: { channel: string; rank: number; shared: number; probability: number }[] }[]> {
    const rows = await this.db.selectFrom('audience_similar').selectAll().where('channel', '=', channel).where('day', '>=', fromDay).where('day', '<=', toDay).orderBy('day').orderBy('rank').execute();
    const days = new Map<string, { channel: string; rank: number; shared: number; probability: number }[]>();
    for (const r of rows) {
      let ranks = days.get(r.day);
      if (!ranks) days.set(r.day, (ranks = []));
      ranks.push({ channel: r.other, rank: Number(r.rank), shared: Number(r.shared), probability: Number(r.probability) });
    }
    return [...days].map(([day, ranks]) => ({ day, ranks }));
  }

  async saveMap(day: string, map: Omit<MapResponse, 'days'>, computedAt: number): Promise<void> {
    const row = { day, json: JSON.stringify(map), computed_at: computedAt };
    await this.db
      .insertInto('audience_maps')
      .values(row)
      .onConflict((oc) => oc.column('day').doUpdateSet({ json: row.json, computed_at: row.computed_at }))
      .execute();
  }

  async map(day: string): Promise<Omit<MapResponse, 'days'> | undefined> {
    const row = await this.db.selectFrom('audience_maps').select('json').where('day', '=', day).executeTakeFirst();
    return row ? (JSON.parse(row.json) as Omit<MapResponse, 'days'>) : undefined;
  }

  /** days that have a stored map, newest first */
  async mapDays(limit = 366): Promise<string[]> {
    const rows = await this.db.selectFrom('audience_maps').select('day').orderBy('day', 'desc').limit(limit).execute();
    return rows.map((r) => r.day);
  }

  // ------------------------------------------------------------------ prune

  /**
   * Forgets per-user moves that arrived before `before` and per-user activity of days before
   * `before`'s day; how many rows went. In batches with a turn of the event loop between them:
   * better-sqlite3 is synchronous, and one DELETE of millions of rows would hold everything else.
   */
  async prune(before: number, batch = PRUNE_BATCH): Promise<{ moves: number; activity: number }> {
    const row = sql.raw(this.facts.rowLocator);
    const moves = await inBatches(batch, () => sql`delete from audience_moves where ${row} in (select ${row} from audience_moves where joined_at < ${before} limit ${batch})`.execute(this.db));
    const day = utcDay(before);
    const activity = await inBatches(batch, () => sql`delete from audience_activity where ${row} in (select ${row} from audience_activity where day < ${day} limit ${batch})`.execute(this.db));
    return { moves, activity };
  }
}

export interface PeriodOverlap {
  audience: number;
  shared_any: number;
  others: OverlapRow[];
}

/** the channel's overlap with every other channel over [from, to), most shared first, the first `limit` */
async function periodOverlap(db: Kysely<Database>, channel: string, from: number, to: number, limit: number): Promise<PeriodOverlap> {
  // the channel's users in the period (the index on channel, last_at, viewer covers it), then
  // each one's other channels (the index on viewer, last_at, channel)
  const mine = sql`select distinct viewer from audience_activity where channel = ${channel} and last_at >= ${from} and last_at < ${to}`;
  const all = sql`select distinct o.channel, o.viewer from audience_activity o join (${mine}) m on o.viewer = m.viewer where o.last_at >= ${from} and o.last_at < ${to} and o.channel <> ${channel}`;
  // bots in every room are nobody's shared audience (as in dayOverlap)
  const theirs = sql`select t0.channel, t0.viewer from (${all}) t0 where t0.viewer in (select t1.viewer from (${all}) t1 group by t1.viewer having count(*) < ${MAX_SHARED_CHANNELS})`;
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

/** a viewer active in more rooms than this in a day is not counted as shared (README, "Audience") */
export const MAX_SHARED_CHANNELS = 50;

/** every pair of channels' shared users on a UTC day (rows of one day are unique per channel and user) */
async function dayOverlap(db: Kysely<Database>, day: string, channel?: string): Promise<DayOverlap> {
  // one channel's side only (today's ranking, asked live): the PK (day, channel, viewer) leads to it
  const only = channel === undefined ? sql`` : sql` and a.channel = ${channel}`;
  const sizes = await sql<{ channel: string; users: number | string }>`select a.channel as channel, count(*) as users from audience_activity a where a.day = ${day}${only} group by a.channel`.execute(
    db,
  );
  // a viewer in more than MAX_SHARED_CHANNELS rooms that day is a bot sitting in every room: it
  // says nothing of shared audiences, and k rooms would cost k² rows of the self-join below
  const notBots = sql`a.viewer not in (select viewer from audience_activity where day = ${day} group by viewer having count(*) > ${MAX_SHARED_CHANNELS})`;
  const any = await sql<{ channel: string; users: number | string }>`
    select a.channel as channel, count(*) as users from audience_activity a
    where a.day = ${day}${only} and ${notBots} and exists (select 1 from audience_activity b where b.day = a.day and b.viewer = a.viewer and b.channel <> a.channel)
    group by a.channel`.execute(db);
  const pairs = await sql<{ a: string; b: string; shared: number | string }>`
    select a.channel as a, b.channel as b, count(*) as shared from audience_activity a
    join audience_activity b on b.day = a.day and b.viewer = a.viewer and b.channel <> a.channel
    where a.day = ${day}${only} and ${notBots} group by a.channel, b.channel`.execute(db);
  return {
    audience: new Map(sizes.rows.map((r) => [r.channel, Number(r.users)])),
    sharedAny: new Map(any.rows.map((r) => [r.channel, Number(r.users)])),
    pairs: pairs.rows.map((r) => ({ a: r.a, b: r.b, shared: Number(r.shared) })),
  };
}

async function inBatches(batch: number, run: () => Promise<{ numAffectedRows?: bigint }>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = Number((await run()).numAffectedRows ?? 0);
    total += n;
    if (n < batch) return total;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function insertMoves(trx: Db, moves: readonly EngineMove[]): Promise<void> {
  const rows = moves.map((m) => ({
    viewer: m.user,
    from_channel: m.from,
    to_channel: m.to,
    left_at: m.leftAt,
    joined_at: m.joinedAt,
    cause: m.cause,
    raid_id: m.raidId ?? null,
    evidence: JSON.stringify(m.evidence.map((e): Evidence => ({ channel: e.channel, kind: e.kind, at: iso(e.at) }))),
  }));
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('audience_moves')
      .values(rows.slice(i, i + CHUNK))
      .execute();
}

/** the gap of a move in whole seconds, the histogram's key */
function gapSeconds(m: EngineMove): number {
  return Math.max(0, Math.round((m.joinedAt - m.leftAt) / 1000));
}

async function upsertMoveCounts(trx: Db, moves: readonly EngineMove[]): Promise<void> {
  if (moves.length === 0) return;
  const batch = new Map<string, { from: string; to: string; hour: number; moves: number; organic: number; raid: number; gaps: Map<number, number> }>();
  for (const m of moves) {
    const hour = hourOf(m.joinedAt);
    const key = `${m.from}>${m.to}@${hour}`;
    let c = batch.get(key);
    if (!c) batch.set(key, (c = { from: m.from, to: m.to, hour, moves: 0, organic: 0, raid: 0, gaps: new Map() }));
    c.moves++;
    if (m.cause === 'raid') c.raid++;
    else c.organic++;
    const g = gapSeconds(m);
    c.gaps.set(g, (c.gaps.get(g) ?? 0) + 1);
  }
  // the hours already stored (earlier flushes of the same hour): their gap histograms are merged
  // here, the counts are added by the upsert itself
  const entries = [...batch.values()];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of entries) {
    first = Math.min(first, c.hour);
    last = Math.max(last, c.hour);
  }
  const froms = [...new Set(entries.map((c) => c.from))];
  for (let i = 0; i < froms.length; i += CHUNK) {
    const stored = await trx
      .selectFrom('audience_move_counts')
      .select(['from_channel', 'to_channel', 'hour', 'gaps'])
      .where('from_channel', 'in', froms.slice(i, i + CHUNK))
      .where('hour', '>=', first)
      .where('hour', '<=', last)
      .execute();
    for (const r of stored) {
      const c = batch.get(`${r.from_channel}>${r.to_channel}@${Number(r.hour)}`);
      if (c) addGaps(c.gaps, JSON.parse(r.gaps) as Record<string, number>);
    }
  }
  const rows: AudienceMoveCountsTable[] = entries.map((c) => ({
    from_channel: c.from,
    to_channel: c.to,
    hour: c.hour,
    moves: c.moves,
    organic: c.organic,
    raid: c.raid,
    gaps: JSON.stringify(Object.fromEntries([...c.gaps].sort((a, b) => a[0] - b[0]))),
  }));
  const added = (col: 'moves' | 'organic' | 'raid') => sql<number>`${sql.ref(`audience_move_counts.${col}`)} + ${sql.ref(`excluded.${col}`)}`;
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('audience_move_counts')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['from_channel', 'to_channel', 'hour']).doUpdateSet((eb) => ({ moves: added('moves'), organic: added('organic'), raid: added('raid'), gaps: eb.ref('excluded.gaps') })),
      )
      .execute();
}

async function upsertRaids(trx: Db, raids: readonly EngineRaid[]): Promise<void> {
  // a raid changes as raiders are seen and retention is counted: the last version in the batch is kept
  const latest = new Map<string, AudienceRaidsTable>();
  for (const r of raids)
    latest.set(r.id, {
      id: r.id,
      from_channel: r.from,
      to_channel: r.to,
      at: r.at,
      viewers: r.viewers,
      sources: JSON.stringify([...r.sources].sort()),
      raiders_seen: r.raidersSeen,
      retained_10m: r.retained10m,
      retained_30m: r.retained30m,
    });
  const rows = [...latest.values()];
  const larger = (col: 'raiders_seen' | 'viewers') =>
    sql<number>`case when ${sql.ref(`audience_raids.${col}`)} > ${sql.ref(`excluded.${col}`)} then ${sql.ref(`audience_raids.${col}`)} else ${sql.ref(`excluded.${col}`)} end`;
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('audience_raids')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          viewers: larger('viewers'),
          sources: eb.ref('excluded.sources'),
          // a restart forgets the raid's raiders: what was counted before is not undone
          raiders_seen: larger('raiders_seen'),
          retained_10m: eb.fn.coalesce('excluded.retained_10m', 'audience_raids.retained_10m'),
          retained_30m: eb.fn.coalesce('excluded.retained_30m', 'audience_raids.retained_30m'),
        })),
      )
      .execute();
}

async function upsertEnded(trx: Db, ended: readonly EngineEnded[]): Promise<void> {
  const latest = new Map<string, EngineEnded>();
  for (const e of ended) latest.set(`${e.channel}@${e.endedAt}`, e);
  const rows = [...latest.values()].map((e) => ({
    channel: e.channel,
    ended_at: e.endedAt,
    audience: e.audience,
    followed: e.followed,
    moves: e.moves,
    raid_moves: e.raidMoves,
    destinations: JSON.stringify(e.destinations),
    final: e.final ? 1 : 0,
  }));
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('audience_ended')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['channel', 'ended_at']).doUpdateSet((eb) => ({
          audience: eb.ref('excluded.audience'),
          followed: eb.ref('excluded.followed'),
          moves: eb.ref('excluded.moves'),
          raid_moves: eb.ref('excluded.raid_moves'),
          destinations: eb.ref('excluded.destinations'),
          final: eb.ref('excluded.final'),
        })),
      )
      .execute();
}

/**
 * Activity per UTC day of the last signal: a presence across midnight counts on both days (the
 * drain before midnight wrote the first), its first signal clamped to the day's start.
 */
async function upsertActivity(trx: Db, activity: readonly ActivityRow[]): Promise<void> {
  const merged = new Map<string, AudienceActivityTable>();
  for (const a of activity) {
    const day = utcDay(a.lastAt);
    const first = Math.max(a.firstAt, dayStart(day));
    const key = `${day} ${a.channel} ${a.user}`;
    const r = merged.get(key);
    if (r) {
      r.first_at = Math.min(r.first_at, first);
      r.last_at = Math.max(r.last_at, a.lastAt);
    } else merged.set(key, { day, channel: a.channel, viewer: a.user, first_at: first, last_at: a.lastAt });
  }
  const rows = [...merged.values()];
  const a = (col: string) => sql.ref(`audience_activity.${col}`);
  const x = (col: string) => sql.ref(`excluded.${col}`);
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto('audience_activity')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['day', 'channel', 'viewer']).doUpdateSet({
          // least()/greatest() are PostgreSQL's, min()/max() SQLite's: a case is both
          first_at: sql<number>`case when ${x('first_at')} < ${a('first_at')} then ${x('first_at')} else ${a('first_at')} end`,
          last_at: sql<number>`case when ${x('last_at')} > ${a('last_at')} then ${x('last_at')} else ${a('last_at')} end`,
        }),
      )
      .execute();
}

function addGaps(into: Map<number, number>, gaps: Record<string, number>): void {
  for (const [k, n] of Object.entries(gaps)) into.set(Number(k), (into.get(Number(k)) ?? 0) + n);
}

/** the median of a histogram of whole seconds (the mean of the two middle values for an even count) */
export function medianOf(gaps: ReadonlyMap<number, number>): number | null {
  let total = 0;
  for (const n of gaps.values()) total += n;
  if (total === 0) return null;
  const sorted = [...gaps].sort((a, b) => a[0] - b[0]);
  const at = (i: number): number => {
    let seen = 0;
    for (const [value, n] of sorted) {
      seen += n;
      if (i < seen) return value;
    }
    return sorted[sorted.length - 1]![0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

function raidFromRow(r: AudienceRaidsTable): RaidRow {
  return {
    id: r.id,
    from_channel: r.from_channel,
    to_channel: r.to_channel,
    at: iso(r.at),
    viewers: Number(r.viewers),
    sources: JSON.parse(r.sources) as RaidRow['sources'],
    raiders_seen: Number(r.raiders_seen),
    retained_10m: r.retained_10m === null ? null : Number(r.retained_10m),
    retained_30m: r.retained_30m === null ? null : Number(r.retained_30m),
  };
}

function iso(ms: number): string {
  return new Date(Number(ms)).toISOString();
}

export { DAY, HOUR };
