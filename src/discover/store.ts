// Discover's queries: sweeps, the streams a sweep stores and removes, the pool's source rows, search, stats.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DialectFacts } from '../store/dialect.js';
import type { Database, StreamsTable, SweepsTable } from '../store/schema.js';
import { normaliseSearch, upsertStreams } from '../streams/store.js';
import type { HelixStream } from '../twitch/helix.external.js';

export type StreamRow = Selectable<StreamsTable>;
export type SweepRow = Selectable<SweepsTable>;

export interface SweepStats {
  pages: number;
  streams: number;
  zeroViewer: number;
  oneViewer: number;
  budgetPoints: number;
  rateLimited: number;
  errors: number;
}

export const EMPTY_STATS: SweepStats = { pages: 0, streams: 0, zeroViewer: 0, oneViewer: 0, budgetPoints: 0, rateLimited: 0, errors: 0 };

export class DiscoverStore {
  constructor(
    private readonly db: Kysely<Database>,
    readonly facts: DialectFacts,
  ) {}

  /** A sweep that never finished (a crash) is marked abandoned; its rows stay. */
  async abandonRunning(): Promise<number> {
    const result = await this.db.updateTable('sweeps').set({ status: 'abandoned' }).where('status', '=', 'running').executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async startSweep(startedAt: number): Promise<number> {
    const last = await this.db
      .selectFrom('sweeps')
      .select((eb) => eb.fn.max('generation').as('g'))
      .executeTakeFirst();
    const generation = Number(last?.g ?? 0) + 1;
    await this.db
      .insertInto('sweeps')
      .values({ generation, started_at: startedAt, status: 'running', finished_at: null, duration_ms: null, removed: 0, ...toColumns(EMPTY_STATS) })
      .execute();
    return generation;
  }

  /** one page of a sweep, stored at once in one transaction (a crash loses at most the page in flight) */
  async savePage(streams: readonly HelixStream[], generation: number, seenAt: number): Promise<void> {
    await this.db.transaction().execute((trx) => upsertStreams(trx, this.facts, streams, { generation, seenAt }));
  }

  async recordProgress(generation: number, stats: SweepStats): Promise<void> {
    await this.db.updateTable('sweeps').set(toColumns(stats)).where('generation', '=', generation).execute();
  }

  /**
   * Completes a sweep: streams last seen `graceSweeps` or more completed sweeps ago are removed
   * (a stream skipped once by paging drift survives a grace of 2). Returns the removed ids.
   */
  async completeSweep(generation: number, stats: SweepStats, finishedAt: number, graceSweeps: number): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const completed = await trx
        .selectFrom('sweeps')
        .select('generation')
        .where('status', '=', 'completed')
        .orderBy('generation', 'desc')
        .limit(graceSweeps - 1)
        .execute();
      // the oldest generation still within grace: this sweep and the previous grace-1 completed ones
      const keepFrom = graceSweeps <= 1 ? generation : Math.min(generation, ...completed.map((r) => Number(r.generation)));
      const removed = await trx.deleteFrom('streams').where('generation', '<', keepFrom).returning('id').execute();
      const started = await trx.selectFrom('sweeps').select('started_at').where('generation', '=', generation).executeTakeFirstOrThrow();
      await trx
        .updateTable('sweeps')
        .set({ ...toColumns(stats), status: 'completed', finished_at: finishedAt, removed: removed.length, duration_ms: finishedAt - Number(started.started_at) })
        .where('generation', '=', generation)
        .execute();
      return removed.map((r) => r.id);
    });
  }

  async lastSweeps(limit: number): Promise<SweepRow[]> {
    return this.db.selectFrom('sweeps').selectAll().orderBy('generation', 'desc').limit(limit).execute();
  }

  /** every stream with at most `maxViewers` viewers, for the in-memory pool */
  async poolRows(maxViewers: number): Promise<StreamRow[]> {
    return this.db.selectFrom('streams').selectAll().where('viewer_count', '<=', maxViewers).execute();
  }

  async streamById(id: string): Promise<StreamRow | undefined> {
    return this.db.selectFrom('streams').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async streamByLogin(login: string): Promise<StreamRow | undefined> {
    return this.db.selectFrom('streams').selectAll().where('user_login', '=', login.toLowerCase()).executeTakeFirst();
  }

  /**
   * Ids of streams with at most `maxViewers` viewers whose search text contains every term
   * (`all`) or any term (`any`), through the dialect's substring index.
   */
  async searchIds(terms: string[], match: 'all' | 'any', maxViewers: number): Promise<Set<string>> {
    const needles = terms.map(normaliseSearch).filter((t) => t.length > 0);
    if (needles.length === 0) return new Set();
    const likes = needles.map((t) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    let rows: { id: string }[];
    if (this.facts.kind === 'sqlite' && needles.every((t) => [...t].length >= 3)) {
      // FTS5 trigram answers LIKE from its index for terms of three or more characters
      const condition = sql.join(
        likes.map((l) => sql`streams_fts.search_text like ${l} escape '\\'`),
        match === 'all' ? sql` and ` : sql` or `,
      );
      const result = await sql<{ id: string }>`select s.id from streams_fts join streams s on s.rowid = streams_fts.rowid where (${condition}) and s.viewer_count <= ${maxViewers}`.execute(this.db);
      rows = result.rows;
    } else {
      // PostgreSQL's pg_trgm GIN index serves ILIKE; short terms on SQLite scan
      const op = this.facts.kind === 'postgres' ? sql`ilike` : sql`like`;
      const condition = sql.join(
        likes.map((l) => sql`search_text ${op} ${l} escape '\\'`),
        match === 'all' ? sql` and ` : sql` or `,
      );
      const result = await sql<{ id: string }>`select id from streams where (${condition}) and viewer_count <= ${maxViewers}`.execute(this.db);
      rows = result.rows;
    }
    return new Set(rows.map((r) => r.id));
  }

  async totals(): Promise<{ live: number; zero: number; one: number; games: number }> {
    const row = await this.db
      .selectFrom('streams')
      .select((eb) => [
        eb.fn.countAll<number>().as('live'),
        eb.fn.sum<number>(eb.case().when('viewer_count', '=', 0).then(1).else(0).end()).as('zero'),
        eb.fn.sum<number>(eb.case().when('viewer_count', '=', 1).then(1).else(0).end()).as('one'),
        eb.fn.count<number>('game_id').distinct().as('games'),
      ])
      .executeTakeFirstOrThrow();
    return { live: Number(row.live), zero: Number(row.zero ?? 0), one: Number(row.one ?? 0), games: Number(row.games) };
  }

  async perGame(limit: number): Promise<{ game_id: string; game_name: string; zero: number; one: number }[]> {
    const rows = await this.db
      .selectFrom('streams')
      .select((eb) => [
        'game_id',
        eb.fn.max('game_name').as('game_name'),
        eb.fn.sum<number>(eb.case().when('viewer_count', '=', 0).then(1).else(0).end()).as('zero'),
        eb.fn.sum<number>(eb.case().when('viewer_count', '=', 1).then(1).else(0).end()).as('one'),
      ])
      .where('viewer_count', '<=', 1)
      .groupBy('game_id')
      .orderBy('zero', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ game_id: r.game_id, game_name: String(r.game_name ?? ''), zero: Number(r.zero), one: Number(r.one) }));
  }

  /** zero- and one-viewer streams per tag, the most tagged first (tags are a JSON array per row, counted here on both dialects) */
  async perTag(limit: number): Promise<{ tag: string; zero: number; one: number }[]> {
    const rows = await this.db.selectFrom('streams').select(['tags', 'viewer_count']).where('viewer_count', '<=', 1).execute();
    const tags = new Map<string, { zero: number; one: number }>();
    for (const row of rows) {
      for (const tag of JSON.parse(row.tags) as string[]) {
        const t = tags.get(tag) ?? { zero: 0, one: 0 };
        if (row.viewer_count === 0) t.zero++;
        else t.one++;
        tags.set(tag, t);
      }
    }
    return [...tags.entries()]
      .map(([tag, c]) => ({ tag, ...c }))
      .sort((a, b) => b.zero + b.one - (a.zero + a.one))
      .slice(0, limit);
  }
}

function toColumns(stats: SweepStats) {
  return {
    pages: stats.pages,
    streams: stats.streams,
    zero_viewer: stats.zeroViewer,
    one_viewer: stats.oneViewer,
    budget_points: stats.budgetPoints,
    rate_limited: stats.rateLimited,
    errors: stats.errors,
  };
}
