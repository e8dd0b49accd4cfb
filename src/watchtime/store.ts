// Watch time's writes and bookkeeping: the integrator's rollups and state, the names the search
// loads, composed digests and the answers' mention cursors (questions are in queries.ts).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import type { BarChartSpec } from '../publish/chart.js';
import type { IntegratorState, Measures, PendingWrites } from './integrator.js';
import { searchKey } from './search.js';

type Db = Kysely<Database> | Transaction<Database>;
type MeasureTable = 'watch_day_channel_game' | 'watch_day_channel' | 'watch_day_game' | 'watch_day_total' | 'watch_hour_game' | 'watch_hour_total';

const CHUNK = 800;

/**
 * Writes the integrator's output: every rollup, raw sample, name and the integrator state in
 * one transaction, so after a crash the stored state and the stored hours always agree (the
 * next sample of each stream then bridges the gap, within the gap cap).
 */
export async function writePending(db: Kysely<Database>, p: PendingWrites, now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await upsertMeasures(
      trx,
      'watch_day_channel_game',
      ['day', 'user_id', 'game_id'],
      [...p.channelGameDays.values()].map((r) => ({ day: r.day, user_id: r.userId, game_id: r.gameId, ...cols(r) })),
    );
    await upsertMeasures(
      trx,
      'watch_day_channel',
      ['day', 'user_id'],
      [...p.channelDays.values()].map((r) => ({ day: r.day, user_id: r.userId, ...cols(r) })),
    );
    await upsertMeasures(
      trx,
      'watch_day_game',
      ['day', 'game_id'],
      [...p.gameDays.values()].map((r) => ({ day: r.day, game_id: r.gameId, ...cols(r), peak_channels: r.peakChannels })),
    );
    await upsertMeasures(
      trx,
      'watch_day_total',
      ['day'],
      [...p.totalDays.values()].map((r) => ({ day: r.day, ...cols(r), peak_channels: r.peakChannels, hours_covered: r.hoursCovered })),
    );
    await upsertMeasures(
      trx,
      'watch_hour_game',
      ['hour', 'game_id'],
      [...p.gameHours.values()].map((r) => ({ hour: r.hour, game_id: r.gameId, ...cols(r), peak_channels: r.peakChannels })),
    );
    await upsertMeasures(
      trx,
      'watch_hour_total',
      ['hour'],
      [...p.totalHours.values()].map((r) => ({ hour: r.hour, ...cols(r), peak_channels: r.peakChannels, hours_covered: r.hoursCovered })),
    );
    const samples = p.samples.map((s) => ({ seen_at: s.seenAt, stream_id: s.streamId, user_id: s.userId, game_id: s.gameId, viewers: s.viewers }));
    for (let i = 0; i < samples.length; i += CHUNK) {
      await trx
        .insertInto('watch_samples')
        .values(samples.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['seen_at', 'stream_id']).doNothing())
        .execute();
    }
    const games = [...p.games].map(([game_id, name]) => ({ game_id, name, search_key: searchKey(name), updated_at: now }));
    for (let i = 0; i < games.length; i += CHUNK) {
      await trx
        .insertInto('watch_games')
        .values(games.slice(i, i + CHUNK))
        .onConflict((oc) => oc.column('game_id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), search_key: eb.ref('excluded.search_key'), updated_at: eb.ref('excluded.updated_at') })))
        .execute();
    }
    const channels = [...p.channels].map(([user_id, c]) => ({ user_id, login: c.login, display_name: c.name, search_key: searchKey(`${c.name} ${c.login}`), updated_at: now }));
    for (let i = 0; i < channels.length; i += CHUNK) {
      await trx
        .insertInto('watch_channels')
        .values(channels.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet((eb) => ({
            login: eb.ref('excluded.login'),
            display_name: eb.ref('excluded.display_name'),
            search_key: eb.ref('excluded.search_key'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    const state = JSON.stringify(p.state);
    await trx
      .insertInto('watch_state')
      .values({ id: 1, flushed_at: now, state })
      .onConflict((oc) => oc.column('id').doUpdateSet({ flushed_at: now, state }))
      .execute();
  });
}

function cols(m: Measures) {
  return { hours_watched: m.hoursWatched, hours_streamed: m.hoursStreamed, peak_viewers: m.peakViewers, streams: m.streams };
}

async function upsertMeasures(trx: Db, table: MeasureTable, keys: string[], rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const hasChannels = 'peak_channels' in rows[0]!;
  const hasCovered = 'hours_covered' in rows[0]!;
  const added = (c: string) => sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`;
  const larger = (c: string) => sql`case when ${sql.ref(`excluded.${c}`)} > ${sql.ref(`${table}.${c}`)} then ${sql.ref(`excluded.${c}`)} else ${sql.ref(`${table}.${c}`)} end`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    // biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time
    await (trx as Kysely<any>)
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK))
      // biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time
      .onConflict((oc: any) =>
        oc.columns(keys).doUpdateSet({
          hours_watched: added('hours_watched'),
          hours_streamed: added('hours_streamed'),
          streams: added('streams'),
          peak_viewers: larger('peak_viewers'),
          ...(hasChannels ? { peak_channels: larger('peak_channels') } : {}),
          ...(hasCovered ? { hours_covered: added('hours_covered') } : {}),
        }),
      )
      .execute();
  }
}

export async function loadState(db: Kysely<Database>): Promise<{ flushedAt: number; state: IntegratorState } | undefined> {
  const row = await db.selectFrom('watch_state').select(['flushed_at', 'state']).where('id', '=', 1).executeTakeFirst();
  if (!row) return undefined;
  return { flushedAt: Number(row.flushed_at), state: JSON.parse(row.state) as IntegratorState };
}

/** delete raw samples older than `before`, a chunk at a time so writers are never blocked long */
export async function pruneSamples(db: Kysely<Database>, before: number): Promise<number> {
  let total = 0;
  for (;;) {
    const oldest = await db.selectFrom('watch_samples').select('seen_at').where('seen_at', '<', before).orderBy('seen_at').offset(50_000).limit(1).executeTakeFirst();
    const res = oldest
      ? await db.deleteFrom('watch_samples').where('seen_at', '<=', Number(oldest.seen_at)).executeTakeFirst()
      : await db.deleteFrom('watch_samples').where('seen_at', '<', before).executeTakeFirst();
    total += Number(res.numDeletedRows);
    if (!oldest) return total;
  }
}

/** game and channel names written at or after `since` (epoch ms), for the search index */
export async function namesSince(db: Kysely<Database>, since: number) {
  const [games, channels] = await Promise.all([
    db.selectFrom('watch_games').select(['game_id', 'name', 'updated_at']).where('updated_at', '>=', since).execute(),
    db.selectFrom('watch_channels').select(['user_id', 'login', 'display_name', 'updated_at']).where('updated_at', '>=', since).execute(),
  ]);
  return {
    games: games.map((g) => ({ id: g.game_id, name: g.name, updatedAt: Number(g.updated_at) })),
    channels: channels.map((c) => ({ id: c.user_id, name: c.display_name, login: c.login, updatedAt: Number(c.updated_at) })),
  };
}

/** a day's digest as composed the first time, if it was */
/** one post of a stored digest: its text and chart as composed once, posted the same everywhere */
export interface StoredPost {
  key: 'games' | 'streamers' | 'random-game';
  text: string;
  chart: BarChartSpec;
  alt: string;
}

export async function storedDigest(db: Kysely<Database>, day: string): Promise<StoredPost[] | undefined> {
  const row = await db.selectFrom('digests').select('posts').where('day', '=', day).executeTakeFirst();
  return row ? (JSON.parse(row.posts) as StoredPost[]) : undefined;
}

/** keeps the first digest stored for a day: a second composer's copy is dropped, and what is stored is returned */
export async function storeDigest(db: Kysely<Database>, day: string, posts: StoredPost[], now: number): Promise<StoredPost[]> {
  await db
    .insertInto('digests')
    .values({ day, composed_at: now, posts: JSON.stringify(posts) })
    .onConflict((oc) => oc.column('day').doNothing())
    .execute();
  return (await storedDigest(db, day))!;
}

/** where reading a publisher's mentions goes on from */
export async function mentionCursor(db: Kysely<Database>, source: string): Promise<string | undefined> {
  const row = await db.selectFrom('answer_cursors').select('cursor').where('source', '=', source).executeTakeFirst();
  return row?.cursor ?? undefined;
}

export async function saveMentionCursor(db: Kysely<Database>, source: string, cursor: string | undefined, now: number): Promise<void> {
  await db
    .insertInto('answer_cursors')
    .values({ source, cursor: cursor ?? null, updated_at: now })
    .onConflict((oc) => oc.column('source').doUpdateSet({ cursor: cursor ?? null, updated_at: now }))
    .execute();
}
