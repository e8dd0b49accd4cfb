import type { Kysely } from 'kysely';
import type { DialectFacts } from '../store/dialect.js';
import type { Database, StreamsTable } from '../store/schema.js';
import type { HelixStream } from '../twitch/helix.external.js';

export interface UpsertStreamsOptions {
  /** sweep generation the rows were seen in */
  generation: number;
  /** clock time of the sighting */
  seenAt: number;
}

const STREAM_COLUMNS = 19;

/** lower case without accents, so "café" finds "Cafe" and "CAFÉ" */
export function normaliseSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function searchTextOf(s: HelixStream): string {
  return normaliseSearch([s.title, s.game_name, (s.tags ?? []).join(' '), s.user_login, s.user_name].join(' \u0001 '));
}

function toRow(s: HelixStream, { generation, seenAt }: UpsertStreamsOptions): StreamsTable {
  return {
    id: s.id,
    user_id: s.user_id,
    user_login: s.user_login,
    user_name: s.user_name,
    game_id: s.game_id,
    game_name: s.game_name,
    type: s.type,
    title: s.title,
    viewer_count: s.viewer_count,
    started_at: s.started_at,
    language: s.language,
    thumbnail_url: s.thumbnail_url,
    tags: JSON.stringify(s.tags ?? []),
    is_mature: s.is_mature ? 1 : 0,
    first_seen_at: seenAt,
    last_seen_at: seenAt,
    generation,
    raw: JSON.stringify(s),
    search_text: searchTextOf(s),
  };
}

/**
 * Inserts or refreshes streams. Every field Twitch may change (viewers, title, game, tags…)
 * and the generation are overwritten; `first_seen_at` is kept. Duplicates within one call
 * are merged, the last one winning, as a sweep's later page is the fresher sighting.
 * Callers wrap large batches in a transaction.
 */
export async function upsertStreams(db: Kysely<Database>, facts: DialectFacts, streams: readonly HelixStream[], options: UpsertStreamsOptions): Promise<number> {
  const byId = new Map<string, StreamsTable>();
  for (const s of streams) byId.set(s.id, toRow(s, options));
  const rows = [...byId.values()];
  // 500 rows × 19 columns = 9,500 parameters: well under both dialects' limits, and large
  // enough that per-statement overhead is small next to the rows' own cost.
  const chunk = Math.min(500, Math.floor(facts.maxParameters / STREAM_COLUMNS));
  for (let i = 0; i < rows.length; i += chunk) {
    await db
      .insertInto('streams')
      .values(rows.slice(i, i + chunk))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          user_id: eb.ref('excluded.user_id'),
          user_login: eb.ref('excluded.user_login'),
          user_name: eb.ref('excluded.user_name'),
          game_id: eb.ref('excluded.game_id'),
          game_name: eb.ref('excluded.game_name'),
          type: eb.ref('excluded.type'),
          title: eb.ref('excluded.title'),
          viewer_count: eb.ref('excluded.viewer_count'),
          started_at: eb.ref('excluded.started_at'),
          language: eb.ref('excluded.language'),
          thumbnail_url: eb.ref('excluded.thumbnail_url'),
          tags: eb.ref('excluded.tags'),
          is_mature: eb.ref('excluded.is_mature'),
          last_seen_at: eb.ref('excluded.last_seen_at'),
          generation: eb.ref('excluded.generation'),
          raw: eb.ref('excluded.raw'),
          search_text: eb.ref('excluded.search_text'),
        })),
      )
      .execute();
  }
  return rows.length;
}

export async function countStreams(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('streams')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
