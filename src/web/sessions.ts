// Browser sessions: a signed, HttpOnly, SameSite=Lax cookie (Secure behind HTTPS) naming a row
// in the database, so a restart keeps people logged in and any process of a scale-out reads the
// same sessions. The cookie carries a random secret and its HMAC; the row is keyed by the
// secret's SHA-256, so neither a database dump nor a forged cookie opens a session. Each session
// has a CSRF token every state-changing request must send as `x-csrf-token` (on top of the
// origin guard, src/web/origin.ts). A second cookie binds a login in flight (the OAuth state) to
// the browser that started it.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../core/errors.js';
import { sameSecret, signer } from '../core/sealed.js';

export const SESSION_COOKIE = 'lurk_session';
/** the browser's login nonce: a state is good only in the browser whose nonce it was made with */
export const LOGIN_COOKIE = 'lurk_login';
export const CSRF_HEADER = 'x-csrf-token';
/** last_seen_at is written at most this often per session */
const TOUCH_MS = 10 * 60_000;
const LOGIN_COOKIE_SECONDS = 15 * 60;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** the logged-in user of a request */
export interface SessionUser {
  sessionId: string;
  userId: string;
  login: string;
  displayName: string;
  scopes: string[];
  csrf: string;
}

/** a stored session with its account's names (src/store/sessions.ts keeps them) */
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

export interface SessionStore {
  /** the session and its account, or undefined */
  find(id: string): Promise<SessionRecord | undefined>;
  touch(id: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  insert(row: { id: string; userId: string; csrf: string; createdAt: number; expiresAt: number }): Promise<void>;
  /** the user id the deleted session belonged to */
  delete(id: string): Promise<string | undefined>;
  deleteUser(userId: string): Promise<number>;
  count(userId: string, now: number): Promise<number>;
  /** forgets expired sessions and login states */
  prune(now: number): Promise<number>;
}

export interface SessionsOptions {
  store: SessionStore;
  /** Lurk's master key: the cookie signatures' key is derived from it */
  masterKey: Buffer;
  /** people's time, epoch ms (wall time: a session lasts days of a person's life, whatever the simulator's speed) */
  now: () => number;
  /** a session lasts this long after the last visit */
  days: number;
  /** LURK_PUBLIC_URL, when set: https there means Secure cookies */
  publicUrl?: string | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** `a=1; b=2` → the value of `name`, or undefined */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export class Sessions {
  private readonly sign;
  private readonly maxAgeMs: number;
  /** requests that moved their session's expiry: their response carries the cookie again (renewCookie) */
  private readonly touched = new WeakSet<FastifyRequest>();

  constructor(private readonly o: SessionsOptions) {
    this.sign = signer(o.masterKey, 'session-cookie');
    this.maxAgeMs = o.days * 86_400_000;
  }

  /** the request's user, or undefined (no cookie, a forged or expired one, a session logged out) */
  async user(request: FastifyRequest): Promise<SessionUser | undefined> {
    const secret = this.cookieSecret(request, SESSION_COOKIE);
    if (!secret) return undefined;
    const id = sha256(secret);
    const row = await this.o.store.find(id);
    const now = this.o.now();
    if (!row || row.expiresAt <= now) return undefined;
    if (now - row.lastSeenAt >= TOUCH_MS) {
      await this.o.store.touch(id, now, now + this.maxAgeMs);
      this.touched.add(request);
    }
    return { sessionId: id, userId: row.userId, login: row.login, displayName: row.displayName, scopes: row.scopes, csrf: row.csrf };
  }

  /**
   * The request's user, or a 401 `not_logged_in`. A request that changes state must also carry
   * the session's CSRF token in `x-csrf-token` (403 `csrf`).
   */
  async require(request: FastifyRequest): Promise<SessionUser> {
    const user = await this.user(request);
    if (!user) throw new HttpError(401, 'not_logged_in', 'log in with Twitch first (GET /auth/login)');
    if (!SAFE_METHODS.has(request.method)) {
      const token = request.headers[CSRF_HEADER];
      if (typeof token !== 'string' || !sameSecret(token, user.csrf)) throw new HttpError(403, 'csrf', `missing or wrong ${CSRF_HEADER} header: send the csrf value of GET /api/live/me`);
    }
    return user;
  }

  /**
   * For an onSend hook: when the request moved its session's expiry, the cookie is sent again
   * (same value, a full Max-Age), so the browser keeps it as long as the row lives. Other
   * requests cost a WeakSet lookup.
   */
  renewCookie(request: FastifyRequest, reply: FastifyReply): void {
    if (!this.touched.has(request)) return;
    this.touched.delete(request);
    const value = readCookie(request, SESSION_COOKIE);
    if (value) this.setCookie(request, reply, SESSION_COOKIE, value, Math.floor(this.maxAgeMs / 1000));
  }

  /** a new session for `userId` (an account row must exist), its cookie set on the reply */
  async create(request: FastifyRequest, reply: FastifyReply, userId: string): Promise<{ sessionId: string; csrf: string }> {
    this.touched.delete(request);
    const secret = randomBytes(32).toString('base64url');
    const now = this.o.now();
    const row = { id: sha256(secret), userId, csrf: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + this.maxAgeMs };
    await this.o.store.insert(row);
    this.setCookie(request, reply, SESSION_COOKIE, `${secret}.${this.sign.sign(secret)}`, Math.floor(this.maxAgeMs / 1000));
    return { sessionId: row.id, csrf: row.csrf };
  }

  /** ends the request's session and clears its cookie; the user id it belonged to, if any */
  async destroy(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    this.touched.delete(request);
    this.setCookie(request, reply, SESSION_COOKIE, '', 0);
    const secret = this.cookieSecret(request, SESSION_COOKIE);
    if (!secret) return undefined;
    return this.o.store.delete(sha256(secret));
  }

  /** ends every session of a user (their token was revoked, they logged out everywhere) */
  async destroyUser(userId: string): Promise<number> {
    return this.o.store.deleteUser(userId);
  }

  /** sessions of a user still open */
  count(userId: string): Promise<number> {
    return this.o.store.count(userId, this.o.now());
  }

  /** forgets expired sessions and login states */
  prune(): Promise<number> {
    return this.o.store.prune(this.o.now());
  }

  /**
   * The browser's login nonce, as its SHA-256 (what a login state is stored with). Made and set
   * as a short-lived cookie when the browser has none.
   */
  browser(request: FastifyRequest, reply: FastifyReply): string {
    let secret = this.cookieSecret(request, LOGIN_COOKIE);
    if (!secret) {
      secret = randomBytes(24).toString('base64url');
      this.setCookie(request, reply, LOGIN_COOKIE, `${secret}.${this.sign.sign(secret)}`, LOGIN_COOKIE_SECONDS);
    }
    return sha256(secret);
  }

  /** the browser's login nonce hash, or undefined when it has none (the callback reads it, never makes one) */
  browserOf(request: FastifyRequest): string | undefined {
    const secret = this.cookieSecret(request, LOGIN_COOKIE);
    return secret ? sha256(secret) : undefined;
  }

  /** the secret of a signed cookie, or undefined when absent or its signature is wrong */
  private cookieSecret(request: FastifyRequest, name: string): string | undefined {
    const value = readCookie(request, name);
    if (!value) return undefined;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const secret = value.slice(0, dot);
    return this.sign.verify(secret, value.slice(dot + 1)) ? secret : undefined;
  }

  private secure(request: FastifyRequest): boolean {
    if (this.o.publicUrl?.startsWith('https:')) return true;
    // a TLS proxy in front says so; a forged header only makes the cookie stricter
    return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
  }

  private setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds: number): void {
    // Lax: the redirect back from Twitch (a top-level GET from another site) carries it; no cross-site POST does
    const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
    if (this.secure(request)) parts.push('Secure');
    const existing = reply.getHeader('set-cookie');
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
    reply.header('set-cookie', [...list.filter((c) => !c.startsWith(`${name}=`)), parts.join('; ')]);
  }
}
