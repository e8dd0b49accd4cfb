import type { Logger } from 'pino';

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
  /** OAuth base, e.g. https://id.twitch.tv/oauth2 */
  oauth: string;
}

/**
 * An app access token (client credentials), fetched on first use, shared by every caller,
 * and renewed when it expires or when Helix says it is no longer valid (401).
 */
export class AppTokenProvider {
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly credentials: AppCredentials,
    private readonly log?: Pick<Logger, 'info' | 'warn'>,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get clientId(): string {
    return this.credentials.clientId;
  }

  async get(): Promise<string> {
    // renew a little before Twitch's expiry so a request never carries a dying token
    if (this.token && this.token.expiresAt - 60_000 > Date.now()) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `value` if it is still the current token (Helix answered 401 to it). */
  invalidate(value: string): void {
    if (this.token?.value === value) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const { clientId, clientSecret, oauth } = this.credentials;
    const body = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials' });
    const res = await this.fetchImpl(`${oauth}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(10_000) });
    const json = (await res.json().catch(() => undefined)) as { access_token?: string; expires_in?: number; message?: string } | undefined;
    if (!res.ok || !json?.access_token) throw new Error(`Twitch refused the app credentials (${res.status}${json?.message ? `: ${json.message}` : ''})`);
    this.token = { value: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 };
    this.log?.info({ expiresInS: json.expires_in }, 'obtained a Twitch app token');
    return json.access_token;
  }
}
