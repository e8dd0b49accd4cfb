import { PublishError } from './types.js';

// Shared by the publishers that speak plain HTTP (Mastodon, Discord). Messages name the publisher and
// the step, never a URL (a Discord webhook URL is itself the secret) nor a header.

/** 5xx, 429 and 408 pass with time; any other 4xx needs a person (credentials, a rejected post). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

export function statusError(publisher: string, step: string, status: number, detail?: string, retryAfterMs?: number): PublishError {
  const what = status === 401 || status === 403 ? 'credentials rejected' : `${step} failed`;
  const suffix = detail ? `: ${detail.slice(0, 200)}` : '';
  return new PublishError(`${what} (HTTP ${status})${suffix}`, publisher, isRetryableStatus(status), status, retryAfterMs);
}

/** A failure before any HTTP status: retryable, unless the caller aborted, in which case its abort reason propagates. */
export function networkError(publisher: string, step: string, error: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  return new PublishError(`${step} failed: network error${typeof code === 'string' ? ` (${code})` : ''}`, publisher, true);
}

/** Retry-After in milliseconds, from seconds or an HTTP date. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export interface ErrorDetail {
  detail?: string;
  retryAfterMs?: number;
}

/**
 * fetch that resolves only for 2xx and turns everything else into a PublishError.
 * `describe` pulls a human sentence (and a body-borne retry delay) out of the error body; each network has its own shape.
 */
export async function send(publisher: string, step: string, url: string, init: RequestInit, describe: (body: unknown) => ErrorDetail): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (error) {
    throw networkError(publisher, step, error, init.signal ?? undefined);
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  const { detail, retryAfterMs: fromBody } = describe(body);
  throw statusError(publisher, step, res.status, detail, fromBody ?? retryAfterMs(res.headers.get('retry-after')));
}
