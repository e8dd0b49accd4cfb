import type { Kysely } from 'kysely';
import type { DialectFacts } from '../dialect.js';

/**
 * Mood: the tracked channels (config, API and top-N, across restarts), one row per channel and
 * minute kept for good, the moments kept for good, and the raw messages kept only when
 * LURK_MOOD_RAW_RETENTION_HOURS asks for them.
 */
export function mood(facts: DialectFacts) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      // ifNotExists throughout: SQLite commits DDL before the migrator records the migration, and
      // a crash in between runs this again on the next start
      await db.schema
        .createTable('mood_channels')
        .ifNotExists()
        .addColumn('login', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('sources', 'text', (c) => c.notNull())
        .addColumn('added_at', facts.bigint, (c) => c.notNull())
        .execute();
      // channel_id is Twitch's user id: a login can change hands, the id cannot
      await db.schema
        .createTable('mood_minutes')
        .ifNotExists()
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('minute', facts.bigint, (c) => c.notNull())
        .addColumn('messages', 'integer', (c) => c.notNull())
        .addColumn('chatters', 'integer', (c) => c.notNull())
        .addColumn('positive', 'integer', (c) => c.notNull())
        .addColumn('neutral', 'integer', (c) => c.notNull())
        .addColumn('negative', 'integer', (c) => c.notNull())
        .addColumn('score_sum', 'double precision', (c) => c.notNull())
        .addColumn('bits', 'integer', (c) => c.notNull())
        .addColumn('subs', 'integer', (c) => c.notNull())
        .addColumn('top_emotes', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('mood_minutes_pk', ['channel_id', 'minute'])
        .execute();
      await db.schema
        .createTable('mood_moments')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('started_at', facts.bigint, (c) => c.notNull())
        .addColumn('peak_at', facts.bigint, (c) => c.notNull())
        .addColumn('ended_at', facts.bigint)
        .addColumn('peak_rate', 'double precision', (c) => c.notNull())
        .addColumn('baseline_rate', 'double precision', (c) => c.notNull())
        .addColumn('mean_score', 'double precision')
        .addColumn('baseline_score', 'double precision')
        .addColumn('mood', 'text')
        .addColumn('top_emotes', 'text', (c) => c.notNull())
        .addColumn('examples', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mood_moments_channel').ifNotExists().on('mood_moments').columns(['channel_id', 'started_at']).execute();
      await db.schema
        .createTable('mood_messages')
        .ifNotExists()
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('at', facts.bigint, (c) => c.notNull())
        .addColumn('user', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('score', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mood_messages_channel').ifNotExists().on('mood_messages').columns(['channel_id', 'at']).execute();
      // the hourly prune goes by time alone
      await db.schema.createIndex('mood_messages_at').ifNotExists().on('mood_messages').column('at').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['mood_messages', 'mood_moments', 'mood_minutes', 'mood_channels']) await db.schema.dropTable(table).ifExists().execute();
    },
  };
}
