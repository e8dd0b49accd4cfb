// Accounts logged in with Twitch and logins in flight, in the database (src/live/accounts.ts
// decides what they mean). Tokens arrive here already sealed: this file never sees one in clear.
import type { Kysely } from 'kysely';
import type { Database, LiveAccountsTable } from './schema.js';

export type AccountRow = LiveAccountsTable;

export interface LoginStateRow {
  state: string;
  browser: string;
  scopes: string;
  return_to: string;
  expires_at: number;
}

const numeric = (row: AccountRow): AccountRow => ({
  ...row,
  expires_at: Number(row.expires_at),
  validated_at: Number(row.validated_at),
  moderates_at: row.moderates_at === null ? null : Number(row.moderates_at),
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
});

export class SqlAccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(userId: string): Promise<AccountRow | undefined> {
    const row = await this.db.selectFrom('live_accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row ? numeric(row) : undefined;
  }

  async list(): Promise<AccountRow[]> {
    return (await this.db.selectFrom('live_accounts').selectAll().orderBy('user_id').execute()).map(numeric);
  }

  /** a new login replaces the account's tokens and names; its moderated channels stay until read again */
  async upsert(row: Omit<AccountRow, 'moderates' | 'moderates_at'>): Promise<void> {
    await this.db
      .insertInto('live_accounts')
      .values({ ...row, moderates: null, moderates_at: null })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          login: row.login,
          display_name: row.display_name,
          scopes: row.scopes,
          access_token: row.access_token,
          refresh_token: row.refresh_token,
          expires_at: row.expires_at,
          validated_at: row.validated_at,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /**
   * Stores a refresh's tokens only while the row still holds the (sealed) refresh token that was
   * used: a login or another process's refresh that landed meanwhile wins. Whether it was stored.
   */
  async replaceTokens(userId: string, usedRefreshToken: string, tokens: { access_token: string; refresh_token: string; expires_at: number; scopes: string; updated_at: number }): Promise<boolean> {
    const result = await this.db.updateTable('live_accounts').set(tokens).where('user_id', '=', userId).where('refresh_token', '=', usedRefreshToken).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setValidated(userId: string, at: number): Promise<void> {
    await this.db.updateTable('live_accounts').set({ validated_at: at }).where('user_id', '=', userId).execute();
  }

  async setModerates(userId: string, channelIds: string[], at: number): Promise<void> {
    await this.db
      .updateTable('live_accounts')
      .set({ moderates: JSON.stringify(channelIds), moderates_at: at })
      .where('user_id', '=', userId)
      .execute();
  }

  async delete(userId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('live_accounts').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** accounts whose access token expires before `at` */
  async expiringBefore(at: number): Promise<string[]> {
    return (await this.db.selectFrom('live_accounts').select('user_id').where('expires_at', '<', at).execute()).map((r) => r.user_id);
  }

  /**
   * Stores a login in flight, keeping only the browser's newest `perBrowser` states (older tabs'
   * logins stop working), unless `maxLive` states are live already (then false, nothing stored):
   * anonymous GETs must not grow the table at request rate until the hourly prune.
   */
  async insertLoginState(row: LoginStateRow, limits: { now: number; perBrowser: number; maxLive: number }): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const live = await tx
        .selectFrom('live_login_states')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('expires_at', '>', limits.now)
        .executeTakeFirst();
      if (Number(live?.n ?? 0) >= limits.maxLive) return false;
      await tx.insertInto('live_login_states').values(row).execute();
      // the new state always stays (states made in the same millisecond tie on expires_at)
      const others = tx
        .selectFrom('live_login_states')
        .select('state')
        .where('browser', '=', row.browser)
        .where('state', '!=', row.state)
        .orderBy('expires_at', 'desc')
        .limit(Math.max(0, limits.perBrowser - 1));
      await tx.deleteFrom('live_login_states').where('browser', '=', row.browser).where('state', '!=', row.state).where('state', 'not in', others).execute();
      return true;
    });
  }

  /** the state's row, deleted in the same statement so a state is good once */
  async takeLoginState(state: string): Promise<LoginStateRow | undefined> {
    const row = await this.db.deleteFrom('live_login_states').where('state', '=', state).returningAll().executeTakeFirst();
    return row ? { ...row, expires_at: Number(row.expires_at) } : undefined;
  }
}
