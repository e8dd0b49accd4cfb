import type { Kysely } from 'kysely';
import type { DialectFacts } from '../dialect.js';

/**
 * Audience: the watched channels (config, API, top-N and raid targets, across restarts), per-user
 * moves and per-user activity (kept LURK_AUDIENCE_PER_USER_DAYS, pruned hourly), and what is kept
 * for good: hourly move counts, raids, ended streams, the daily similar-channel ranking and the
 * daily community map. Days are UTC, written YYYY-MM-DD (they sort as text).
 */
export function audience(facts: DialectFacts) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      // ifNotExists throughout: SQLite commits DDL before the migrator records the migration
      await db.schema
        .createTable('audience_channels')
        .ifNotExists()
        .addColumn('login', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('sources', 'text', (c) => c.notNull())
        .addColumn('added_at', facts.bigint, (c) => c.notNull())
        // a raid target is watched until then (or its stream's end); null without the 'raid' source
        .addColumn('raid_until', facts.bigint)
        .execute();
      await db.schema
        .createTable('audience_moves')
        .ifNotExists()
        .addColumn('viewer', 'text', (c) => c.notNull())
        .addColumn('from_channel', 'text', (c) => c.notNull())
        .addColumn('to_channel', 'text', (c) => c.notNull())
        .addColumn('left_at', facts.bigint, (c) => c.notNull())
        .addColumn('joined_at', facts.bigint, (c) => c.notNull())
        .addColumn('cause', 'text', (c) => c.notNull())
        .addColumn('raid_id', 'text')
        .addColumn('evidence', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audience_moves_from').ifNotExists().on('audience_moves').columns(['from_channel', 'joined_at']).execute();
      await db.schema.createIndex('audience_moves_to').ifNotExists().on('audience_moves').columns(['to_channel', 'joined_at']).execute();
      // the prune and the unfiltered list go by time alone
      await db.schema.createIndex('audience_moves_at').ifNotExists().on('audience_moves').column('joined_at').execute();
      await db.schema
        .createTable('audience_move_counts')
        .ifNotExists()
        .addColumn('from_channel', 'text', (c) => c.notNull())
        .addColumn('to_channel', 'text', (c) => c.notNull())
        // the hour the arrivals fell in, epoch ms
        .addColumn('hour', facts.bigint, (c) => c.notNull())
        .addColumn('moves', 'integer', (c) => c.notNull())
        .addColumn('organic', 'integer', (c) => c.notNull())
        .addColumn('raid', 'integer', (c) => c.notNull())
        // JSON {gap seconds: moves}: the exact median over any range, without per-user rows
        .addColumn('gaps', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audience_move_counts_pk', ['from_channel', 'to_channel', 'hour'])
        .execute();
      await db.schema.createIndex('audience_move_counts_to').ifNotExists().on('audience_move_counts').columns(['to_channel', 'hour']).execute();
      await db.schema.createIndex('audience_move_counts_hour').ifNotExists().on('audience_move_counts').column('hour').execute();
      await db.schema
        .createTable('audience_raids')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('from_channel', 'text', (c) => c.notNull())
        .addColumn('to_channel', 'text', (c) => c.notNull())
        .addColumn('at', facts.bigint, (c) => c.notNull())
        .addColumn('viewers', 'integer', (c) => c.notNull())
        .addColumn('sources', 'text', (c) => c.notNull())
        .addColumn('raiders_seen', 'integer', (c) => c.notNull())
        .addColumn('retained_10m', 'integer')
        .addColumn('retained_30m', 'integer')
        .execute();
      await db.schema.createIndex('audience_raids_at').ifNotExists().on('audience_raids').column('at').execute();
      await db.schema.createIndex('audience_raids_from').ifNotExists().on('audience_raids').columns(['from_channel', 'at']).execute();
      await db.schema.createIndex('audience_raids_to').ifNotExists().on('audience_raids').columns(['to_channel', 'at']).execute();
      await db.schema
        .createTable('audience_ended')
        .ifNotExists()
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('ended_at', facts.bigint, (c) => c.notNull())
        .addColumn('audience', 'integer', (c) => c.notNull())
        .addColumn('followed', 'integer', (c) => c.notNull())
        .addColumn('moves', 'integer', (c) => c.notNull())
        .addColumn('raid_moves', 'integer', (c) => c.notNull())
        .addColumn('destinations', 'text', (c) => c.notNull())
        .addColumn('final', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('audience_ended_pk', ['channel', 'ended_at'])
        .execute();
      await db.schema.createIndex('audience_ended_at').ifNotExists().on('audience_ended').column('ended_at').execute();
      await db.schema
        .createTable('audience_activity')
        .ifNotExists()
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('viewer', 'text', (c) => c.notNull())
        .addColumn('first_at', facts.bigint, (c) => c.notNull())
        .addColumn('last_at', facts.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('audience_activity_pk', ['day', 'channel', 'viewer'])
        .execute();
      // overlap over the last N × 24 h: a channel's users, then each user's other channels
      await db.schema.createIndex('audience_activity_channel').ifNotExists().on('audience_activity').columns(['channel', 'last_at', 'viewer']).execute();
      await db.schema.createIndex('audience_activity_viewer').ifNotExists().on('audience_activity').columns(['viewer', 'last_at', 'channel']).execute();
      // a day's pairs (the map, the daily ranking): each user's channels that day
      await db.schema.createIndex('audience_activity_day_viewer').ifNotExists().on('audience_activity').columns(['day', 'viewer', 'channel']).execute();
      await db.schema
        .createTable('audience_similar')
        .ifNotExists()
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('other', 'text', (c) => c.notNull())
        .addColumn('rank', 'integer', (c) => c.notNull())
        .addColumn('shared', 'integer', (c) => c.notNull())
        .addColumn('probability', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('audience_similar_pk', ['channel', 'day', 'other'])
        .execute();
      await db.schema
        .createTable('audience_maps')
        .ifNotExists()
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('json', 'text', (c) => c.notNull())
        .addColumn('computed_at', facts.bigint, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['audience_maps', 'audience_similar', 'audience_activity', 'audience_ended', 'audience_raids', 'audience_move_counts', 'audience_moves', 'audience_channels'])
        await db.schema.dropTable(table).ifExists().execute();
    },
  };
}
