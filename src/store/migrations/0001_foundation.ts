import type { Kysely } from 'kysely';
import type { DialectFacts } from '../dialect.js';

export function foundation(facts: DialectFacts) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('lurk_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('job_runs')
        .addColumn('id', facts.serial, (c) => c.primaryKey())
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('started_at', facts.bigint, (c) => c.notNull())
        .addColumn('finished_at', facts.bigint, (c) => c.notNull())
        .addColumn('duration_ms', 'real', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('trigger', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('job_runs_job_started').on('job_runs').columns(['job', 'started_at']).execute();

      await db.schema
        .createTable('streams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_login', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('game_id', 'text', (c) => c.notNull())
        .addColumn('game_name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('viewer_count', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('thumbnail_url', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('is_mature', 'integer', (c) => c.notNull())
        .addColumn('first_seen_at', facts.bigint, (c) => c.notNull())
        .addColumn('last_seen_at', facts.bigint, (c) => c.notNull())
        .addColumn('generation', facts.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('streams_viewer_count').on('streams').column('viewer_count').execute();
      await db.schema.createIndex('streams_user_id').on('streams').column('user_id').execute();
      await db.schema.createIndex('streams_generation').on('streams').column('generation').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('streams').execute();
      await db.schema.dropTable('job_runs').execute();
      await db.schema.dropTable('lurk_meta').execute();
    },
  };
}
