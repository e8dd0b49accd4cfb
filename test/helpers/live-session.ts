// Live events' tests log in without Twitch's consent page: an account row (tokens sealed, dummy)
// and a session row written as src/web/sessions.ts writes them, and the cookie a browser would hold.
import { createHash, randomBytes } from 'node:crypto';
import type { Lurk } from '../../src/app.js';
import { createSealer, signer } from '../../src/core/sealed.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/web/sessions.js';

export interface LiveLogin {
  userId: string;
  login: string;
  cookie: string;
  csrf: string;
  /** headers of a state-changing request: cookie, CSRF token, JSON, same origin */
  headers(base: string): Record<string, string>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** a Twitch account in live_accounts (as if it had logged in) with these scopes */
export async function insertAccount(lurk: Lurk, masterKey: Buffer, user: { id: string; login: string; displayName?: string; scopes?: string[]; moderates?: string[] }): Promise<void> {
  const sealer = createSealer(masterKey, 'test-live-token');
  const now = Date.now();
  await lurk.store.db
    .insertInto('live_accounts')
    .values({
      user_id: user.id,
      login: user.login,
      display_name: user.displayName ?? user.login,
      scopes: (user.scopes ?? []).join(' '),
      access_token: sealer.seal('dummy-access'),
      refresh_token: sealer.seal('dummy-refresh'),
      expires_at: now + 3_600_000,
      validated_at: now,
      moderates: JSON.stringify(user.moderates ?? []),
      moderates_at: now,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

/** a session of `userId` and its cookie, signed with Lurk's master key */
export async function insertSession(lurk: Lurk, masterKey: Buffer, userId: string, login: string): Promise<LiveLogin> {
  const secret = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const now = Date.now();
  // Lurk's clock (the simulator's) decides expiry: far in both directions
  await lurk.store.db
    .insertInto('live_sessions')
    .values({ id: sha256(secret), user_id: userId, csrf, created_at: now, last_seen_at: lurk.clock.now(), expires_at: Math.max(now, lurk.clock.now()) + 365 * 86_400_000 })
    .execute();
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(`${secret}.${signer(masterKey, 'session-cookie').sign(secret)}`)}`;
  return {
    userId,
    login,
    cookie,
    csrf,
    headers: (base) => ({ cookie, [CSRF_HEADER]: csrf, 'content-type': 'application/json', origin: base }),
  };
}

/** an account and a session of it */
export async function liveLogin(lurk: Lurk, masterKey: Buffer, user: { id: string; login: string; scopes?: string[]; moderates?: string[] }): Promise<LiveLogin> {
  await insertAccount(lurk, masterKey, user);
  return insertSession(lurk, masterKey, user.id, user.login);
}
