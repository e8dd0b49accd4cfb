import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
// hours are summed for years: PostgreSQL's real is 4 bytes (7 digits), so every measure is double precision
import type { DialectFacts } from '../dialect.js';

/**
 * Watch time: rollups kept for good (per day by channel × game, channel, game and all of
 * Twitch; per UTC hour by game and all of Twitch), raw samples kept a few days, the
 * integrator's state, names keyed by id, and the digest / answers bookkeeping.
 */
export function watchtime(facts: DialectFacts) {
  const measures = <T extends string>(t: CreateTableBuilder<T, any>) =>
    t
      .addColumn('hours_watched', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('hours_streamed', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('peak_viewers', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('streams', 'integer', (c) => c.notNull().defaultTo(0));
  return {
    async up(db: Kysely<any>): Promise<void> {
      await measures(
        db.schema
          .createTable('watch_day_channel_game')
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('game_id', 'text', (c) => c.notNull()),
      )
        .addPrimaryKeyConstraint('watch_day_channel_game_pk', ['day', 'user_id', 'game_id'])
        .execute();
      await db.schema.createIndex('watch_dcg_user').on('watch_day_channel_game').columns(['user_id', 'day']).execute();
      await db.schema.createIndex('watch_dcg_game').on('watch_day_channel_game').columns(['game_id', 'day', 'user_id']).execute();

      await measures(
        db.schema
          .createTable('watch_day_channel')
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text', (c) => c.notNull()),
      )
        .addPrimaryKeyConstraint('watch_day_channel_pk', ['day', 'user_id'])
        .execute();
      await db.schema.createIndex('watch_dc_rank').on('watch_day_channel').columns(['day', 'hours_watched']).execute();
      await db.schema.createIndex('watch_dc_user').on('watch_day_channel').columns(['user_id', 'day']).execute();

      await measures(
        db.schema
          .createTable('watch_day_game')
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('game_id', 'text', (c) => c.notNull()),
      )
        .addColumn('peak_channels', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('watch_day_game_pk', ['day', 'game_id'])
        .execute();
      await db.schema.createIndex('watch_dg_rank').on('watch_day_game').columns(['day', 'hours_watched']).execute();
      await db.schema.createIndex('watch_dg_game').on('watch_day_game').columns(['game_id', 'day']).execute();

      // hours_covered: how much of the day Lurk was sampling (the divisor of average viewers)
      await measures(db.schema.createTable('watch_day_total').addColumn('day', 'text', (c) => c.primaryKey()))
        .addColumn('peak_channels', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('hours_covered', 'double precision', (c) => c.notNull().defaultTo(0))
        .execute();

      await measures(
        db.schema
          .createTable('watch_hour_game')
          .addColumn('hour', facts.bigint, (c) => c.notNull())
          .addColumn('game_id', 'text', (c) => c.notNull()),
      )
        .addColumn('peak_channels', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('watch_hour_game_pk', ['hour', 'game_id'])
        .execute();
      await db.schema.createIndex('watch_hg_game').on('watch_hour_game').columns(['game_id', 'hour']).execute();

      await measures(db.schema.createTable('watch_hour_total').addColumn('hour', facts.bigint, (c) => c.primaryKey()))
        .addColumn('peak_channels', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('hours_covered', 'double precision', (c) => c.notNull().defaultTo(0))
        .execute();

      let samples = db.schema
        .createTable('watch_samples')
        .addColumn('seen_at', facts.bigint, (c) => c.notNull())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('game_id', 'text', (c) => c.notNull())
        .addColumn('viewers', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('watch_samples_pk', ['seen_at', 'stream_id']);
      // appended in time order and pruned by time: the primary key is the table on SQLite
      if (facts.kind === 'sqlite') samples = samples.modifyEnd(sqlWithoutRowid);
      await samples.execute();
      await db.schema.createIndex('watch_samples_user').on('watch_samples').columns(['user_id', 'seen_at']).execute();

      await db.schema
        .createTable('watch_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('flushed_at', facts.bigint, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('watch_games')
        .addColumn('game_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('search_key', 'text', (c) => c.notNull())
        .addColumn('updated_at', facts.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('watch_channels')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('search_key', 'text', (c) => c.notNull())
        .addColumn('updated_at', facts.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('watch_channels_login').on('watch_channels').column('login').execute();

      await db.schema
        .createTable('digests')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('composed_at', facts.bigint, (c) => c.notNull())
        .addColumn('posts', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('digest_posts')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('publisher', 'text', (c) => c.notNull())
        .addColumn('post_key', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('remote_id', 'text')
        .addColumn('url', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('updated_at', facts.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('digest_posts_pk', ['day', 'publisher', 'post_key'])
        .execute();
      await db.schema
        .createTable('answer_cursors')
        .addColumn('source', 'text', (c) => c.primaryKey())
        .addColumn('cursor', 'text')
        .addColumn('updated_at', facts.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('answers')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('mention_id', 'text', (c) => c.notNull())
        .addColumn('question', 'text', (c) => c.notNull())
        // the mention as the publisher gave it, to reply to it on a retry
        .addColumn('mention', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reply', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', facts.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('answers_pk', ['source', 'mention_id'])
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const table of [
        'answers',
        'answer_cursors',
        'digest_posts',
        'digests',
        'watch_channels',
        'watch_games',
        'watch_state',
        'watch_samples',
        'watch_hour_total',
        'watch_hour_game',
        'watch_day_total',
        'watch_day_game',
        'watch_day_channel',
        'watch_day_channel_game',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

const sqlWithoutRowid = sql`without rowid`;
