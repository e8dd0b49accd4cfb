import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  /** the OAuth redirect URLs registered for the client; authorize accepts only these, exactly */
  redirectUris?: string[];
}

/** the port Lurk listens on by default (its PORT setting's default; a test keeps the two equal) */
export const LURK_DEFAULT_PORT = 8080;

/** Lurk's own login callback (README "Live"), under both names a browser may use for the host */
export function lurkRedirectUris(port: number): string[] {
  return [`http://localhost:${port}/auth/callback`, `http://127.0.0.1:${port}/auth/callback`];
}

const MAX_REDIRECT_URI_LENGTH = 2048;

/** why `uri` cannot be registered as a redirect URL, or undefined when it can */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'expected an http:// or https:// URL';
  if (uri.includes('#')) return 'a redirect URL has no #fragment';
  return undefined;
}

export interface SimToken {
  accessToken: string;
  kind: 'app' | 'user';
  clientId: string;
  /** the user's index in the world, for user tokens */
  user?: number;
  scopes: string[];
  expiresAt: number;
  refreshToken?: string;
}

// Lifetimes as Twitch hands them out (examples in twitch-protocol.md §1.2, §1.3).
export const APP_TOKEN_SECONDS = 5_011_271;
export const USER_TOKEN_SECONDS = 14_124;
const CODE_SECONDS = 600;
/**
 * A consent form's token lives this long in wall-clock time: it waits on a person reading the
 * page, so it must not shrink when the world runs at speed 300.
 */
export const CONSENT_FORM_MS = 10 * 60_000;
/** forms rendered but never posted are dropped oldest first beyond this, so GETs cannot grow memory */
export const MAX_CONSENT_FORMS = 10_000;

function token(length = 30): string {
  // Twitch tokens are lower-case alphanumerics
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export function generateClientId(): string {
  return token(30);
}
export function generateClientSecret(): string {
  return token(30);
}

/** The simulator's identity provider: registered clients, codes, access and refresh tokens. */
export class SimAuth {
  private readonly clients = new Map<string, RegisteredClient>();
  private readonly tokens = new Map<string, SimToken>();
  private readonly refreshTokens = new Map<string, SimToken>();
  private readonly codes = new Map<string, { clientId: string; user: number; scopes: string[]; redirectUri: string; expiresAt: number }>();
  /** consent-form token → the authorize request it was rendered for; in issue (= expiry) order */
  private readonly consentForms = new Map<string, { request: string; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    clients: RegisteredClient[],
    private readonly consentFormMs = CONSENT_FORM_MS,
  ) {
    for (const c of clients) {
      for (const uri of c.redirectUris ?? []) {
        const problem = redirectUriProblem(uri);
        if (problem) throw new Error(`redirect URI ${JSON.stringify(uri.slice(0, 100))} of client ${c.clientId}: ${problem}`);
      }
      this.clients.set(c.clientId, { ...c, redirectUris: [...(c.redirectUris ?? [])] });
    }
  }

  registeredClients(): RegisteredClient[] {
    return [...this.clients.values()];
  }

  client(clientId: string | undefined): RegisteredClient | undefined {
    return clientId ? this.clients.get(clientId) : undefined;
  }

  /**
   * Registers more redirect URLs for a client (Lurk learns its port only once it listens), as a
   * developer adds them in Twitch's console; authorize still matches each exactly.
   */
  addRedirectUris(clientId: string, uris: string[]): void {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    for (const uri of uris) {
      const problem = redirectUriProblem(uri);
      if (problem) throw new Error(`redirect URI ${JSON.stringify(uri.slice(0, 100))} of client ${clientId}: ${problem}`);
      if (!client.redirectUris!.includes(uri)) client.redirectUris!.push(uri);
    }
  }

  /** exact string match, as Twitch compares them: no normalising, no prefix or wildcard */
  redirectRegistered(clientId: string, redirectUri: string): boolean {
    return this.clients.get(clientId)?.redirectUris?.includes(redirectUri) ?? false;
  }

  /** a one-time token for a consent form rendered for `request` (the authorize parameters, serialised) */
  issueConsentForm(request: string): string {
    const now = Date.now();
    for (const [t, form] of this.consentForms) {
      if (form.expiresAt > now && this.consentForms.size < MAX_CONSENT_FORMS) break;
      this.consentForms.delete(t);
    }
    const t = randomBytes(24).toString('base64url');
    this.consentForms.set(t, { request, expiresAt: now + this.consentFormMs });
    return t;
  }

  /** true once for a live token rendered for this very request; the token is spent either way */
  consumeConsentForm(t: string | undefined, request: string): boolean {
    const form = t ? this.consentForms.get(t) : undefined;
    if (!form) return false;
    this.consentForms.delete(t!);
    return form.expiresAt > Date.now() && form.request === request;
  }

  checkSecret(clientId: string | undefined, secret: string | undefined): boolean {
    const c = this.client(clientId);
    return !!c && c.clientSecret === secret;
  }

  issueApp(clientId: string): SimToken {
    return this.store({ accessToken: token(), kind: 'app', clientId, scopes: [], expiresAt: this.clock.now() + APP_TOKEN_SECONDS * 1000 });
  }

  /** a user token issued directly (the CLI prints one; tests use it) */
  issueUser(clientId: string, user: number, scopes: string[]): SimToken {
    const t = this.store({ accessToken: token(), kind: 'user', clientId, user, scopes: [...new Set(scopes)], expiresAt: this.clock.now() + USER_TOKEN_SECONDS * 1000, refreshToken: token(50) });
    this.refreshTokens.set(t.refreshToken!, t);
    return t;
  }

  issueCode(clientId: string, user: number, scopes: string[], redirectUri: string): string {
    const code = token(30);
    this.codes.set(code, { clientId, user, scopes, redirectUri, expiresAt: this.clock.now() + CODE_SECONDS * 1000 });
    return code;
  }

  exchangeCode(clientId: string, code: string, redirectUri: string | undefined): SimToken | 'invalid_code' | 'redirect_mismatch' {
    const grant = this.codes.get(code);
    if (!grant || grant.clientId !== clientId || grant.expiresAt < this.clock.now()) return 'invalid_code';
    // required, and the very URL the code was sent to (RFC 6749 §4.1.3)
    if (redirectUri !== grant.redirectUri) return 'redirect_mismatch';
    this.codes.delete(code);
    return this.issueUser(clientId, grant.user, grant.scopes);
  }

  /** rotates: the old refresh token stops working, as Twitch's do once used */
  refresh(clientId: string, refreshToken: string): SimToken | undefined {
    const old = this.refreshTokens.get(refreshToken);
    if (!old || old.clientId !== clientId || old.user === undefined) return undefined;
    this.refreshTokens.delete(refreshToken);
    this.tokens.delete(old.accessToken);
    return this.issueUser(clientId, old.user, old.scopes);
  }

  /** the token's grant, or undefined when unknown, revoked or expired */
  validate(accessToken: string | undefined): SimToken | undefined {
    if (!accessToken) return undefined;
    const t = this.tokens.get(accessToken);
    if (!t) return undefined;
    if (t.expiresAt <= this.clock.now()) return undefined;
    return t;
  }

  revoke(clientId: string, accessToken: string): 'ok' | 'invalid_token' {
    const t = this.tokens.get(accessToken);
    if (!t || t.clientId !== clientId) return 'invalid_token';
    this.tokens.delete(accessToken);
    if (t.refreshToken) this.refreshTokens.delete(t.refreshToken);
    return 'ok';
  }

  expiresIn(t: SimToken): number {
    return Math.max(0, Math.floor((t.expiresAt - this.clock.now()) / 1000));
  }

  private store(t: SimToken): SimToken {
    this.tokens.set(t.accessToken, t);
    return t;
  }
}
