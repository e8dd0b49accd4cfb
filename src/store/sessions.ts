// Browser sessions and login states in the database (src/web/sessions.ts decides what they mean).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** a session with its account's names (the shape src/web/sessions.ts reads) */
export interface SessionRecord {
  id: string;
  userId: string;
  login: string;
  displayName: string;
  scopes: string[];
  csrf: string;
  lastSeenAt: number;
  expiresAt: number;
}

export class SqlSessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async find(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db
      .selectFrom('live_sessions as s')
      .innerJoin('live_accounts as a', 'a.user_id', 's.user_id')
      .select(['s.id', 's.user_id', 's.csrf', 's.last_seen_at', 's.expires_at', 'a.login', 'a.display_name', 'a.scopes'])
      .where('s.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      userId: row.user_id,
      login: row.login,
      displayName: row.display_name,
      scopes: row.scopes.split(' ').filter(Boolean),
      csrf: row.csrf,
      lastSeenAt: Number(row.last_seen_at),
      expiresAt: Number(row.expires_at),
    };
  }

  async touch(id: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.db.updateTable('live_sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).execute();
  }

  async insert(row: { id: string; userId: string; csrf: string; createdAt: number; expiresAt: number }): Promise<void> {
    await this.db.insertInto('live_sessions').values({ id: row.id, user_id: row.userId, csrf: row.csrf, created_at: row.createdAt, last_seen_at: row.createdAt, expires_at: row.expiresAt }).execute();
  }

  async delete(id: string): Promise<string | undefined> {
    const row = await this.db.deleteFrom('live_sessions').where('id', '=', id).returning('user_id').executeTakeFirst();
    return row?.user_id;
  }

  async deleteUser(userId: string): Promise<number> {
    const result = await this.db.deleteFrom('live_sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async count(userId: string, now: number): Promise<number> {
    const row = await this.db
      .selectFrom('live_sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async prune(now: number): Promise<number> {
    const result = await this.db.deleteFrom('live_sessions').where('expires_at', '<=', now).executeTakeFirst();
    await this.db.deleteFrom('live_login_states').where('expires_at', '<=', now).execute();
    return Number(result.numDeletedRows);
  }
}
