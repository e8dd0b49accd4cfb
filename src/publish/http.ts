import { PublishError } from './types.js';

// Shared by the publishers that speak plain HTTP (Mastodon, Discord). Messages name the publisher and
// the step, never a URL (a Discord webhook URL is itself the secret) nor a header.

/**
 * How long one call to a network may take, answer body included (LURK_PUBLISH_TIMEOUT_SECONDS).
 * Without it a network that accepts and never answers holds the digest job, and the retry job
 * behind it, until shutdown.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The caller's signal (a job's shutdown) and a deadline for one call, whichever comes first. */
export function deadline(timeoutMs: number, signal?: AbortSignal | null): AbortSignal {
  const timer = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timer]) : timer;
}

/** AbortSignal.timeout's reason, also when a library wrapped it (XRPCError, ApiRequestError keep it as a cause). */
export function isTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { name?: unknown }).name === 'TimeoutError') return true;
  }
  return false;
}

/** No answer in time passes with time like any network fault: retryable. */
export function timeoutError(publisher: string, step: string, timeoutMs: number): PublishError {
  return new PublishError(`${step} failed: no answer within ${timeoutMs / 1000} s`, publisher, true);
}

/**
 * fetch with a deadline on every request, for the libraries that take a fetch (@atproto/api):
 * the request's own signal still aborts it too.
 */
export function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const own = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return fetch(input, { ...init, signal: deadline(timeoutMs, own) });
  };
}

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
export function networkError(publisher: string, step: string, error: unknown, signal?: AbortSignal, timeoutMs = DEFAULT_TIMEOUT_MS): unknown {
  if (signal?.aborted) return signal.reason;
  if (isTimeout(error)) return timeoutError(publisher, step, timeoutMs);
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

/** A 2xx answer, its body already read (JSON, or the text when it is not JSON). */
export interface Answer {
  status: number;
  body: unknown;
}

/**
 * fetch that resolves only for 2xx and turns everything else into a PublishError. The body is read
 * here, inside the call's deadline (`timeoutMs`), so a network that sends headers and then stalls
 * times out too; `init.signal` (the job's) aborts it as well.
 * `describe` pulls a human sentence (and a body-borne retry delay) out of the error body; each network has its own shape.
 */
export async function send(publisher: string, step: string, url: string, init: RequestInit, describe: (body: unknown) => ErrorDetail, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Answer> {
  const caller = init.signal ?? undefined;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { ...init, signal: deadline(timeoutMs, caller) });
    // an error answer's body is only a detail: its status decides, even when the body is lost
    text = await res.text().catch((error: unknown) => {
      if (res.ok) throw error;
      return '';
    });
  } catch (error) {
    throw networkError(publisher, step, error, caller, timeoutMs);
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  if (res.ok) return { status: res.status, body };
  const { detail, retryAfterMs: fromBody } = describe(body);
  throw statusError(publisher, step, res.status, detail, fromBody ?? retryAfterMs(res.headers.get('retry-after')));
}
