import type { Kysely } from 'kysely';
import type { DialectFacts } from '../dialect.js';

/**
 * Live events: accounts logged in with Twitch (their tokens sealed with AES-256-GCM), browser
 * sessions, login attempts in flight (the OAuth `state`), favourites, and each channel's event
 * feed (kept LURK_LIVE_RETENTION_DAYS, pruned hourly).
 */
export function live(facts: DialectFacts) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      // ifNotExists throughout: SQLite commits DDL before the migrator records the migration
      await db.schema
        .createTable('live_accounts')
        .ifNotExists()
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        // granted scopes, space-separated as Twitch writes them
        .addColumn('scopes', 'text', (c) => c.notNull())
        // sealed (src/core/sealed.ts): never the token itself
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('refresh_token', 'text', (c) => c.notNull())
        .addColumn('expires_at', facts.bigint, (c) => c.notNull())
        .addColumn('validated_at', facts.bigint, (c) => c.notNull())
        // channel ids the user moderates (JSON array), with when it was read; null before
        .addColumn('moderates', 'text')
        .addColumn('moderates_at', facts.bigint)
        .addColumn('created_at', facts.bigint, (c) => c.notNull())
        .addColumn('updated_at', facts.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('live_sessions')
        // the SHA-256 of the cookie's secret: the database never holds what the cookie carries
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('created_at', facts.bigint, (c) => c.notNull())
        .addColumn('last_seen_at', facts.bigint, (c) => c.notNull())
        .addColumn('expires_at', facts.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('live_sessions_user').ifNotExists().on('live_sessions').column('user_id').execute();
      await db.schema
        .createTable('live_login_states')
        .ifNotExists()
        // the OAuth state sent to Twitch (random; one use)
        .addColumn('state', 'text', (c) => c.primaryKey())
        // the SHA-256 of the browser's login cookie: a state is only good in the browser that started it
        .addColumn('browser', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('return_to', 'text', (c) => c.notNull())
        .addColumn('expires_at', facts.bigint, (c) => c.notNull())
        .execute();
      // a browser's states are capped at each login (src/store/accounts.ts insertLoginState)
      await db.schema.createIndex('live_login_states_browser').ifNotExists().on('live_login_states').columns(['browser', 'expires_at']).execute();
      await db.schema
        .createTable('live_favourites')
        .ifNotExists()
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('added_at', facts.bigint, (c) => c.notNull())
        // clear view: events with an id up to this are hidden from this user (history kept)
        .addColumn('cleared_before', facts.bigint, (c) => c.notNull().defaultTo(0))
        // bumped to make a new overlay URL (the old one stops working)
        .addColumn('overlay_generation', 'integer', (c) => c.notNull().defaultTo(0))
        // random, signed into the overlay key and replaced on rotate: a favourite removed and added
        // again (generation 0 again) never brings an old key back
        .addColumn('overlay_salt', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('live_favourites_pk', ['user_id', 'channel_id'])
        .execute();
      await db.schema.createIndex('live_favourites_channel').ifNotExists().on('live_favourites').column('channel_id').execute();
      await db.schema
        .createTable('live_events')
        .ifNotExists()
        .addColumn('id', facts.serial, (c) => c.primaryKey())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('channel_login', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', facts.bigint, (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('user_login', 'text')
        .addColumn('user_name', 'text')
        // the type's fields (tier, months, count, bits, viewers, message, title …) as JSON
        .addColumn('details', 'text', (c) => c.notNull())
        // JSON array of 'eventsub' | 'chat'
        .addColumn('sources', 'text', (c) => c.notNull())
        // what makes two reports one event (src/live/normalize.ts), looked up within minutes
        .addColumn('dedup_key', 'text', (c) => c.notNull())
        .addColumn('read_at', facts.bigint)
        .addColumn('read_by', 'text')
        .execute();
      await db.schema.createIndex('live_events_channel').ifNotExists().on('live_events').columns(['channel_id', 'id']).execute();
      await db.schema.createIndex('live_events_dedup').ifNotExists().on('live_events').columns(['channel_id', 'dedup_key', 'at']).execute();
      await db.schema.createIndex('live_events_at').ifNotExists().on('live_events').column('at').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['live_events', 'live_favourites', 'live_login_states', 'live_sessions', 'live_accounts']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
