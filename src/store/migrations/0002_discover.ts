import { sql, type Kysely } from 'kysely';
import type { DialectFacts } from '../dialect.js';

/**
 * Discover: sweep history, the raw Helix object of each stream, and a normalised search text
 * indexed for substring search (SQLite FTS5 trigram, PostgreSQL pg_trgm).
 */
export function discover(facts: DialectFacts) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('sweeps')
        .addColumn('generation', facts.bigint, (c) => c.primaryKey())
        .addColumn('started_at', facts.bigint, (c) => c.notNull())
        .addColumn('finished_at', facts.bigint)
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('streams', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('zero_viewer', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('one_viewer', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('budget_points', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rate_limited', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('duration_ms', 'real')
        .execute();
      await db.schema
        .alterTable('streams')
        .addColumn('raw', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema
        .alterTable('streams')
        .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
        .execute();

      if (facts.kind === 'sqlite') {
        await sql`create virtual table streams_fts using fts5(search_text, content='streams', content_rowid='rowid', tokenize='trigram')`.execute(db);
        await sql`create trigger streams_fts_insert after insert on streams begin
          insert into streams_fts(rowid, search_text) values (new.rowid, new.search_text); end`.execute(db);
        await sql`create trigger streams_fts_delete after delete on streams begin
          insert into streams_fts(streams_fts, rowid, search_text) values ('delete', old.rowid, old.search_text); end`.execute(db);
        // a sweep rewrites every row; only a changed text is worth re-indexing
        await sql`create trigger streams_fts_update after update of search_text on streams when old.search_text is not new.search_text begin
          insert into streams_fts(streams_fts, rowid, search_text) values ('delete', old.rowid, old.search_text);
          insert into streams_fts(rowid, search_text) values (new.rowid, new.search_text); end`.execute(db);
      } else {
        await sql`create extension if not exists pg_trgm`.execute(db);
        await sql`create index streams_search_trgm on streams using gin (search_text gin_trgm_ops)`.execute(db);
      }
    },
    async down(db: Kysely<any>): Promise<void> {
      if (facts.kind === 'sqlite') {
        await sql`drop trigger if exists streams_fts_update`.execute(db);
        await sql`drop trigger if exists streams_fts_delete`.execute(db);
        await sql`drop trigger if exists streams_fts_insert`.execute(db);
        await sql`drop table if exists streams_fts`.execute(db);
      } else {
        await sql`drop index if exists streams_search_trgm`.execute(db);
      }
      await db.schema.alterTable('streams').dropColumn('search_text').execute();
      await db.schema.alterTable('streams').dropColumn('raw').execute();
      await db.schema.dropTable('sweeps').execute();
    },
  };
}
