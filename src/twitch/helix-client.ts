import type { Logger } from 'pino';
import { SystemClock } from '../core/clock.js';
import type { AppTokenProvider } from './app-token.js';
import type { BudgetClock, HelixBudget, Priority } from './budget.js';
import type { HelixError } from './helix.external.js';

export type QueryValue = string | number | undefined | readonly (string | number)[];

/** A Helix answer Lurk will not retry (4xx other than 401/429). */
export class HelixRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: HelixError | undefined,
    path: string,
  ) {
    super(`Helix ${path} answered ${status}${body?.message ? `: ${body.message}` : ''}`);
    this.name = 'HelixRequestError';
  }
}

/** Helix kept failing (5xx, timeouts, connection errors) through every retry. */
export class HelixUnavailableError extends Error {
  constructor(path: string, attempts: number, cause: unknown) {
    super(`Helix ${path} failed ${attempts} times; last: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'HelixUnavailableError';
  }
}

export interface HelixClientOptions {
  /** Helix base, e.g. https://api.twitch.tv/helix */
  base: string;
  tokens: AppTokenProvider;
  budget: HelixBudget;
  log?: Pick<Logger, 'warn' | 'debug'>;
  timeoutMs?: number;
  /** retries of 5xx, 429 and network failures before giving up */
  maxRetries?: number;
  /** observes every answer (metrics) */
  onResponse?: (status: number | 'error', ms: number) => void;
  fetchImpl?: typeof fetch;
  random?: () => number;
  /** first backoff cap; doubles per attempt up to 30 s */
  backoffBaseMs?: number;
  /** what backoffs wait on: the budget's clock (wall time for Twitch, simulated time for an accelerated simulator) */
  clock?: Pick<BudgetClock, 'sleep'>;
}

export interface HelixCall {
  priority: Priority;
  signal?: AbortSignal;
  /** a user access token instead of the app's (EventSub's WebSocket subscriptions need one) */
  userToken?: () => string | Promise<string>;
}

export function buildQuery(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Helix requests with Twitch's rules: the shared budget before every request, a fresh token after a
 * 401, waiting out a 429 until the announced reset, and exponential backoff with jitter for 5xx,
 * timeouts and dropped connections. It never throws for a passing fault, only when Twitch keeps
 * failing or refuses the request itself.
 */
export class HelixClient {
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;
  private readonly clock: Pick<BudgetClock, 'sleep'>;

  constructor(private readonly options: HelixClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetries = options.maxRetries ?? 8;
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? new SystemClock();
  }

  async get<T>(path: string, query: Record<string, QueryValue>, call: HelixCall): Promise<T> {
    return (await this.request<T>('GET', path, query, undefined, call))!;
  }

  /** POST with a JSON body; the answer's JSON */
  async post<T>(path: string, body: unknown, call: HelixCall): Promise<T> {
    return (await this.request<T>('POST', path, {}, body, call))!;
  }

  /** DELETE; Helix answers 204 with no body */
  async delete(path: string, query: Record<string, QueryValue>, call: HelixCall): Promise<void> {
    await this.request('DELETE', path, query, undefined, call);
  }

  private async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, query: Record<string, QueryValue>, body: unknown, call: HelixCall): Promise<T | undefined> {
    const url = `${this.options.base}/${path}${buildQuery(query)}`;
    let lastError: unknown;
    let renewedToken = false;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      await this.options.budget.acquire(call.priority, call.signal);
      const token = call.userToken ? await call.userToken() : await this.options.tokens.get();
      const started = performance.now();
      let res: Response;
      try {
        const signal = call.signal ? AbortSignal.any([call.signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
        const headers: Record<string, string> = { 'client-id': this.options.tokens.clientId, authorization: `Bearer ${token}` };
        if (body !== undefined) headers['content-type'] = 'application/json';
        res = await this.fetchImpl(url, { method, headers, signal, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      } catch (err) {
        if (call.signal?.aborted) throw err;
        this.options.onResponse?.('error', performance.now() - started);
        lastError = err;
        this.options.log?.warn({ path, attempt, err: (err as Error).message }, 'Helix request failed; retrying');
        await this.clock.sleep(this.backoff(attempt), call.signal);
        continue;
      }
      this.options.onResponse?.(res.status, performance.now() - started);
      this.options.budget.observe(res.headers, res.status);
      if (res.status === 204) return undefined;
      if (res.ok) return (await res.json()) as T;
      const answer = (await res.json().catch(() => undefined)) as HelixError | undefined;
      // a user token is its owner's to renew: Lurk holds no refresh for it, so its 401 is final
      if (res.status === 401 && !renewedToken && !call.userToken) {
        // the token expired or was revoked: one fresh token, then Twitch's word is final
        this.options.tokens.invalidate(token);
        renewedToken = true;
        attempt--;
        continue;
      }
      // a POST refused with 429 is a limit on subscriptions (cost, same topic), not the rate: not retried
      if ((res.status === 429 && method !== 'POST') || res.status >= 500) {
        lastError = new HelixRequestError(res.status, answer, path);
        // a 429 is handled by the budget, which now waits for the reset itself
        if (res.status >= 500) await this.clock.sleep(this.backoff(attempt), call.signal);
        continue;
      }
      throw new HelixRequestError(res.status, answer, path);
    }
    throw new HelixUnavailableError(path, this.maxRetries + 1, lastError);
  }

  /** full jitter: a random wait up to an exponentially growing cap (0.5 s … 30 s by default) */
  private backoff(attempt: number): number {
    return Math.round(this.random() * Math.min(30_000, (this.options.backoffBaseMs ?? 500) * 2 ** attempt));
  }
}
