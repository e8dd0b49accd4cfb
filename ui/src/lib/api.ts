// One way to ask Lurk's JSON API, shared by every page: errors arrive as ApiError with the API's code.
import { useEffect, useRef, useState } from 'preact/hooks';

/** An API failure, with what a page needs to explain it politely. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** seconds, from Retry-After (429) */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('Could not reach Lurk; check your connection', 0, 'network');
  }
  if (res.ok) return (await res.json()) as T;
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  const retry = Number(res.headers.get('retry-after'));
  throw new ApiError(body?.error?.message ?? `Lurk answered HTTP ${res.status}`, res.status, body?.error?.code ?? 'http', Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

/** a state-changing request with a JSON body; a refusal arrives as ApiError with the API's message */
export async function sendJson(method: 'POST' | 'DELETE', url: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      // Lurk refuses a state-changing request that is not JSON (a cross-site form cannot send JSON)
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw new ApiError('Could not reach Lurk; check your connection', 0, 'network');
  }
  const answer = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (!res.ok) throw new ApiError(answer?.error?.message ?? `Lurk answered HTTP ${res.status}`, res.status, answer?.error?.code ?? 'http');
  return answer;
}

export function isAbort(err: unknown): boolean {
  return (err as Error)?.name === 'AbortError';
}

export interface Loaded<T> {
  data?: T;
  error?: Error;
  /** a request for `url` is under way (data may be an older answer, kept on screen meanwhile) */
  loading: boolean;
  /** data answers the current url, not an earlier one */
  current: boolean;
}

/**
 * Fetches `url` (nothing while it is undefined), again whenever it or `refresh` changes; the
 * last answer stays until the next arrives, so views dim instead of flashing empty.
 */
export function useApi<T>(url: string | undefined, refresh = 0): Loaded<T> {
  const [state, setState] = useState<{ url?: string; data?: T; error?: Error; loading: boolean }>({ loading: url !== undefined });
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  useEffect(() => {
    if (url === undefined) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(url, controller.signal).then(
      (data) => live.current && !controller.signal.aborted && setState({ url, data, loading: false }),
      (err: unknown) => {
        if (isAbort(err) || !live.current || controller.signal.aborted) return;
        // a failed refresh of the same view keeps what was shown
        setState((s) => ({ url, data: s.url === url ? s.data : undefined, error: err as Error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [url, refresh]);
  return { data: state.data, error: state.error, loading: state.loading || state.url !== url, current: state.url === url };
}

/** a query string from the defined values: `query({ a: 1, b: undefined })` is "a=1" */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
}
