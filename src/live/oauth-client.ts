// Twitch's id server for a user's tokens: the authorization-code exchange, refresh, validate and
// revoke (twitch-protocol.md §1). Errors name the status and Twitch's message, never a token.

export interface OAuthApp {
  /** OAuth base, e.g. https://id.twitch.tv/oauth2 */
  oauth: string;
  clientId: string;
  clientSecret: string;
}

export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  expiresInS: number;
  scopes: string[];
}

export interface TokenInfo {
  userId: string;
  login: string;
  scopes: string[];
  expiresInS: number;
}

/** Twitch answered, and refused (4xx): the code, refresh token or access token is no good */
export class OAuthRefusedError extends Error {
  constructor(
    readonly status: number,
    what: string,
    /** Twitch's own message, e.g. "Invalid refresh token" */
    readonly reason: string | undefined,
  ) {
    super(`Twitch refused the ${what} (HTTP ${status}${reason ? `: ${reason}` : ''})`);
    this.name = 'OAuthRefusedError';
  }
}

/**
 * Twitch says the refresh token itself is no good (revoked, rotated, the password changed), as
 * opposed to a refusal that passes (429, a client or request problem) and must not log anyone out.
 */
export function refreshTokenRejected(err: unknown): boolean {
  return err instanceof OAuthRefusedError && (err.status === 400 || err.status === 401) && /invalid refresh token/i.test(err.reason ?? '');
}

const TIMEOUT_MS = 10_000;

async function form(url: string, values: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  return { status: res.status, json };
}

function refusedOrFailed(status: number, what: string, json: Record<string, unknown> | undefined): Error {
  const message = typeof json?.message === 'string' ? json.message.slice(0, 200) : undefined;
  if (status >= 400 && status < 500) return new OAuthRefusedError(status, what, message);
  return new Error(`Twitch failed the ${what} (HTTP ${status}${message ? `: ${message}` : ''})`);
}

function grantOf(json: Record<string, unknown> | undefined): TokenGrant | undefined {
  if (!json || typeof json.access_token !== 'string' || typeof json.refresh_token !== 'string') return undefined;
  const scope = json.scope;
  const scopes = Array.isArray(scope) ? scope.map(String) : typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
  return { accessToken: json.access_token, refreshToken: json.refresh_token, expiresInS: Number(json.expires_in ?? 0), scopes };
}

export async function exchangeCode(app: OAuthApp, code: string, redirectUri: string): Promise<TokenGrant> {
  const { status, json } = await form(`${app.oauth}/token`, { client_id: app.clientId, client_secret: app.clientSecret, code, grant_type: 'authorization_code', redirect_uri: redirectUri });
  const grant = status === 200 ? grantOf(json) : undefined;
  if (!grant) throw refusedOrFailed(status === 200 ? 502 : status, 'authorization code', json);
  return grant;
}

export async function refreshToken(app: OAuthApp, refresh: string): Promise<TokenGrant> {
  const { status, json } = await form(`${app.oauth}/token`, { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: refresh });
  const grant = status === 200 ? grantOf(json) : undefined;
  if (!grant) throw refusedOrFailed(status === 200 ? 502 : status, 'refresh token', json);
  return grant;
}

/** the token's owner and scopes, or undefined when Twitch answers 401 (expired or revoked) */
export async function validateToken(app: OAuthApp, accessToken: string): Promise<TokenInfo | undefined> {
  const res = await fetch(`${app.oauth}/validate`, { headers: { authorization: `OAuth ${accessToken}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (res.status === 401) return undefined;
  if (res.status !== 200 || typeof json?.user_id !== 'string' || typeof json.login !== 'string') throw refusedOrFailed(res.status === 200 ? 502 : res.status, 'token validation', json);
  return { userId: json.user_id, login: json.login, scopes: Array.isArray(json.scopes) ? json.scopes.map(String) : [], expiresInS: Number(json.expires_in ?? 0) };
}

/** best effort: a token Twitch no longer knows is as good as revoked */
export async function revokeToken(app: OAuthApp, accessToken: string): Promise<void> {
  const { status, json } = await form(`${app.oauth}/revoke`, { client_id: app.clientId, token: accessToken });
  if (status !== 200 && status !== 400) throw refusedOrFailed(status, 'revocation', json);
}
