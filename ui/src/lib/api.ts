// One way to ask Lurk's JSON API, shared by every page: errors arrive as ApiError with the API's code.

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

export function isAbort(err: unknown): boolean {
  return (err as Error)?.name === 'AbortError';
}
