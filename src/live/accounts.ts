// The accounts logged in to Lurk: their tokens (sealed at rest, refreshed before expiry,
// validated hourly as Twitch requires), the channels each moderates, and what happens when an
// account is gone (logged out, revoked at Twitch): its row and sessions are deleted and the feed
// is told. Tokens never reach a log line.
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Sealer } from '../core/sealed.js';
import type { AccountRow, SqlAccountStore } from '../store/accounts.js';
import type { TwitchAccess } from '../twitch/access.js';
import type { EventSubUser } from '../twitch/eventsub/manager.js';
import type { Sessions } from '../web/sessions.js';
import { exchangeCode, OAuthRefusedError, type OAuthApp, refreshToken, refreshTokenRejected, revokeToken, type TokenGrant, validateToken } from './oauth-client.js';
import type { LiveAccount, LiveAccounts } from './parts.js';

/** token() refreshes a token this close to its expiry */
export const REFRESH_ON_DEMAND_MS = 5 * 60_000;
/** the refresh job renews tokens expiring within this */
export const REFRESH_AHEAD_MS = 20 * 60_000;
const MODERATION_SCOPE = 'user:read:moderated_channels';

export interface AccountsOptions {
  store: SqlAccountStore;
  sealer: Sealer;
  sessions: Sessions;
  twitch: TwitchAccess;
  clock: Clock;
  log: Logger;
}

const scopesOf = (row: AccountRow) => row.scopes.split(' ').filter(Boolean);

export class Accounts implements LiveAccounts {
  private readonly listeners = new Set<(userId: string) => void>();
  /** one refresh per account at a time: Twitch rotates refresh tokens, so a second would fail */
  private readonly refreshing = new Map<string, Promise<string | undefined>>();

  constructor(private readonly o: AccountsOptions) {}

  private app(): OAuthApp {
    const { endpoints, clientId, clientSecret } = this.o.twitch.target();
    return { oauth: endpoints.oauth, clientId, clientSecret };
  }

  private view(row: AccountRow): LiveAccount {
    let moderates: string[] = [];
    try {
      moderates = row.moderates ? (JSON.parse(row.moderates) as string[]) : [];
    } catch {
      moderates = [];
    }
    return { userId: row.user_id, login: row.login, displayName: row.display_name, scopes: scopesOf(row), moderates };
  }

  async list(): Promise<LiveAccount[]> {
    return (await this.o.store.list()).map((r) => this.view(r));
  }

  async get(userId: string): Promise<LiveAccount | undefined> {
    const row = await this.o.store.get(userId);
    return row ? this.view(row) : undefined;
  }

  async token(userId: string): Promise<string | undefined> {
    const row = await this.o.store.get(userId);
    if (!row) return undefined;
    const now = this.o.clock.now();
    if (row.expires_at - now > REFRESH_ON_DEMAND_MS) return this.o.sealer.open(row.access_token);
    try {
      return await this.refresh(userId);
    } catch (err) {
      // Twitch did not answer: the current token serves until it really expires
      if (row.expires_at > now) return this.o.sealer.open(row.access_token);
      throw err;
    }
  }

  eventSubUser(userId: string): EventSubUser {
    return {
      id: userId,
      token: async () => {
        const token = await this.token(userId);
        if (!token) throw new Error(`account ${userId} is no longer logged in to Lurk`);
        return token;
      },
    };
  }

  onChange(listener: (userId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(userId: string): void {
    for (const listener of this.listeners) {
      try {
        listener(userId);
      } catch (err) {
        this.o.log.warn({ err, userId }, 'a live account listener failed');
      }
    }
  }

  /** the authorization code's account, stored (a login again replaces its tokens) */
  async login(code: string, redirectUri: string): Promise<LiveAccount> {
    const app = this.app();
    const grant = await exchangeCode(app, code, redirectUri);
    const info = await validateToken(app, grant.accessToken);
    if (!info) throw new OAuthRefusedError(401, 'new access token', 'invalid access token');
    const displayName = await this.displayName(info.userId, info.login);
    const now = this.o.clock.now();
    await this.o.store.upsert({
      user_id: info.userId,
      login: info.login,
      display_name: displayName,
      scopes: info.scopes.join(' '),
      access_token: this.o.sealer.seal(grant.accessToken),
      refresh_token: this.o.sealer.seal(grant.refreshToken),
      expires_at: now + grant.expiresInS * 1000,
      validated_at: now,
      created_at: now,
      updated_at: now,
    });
    this.o.log.info({ userId: info.userId, login: info.login, scopes: info.scopes }, 'a Twitch account logged in');
    // what Twitch revoked when this user withdrew Lurk's access is theirs to grant again now
    this.o.twitch.eventsub.reauthorised(info.userId);
    await this.readModerates(info.userId, false).catch((err: unknown) => this.o.log.warn({ err: String(err), userId: info.userId }, 'could not read the channels the user moderates'));
    this.changed(info.userId);
    return (await this.get(info.userId))!;
  }

  private async displayName(userId: string, login: string): Promise<string> {
    try {
      const users = await this.o.twitch.helix().get<{ data: { id: string; display_name: string }[] }>('users', { id: userId }, { priority: 'interactive' });
      return users.data.find((u) => u.id === userId)?.display_name || login;
    } catch (err) {
      this.o.log.warn({ err: String(err), userId }, 'could not read the display name; using the login');
      return login;
    }
  }

  /** revokes the token at Twitch and forgets the account and its sessions (favourites stay) */
  async logout(userId: string): Promise<void> {
    const row = await this.o.store.get(userId);
    if (row) {
      await revokeToken(this.app(), this.o.sealer.open(row.access_token)).catch((err: unknown) => this.o.log.warn({ err: String(err), userId }, 'could not revoke the token at Twitch'));
    }
    await this.forget(userId, 'logged out');
  }

  private async forget(userId: string, why: string): Promise<void> {
    const deleted = await this.o.store.delete(userId);
    await this.o.sessions.destroyUser(userId);
    if (deleted) {
      this.o.log.info({ userId, why }, 'a Twitch account left Lurk');
      this.changed(userId);
    }
  }

  /** a fresh access token, or undefined once Twitch says the refresh token is invalid (the account is then gone); throws on a passing failure */
  refresh(userId: string): Promise<string | undefined> {
    let pending = this.refreshing.get(userId);
    if (!pending) {
      pending = this.doRefresh(userId).finally(() => this.refreshing.delete(userId));
      this.refreshing.set(userId, pending);
    }
    return pending;
  }

  private async doRefresh(userId: string): Promise<string | undefined> {
    const row = await this.o.store.get(userId);
    if (!row) return undefined;
    let grant: TokenGrant;
    try {
      grant = await refreshToken(this.app(), this.o.sealer.open(row.refresh_token));
    } catch (err) {
      if (!(err instanceof OAuthRefusedError)) throw err;
      // Another process (PostgreSQL has no lock across them) or a login may have rotated the
      // refresh token since it was read: Twitch then refuses the old one, and the new one is good.
      const current = await this.o.store.get(userId);
      if (current && current.refresh_token !== row.refresh_token) return this.o.sealer.open(current.access_token);
      // a 429 or any other refusal passes: the current token serves until it really expires
      if (!refreshTokenRejected(err)) throw err;
      await this.forget(userId, 'refresh refused');
      return undefined;
    }
    const now = this.o.clock.now();
    const scopes = grant.scopes.length ? grant.scopes.join(' ') : row.scopes;
    const stored = await this.o.store.replaceTokens(userId, row.refresh_token, {
      access_token: this.o.sealer.seal(grant.accessToken),
      refresh_token: this.o.sealer.seal(grant.refreshToken),
      expires_at: now + grant.expiresInS * 1000,
      scopes,
      updated_at: now,
    });
    if (!stored) {
      // a login (perhaps with more scopes) or another refresh landed meanwhile: its tokens stand
      const current = await this.o.store.get(userId);
      return current ? this.o.sealer.open(current.access_token) : undefined;
    }
    if (scopes !== row.scopes) this.changed(userId);
    return grant.accessToken;
  }

  /** the refresh job: every token expiring within REFRESH_AHEAD_MS */
  async refreshDue(): Promise<number> {
    const due = await this.o.store.expiringBefore(this.o.clock.now() + REFRESH_AHEAD_MS);
    let refreshed = 0;
    for (const userId of due) {
      try {
        if (await this.refresh(userId)) refreshed++;
      } catch (err) {
        this.o.log.warn({ err: String(err), userId }, 'could not refresh a token; trying again next run');
      }
    }
    return refreshed;
  }

  /** the hourly validation Twitch requires; a 401 tries a refresh, a refused refresh ends the account */
  async validateAll(): Promise<void> {
    for (const row of await this.o.store.list()) {
      try {
        const info = await validateToken(this.app(), this.o.sealer.open(row.access_token));
        if (info) await this.o.store.setValidated(row.user_id, this.o.clock.now());
        else if (!(await this.refresh(row.user_id))) continue;
        await this.readModerates(row.user_id, true);
      } catch (err) {
        this.o.log.warn({ err: String(err), userId: row.user_id }, 'could not validate a token; trying again next run');
      }
    }
  }

  /** the channels the user moderates, when they granted the scope; notifies when the list changed */
  private async readModerates(userId: string, notify: boolean): Promise<void> {
    const row = await this.o.store.get(userId);
    if (!row || !scopesOf(row).includes(MODERATION_SCOPE)) return;
    const ids: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const answer = await this.o.twitch
        .helix()
        .get<{ data: { broadcaster_id: string }[]; pagination?: { cursor?: string } }>(
          'moderation/channels',
          { user_id: userId, first: 100, after },
          { priority: 'background', userToken: async () => (await this.token(userId)) ?? '' },
        );
      ids.push(...answer.data.map((c) => c.broadcaster_id));
      after = answer.pagination?.cursor;
      if (!after || answer.data.length === 0) break;
    }
    const before = row.moderates;
    await this.o.store.setModerates(userId, ids, this.o.clock.now());
    if (notify && before !== JSON.stringify(ids)) this.changed(userId);
  }
}
