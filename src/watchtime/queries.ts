import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { daysBetween, HOUR_MS, type DayCalendar } from './calendar.js';

import type { GameTotals, SeriesPoint, TopItem, Totals } from './types.js';

// the wire shapes (./types.ts) are what these queries return; the old names stay for their callers
export type { SeriesPoint, Totals, TopItem as RankedItem };
type RankedItem = TopItem;

interface Summed {
  id: string;
  hours_watched: number;
  hours_streamed: number;
  peak_viewers: number;
  streams: number;
}

type DayTable = 'watch_day_channel' | 'watch_day_game';

/** most hours first; ties by id, so every ranking is stable */
const byHours = (a: Summed, b: Summed) => b.hours_watched - a.hours_watched || a.id.localeCompare(b.id);

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

/**
 * Leaderboards over any range of days without summing every row: each day's top m ids are
 * candidates, their exact range totals are summed, and an id outside every day's top m can
 * have at most Σ (each day's m-th value). When the limit-th candidate beats that bound the
 * answer is exact; otherwise m grows. (Fagin's threshold algorithm, on the day index.)
 */
async function topOverDays(db: Kysely<Database>, table: DayTable, from: string, to: string, limit: number): Promise<Summed[]> {
  const idCol = table === 'watch_day_game' ? 'game_id' : 'user_id';
  const days = daysBetween(from, to);
  if (days.length === 0) return [];
  let m = limit * 3 + 10;
  for (;;) {
    const candidates = new Set<string>();
    let bound = 0;
    let complete = true;
    // each day's top m in one statement (one round trip on PostgreSQL), each part on the day index
    const parts = days.map(
      (day, i) => sql`select * from (select ${sql.ref(idCol)} as id, hours_watched, day from ${sql.table(table)} where day = ${day} order by hours_watched desc limit ${m}) as ${sql.raw(`d${i}`)}`,
    );
    const { rows } = await sql<{ id: string; hours_watched: number; day: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
    const perDay = new Map<string, number[]>();
    for (const r of rows) {
      candidates.add(r.id);
      const list = perDay.get(r.day) ?? [];
      list.push(Number(r.hours_watched));
      perDay.set(r.day, list);
    }
    for (const list of perDay.values()) {
      if (list.length === m) {
        complete = false;
        bound += Math.min(...list);
      }
    }
    if (candidates.size === 0) return [];
    const exact = await sumOver(db, table, idCol, from, to, [...candidates]);
    exact.sort(byHours);
    const nth = exact[limit - 1];
    if (complete || (nth && nth.hours_watched >= bound)) return exact.slice(0, limit);
    m *= 4;
  }
}

async function sumOver(
  db: Kysely<Database>,
  table: DayTable | 'watch_day_channel_game',
  idCol: string,
  from: string,
  to: string,
  ids: string[],
  filter?: { col: string; value: string },
): Promise<Summed[]> {
  const out: Summed[] = [];
  for (let i = 0; i < ids.length || (i === 0 && filter); i += 500) {
    // biome-ignore lint/suspicious/noExplicitAny: the table is chosen at run time
    let q = (db as Kysely<any>)
      .selectFrom(table)
      .select([
        `${idCol} as id`,
        sql<number>`sum(hours_watched)`.as('hours_watched'),
        sql<number>`sum(hours_streamed)`.as('hours_streamed'),
        sql<number>`max(peak_viewers)`.as('peak_viewers'),
        sql<number>`sum(streams)`.as('streams'),
      ])
      .where('day', '>=', from)
      .where('day', '<=', to);
    if (ids.length > 0) q = q.where(idCol, 'in', ids.slice(i, i + 500));
    if (filter) q = q.where(filter.col, '=', filter.value);
    for (const r of await q.groupBy(idCol).execute()) {
      out.push({ id: r.id, hours_watched: Number(r.hours_watched), hours_streamed: Number(r.hours_streamed), peak_viewers: Number(r.peak_viewers), streams: Number(r.streams) });
    }
    if (ids.length === 0) break;
  }
  return out;
}

export class WatchQueries {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly calendar: DayCalendar,
  ) {}

  /** hours in the range during which Lurk was sampling (an hour counts if anything was live) */
  async coveredHours(from: string, to: string): Promise<number> {
    const row = await this.db.selectFrom('watch_day_total').select(sql<number>`sum(hours_covered)`.as('n')).where('day', '>=', from).where('day', '<=', to).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async topGames(from: string, to: string, limit: number): Promise<RankedItem[]> {
    const rows = await topOverDays(this.db, 'watch_day_game', from, to, limit);
    const names = await this.gameNames(rows.map((r) => r.id));
    const covered = await this.coveredHours(from, to);
    return rows.map((r, i) => this.item(r, i, names.get(r.id) ?? r.id, undefined, covered));
  }

  async topStreamers(from: string, to: string, limit: number): Promise<RankedItem[]> {
    return this.asStreamers(await topOverDays(this.db, 'watch_day_channel', from, to, limit));
  }

  async topStreamersOfGame(gameId: string, from: string, to: string, limit: number): Promise<RankedItem[]> {
    return this.asStreamers(await this.partners('user_id', { col: 'game_id', value: gameId }, from, to, limit));
  }

  async topGamesOfStreamer(userId: string, from: string, to: string, limit: number): Promise<RankedItem[]> {
    const top = await this.partners('game_id', { col: 'user_id', value: userId }, from, to, limit);
    const names = await this.gameNames(top.map((r) => r.id));
    return top.map((r, i) => this.item(r, i, names.get(r.id) ?? r.id));
  }

  /** the streamers of one game, or the games of one streamer, by hours over the range */
  private async partners(idCol: 'user_id' | 'game_id', filter: { col: 'user_id' | 'game_id'; value: string }, from: string, to: string, limit: number): Promise<Summed[]> {
    const rows = await sumOver(this.db, 'watch_day_channel_game', idCol, from, to, [], filter);
    return rows.sort(byHours).slice(0, limit);
  }

  private async asStreamers(rows: Summed[]): Promise<RankedItem[]> {
    const names = await this.channelNames(rows.map((r) => r.id));
    return rows.map((r, i) => {
      const c = names.get(r.id);
      return this.item(r, i, c?.name ?? r.id, c?.login ?? r.id);
    });
  }

  async gameTotals(gameId: string, from: string, to: string): Promise<GameTotals> {
    const [r] = await sumOver(this.db, 'watch_day_game', 'game_id', from, to, [gameId]);
    const streamers = await this.db
      .selectFrom('watch_day_channel_game')
      .select(sql<number>`count(distinct user_id)`.as('n'))
      .where('game_id', '=', gameId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .executeTakeFirst();
    const covered = await this.coveredHours(from, to);
    return { ...this.totals(r, covered), streamers: Number(streamers?.n ?? 0) };
  }

  async streamerTotals(userId: string, from: string, to: string): Promise<Totals> {
    const [r] = await sumOver(this.db, 'watch_day_channel', 'user_id', from, to, [userId]);
    return this.totals(r);
  }

  async gameSeries(gameId: string, from: string, to: string): Promise<SeriesPoint[]> {
    const rows = await this.db.selectFrom('watch_day_game').selectAll().where('game_id', '=', gameId).where('day', '>=', from).where('day', '<=', to).execute();
    const streamers = await this.db
      .selectFrom('watch_day_channel_game')
      .select(['day', sql<number>`count(*)`.as('n')])
      .where('game_id', '=', gameId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .groupBy('day')
      .execute();
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const streamersByDay = new Map(streamers.map((r) => [r.day, Number(r.n)]));
    const covered = await this.coveredByDay(from, to);
    return daysBetween(from, to).map((day) => ({
      t: day,
      ...this.totals(byDay.get(day) && { id: gameId, ...numeric(byDay.get(day)!) }, covered.get(day) ?? 0),
      streamers: streamersByDay.get(day) ?? 0,
    }));
  }

  async streamerSeries(userId: string, from: string, to: string): Promise<SeriesPoint[]> {
    const rows = await this.db.selectFrom('watch_day_channel').selectAll().where('user_id', '=', userId).where('day', '>=', from).where('day', '<=', to).execute();
    const byDay = new Map(rows.map((r) => [r.day, r]));
    return daysBetween(from, to).map((day) => ({ t: day, ...this.totals(byDay.get(day) && { id: userId, ...numeric(byDay.get(day)!) }) }));
  }

  /** `until`: no points for hours that have not begun (a chart of today stops at now) */
  async totalSeries(from: string, to: string, granularity: 'day' | 'hour', gameId?: string, until = Infinity): Promise<SeriesPoint[]> {
    if (granularity === 'hour') {
      const start = this.calendar.startOf(from);
      const end = Math.min(this.calendar.bounds(to).end, until);
      // the all-of-Twitch rows carry each hour's sampled time, the divisor of average viewers
      const totals = await this.db.selectFrom('watch_hour_total').selectAll().where('hour', '>=', start).where('hour', '<', end).execute();
      const covered = new Map(totals.map((r) => [Number(r.hour), Number(r.hours_covered)]));
      const rows = gameId ? await this.db.selectFrom('watch_hour_game').selectAll().where('game_id', '=', gameId).where('hour', '>=', start).where('hour', '<', end).execute() : totals;
      const byHour = new Map(rows.map((r) => [Number(r.hour), r]));
      const out: SeriesPoint[] = [];
      for (let h = Math.floor(start / HOUR_MS) * HOUR_MS; h < end; h += HOUR_MS) {
        const r = byHour.get(h);
        out.push({ t: new Date(h).toISOString(), ...this.totals(r && { id: '', ...numeric(r) }, covered.get(h) ?? 0) });
      }
      return out;
    }
    if (gameId) return this.gameSeries(gameId, from, to);
    const rows = await this.db.selectFrom('watch_day_total').selectAll().where('day', '>=', from).where('day', '<=', to).execute();
    const byDay = new Map(rows.map((r) => [r.day, r]));
    return daysBetween(from, to).map((day) => {
      const r = byDay.get(day);
      return { t: day, ...this.totals(r && { id: '', ...numeric(r) }, r ? Number(r.hours_covered) : 0) };
    });
  }

  /** hours sampled on each day of a range */
  private async coveredByDay(from: string, to: string): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('watch_day_total').select(['day', 'hours_covered']).where('day', '>=', from).where('day', '<=', to).execute();
    return new Map(rows.map((r) => [r.day, Number(r.hours_covered)]));
  }

  /** every game's hours on a day, in a stable order, for the weighted random pick */
  async gameWeights(day: string): Promise<{ id: string; hours: number }[]> {
    const rows = await this.db.selectFrom('watch_day_game').select(['game_id', 'hours_watched']).where('day', '=', day).where('hours_watched', '>', 0).orderBy('game_id').execute();
    return rows.map((r) => ({ id: r.game_id, hours: Number(r.hours_watched) }));
  }

  async firstDay(): Promise<string | null> {
    const row = await this.db.selectFrom('watch_day_total').select('day').orderBy('day').limit(1).executeTakeFirst();
    return row?.day ?? null;
  }

  /** the most recent Lurk day with watch time */
  async lastDay(): Promise<string | null> {
    const row = await this.db.selectFrom('watch_day_total').select('day').orderBy('day', 'desc').limit(1).executeTakeFirst();
    return row?.day ?? null;
  }

  /** the first UTC hour Lurk sampled (epoch ms of its start): before it there is no data, not zero */
  async firstHour(): Promise<number | null> {
    const row = await this.db.selectFrom('watch_hour_total').select('hour').orderBy('hour').limit(1).executeTakeFirst();
    return row ? Number(row.hour) : null;
  }

  async gameNames(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('watch_games')
        .select(['game_id', 'name'])
        .where('game_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.game_id, r.name);
    }
    return out;
  }

  async channelNames(ids: string[]): Promise<Map<string, { login: string; name: string }>> {
    const out = new Map<string, { login: string; name: string }>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('watch_channels')
        .select(['user_id', 'login', 'display_name'])
        .where('user_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.user_id, { login: r.login, name: r.display_name });
    }
    return out;
  }

  async channelByLogin(loginOrId: string): Promise<{ id: string; login: string; name: string } | undefined> {
    const text = loginOrId.trim().toLowerCase();
    const row =
      (await this.db.selectFrom('watch_channels').select(['user_id', 'login', 'display_name']).where('login', '=', text).orderBy('updated_at', 'desc').executeTakeFirst()) ??
      (await this.db.selectFrom('watch_channels').select(['user_id', 'login', 'display_name']).where('user_id', '=', loginOrId.trim()).executeTakeFirst());
    return row && { id: row.user_id, login: row.login, name: row.display_name };
  }

  async hoursLast(kind: 'game' | 'streamer', ids: string[], from: string, to: string): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await sumOver(this.db, kind === 'game' ? 'watch_day_game' : 'watch_day_channel', kind === 'game' ? 'game_id' : 'user_id', from, to, ids);
    return new Map(rows.map((r) => [r.id, r.hours_watched]));
  }

  private item(r: Summed, i: number, name: string, login?: string, coveredHours?: number): RankedItem {
    return { rank: i + 1, id: r.id, name, ...(login !== undefined ? { login } : {}), ...this.totals(r, coveredHours) };
  }

  /** average viewers: per hour live for a channel; per hour sampled for a game or all of Twitch */
  private totals(r: Summed | undefined, coveredHours?: number): Totals {
    if (!r) return { hours_watched: 0, hours_streamed: 0, average_viewers: 0, peak_viewers: 0, streams: 0 };
    const per = coveredHours === undefined ? r.hours_streamed : coveredHours;
    return {
      hours_watched: round(r.hours_watched),
      hours_streamed: round(r.hours_streamed),
      average_viewers: per > 0 ? round(r.hours_watched / per, 1) : 0,
      peak_viewers: r.peak_viewers,
      streams: r.streams,
    };
  }
}

function numeric(r: { hours_watched: number; hours_streamed: number; peak_viewers: number; streams: number }) {
  return { hours_watched: Number(r.hours_watched), hours_streamed: Number(r.hours_streamed), peak_viewers: Number(r.peak_viewers), streams: Number(r.streams) };
}
