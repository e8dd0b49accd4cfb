import type { ComponentChildren } from 'preact';
import { ApiError } from '../lib/api';

/** what a page says when a request to Lurk failed; `api` names the API for an older Lurk that lacks it */
export function describeError(err: Error, api?: string): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return 'Could not reach Lurk. Is it still running?';
    if (err.status === 429) return `Lurk is getting too many requests; try again in ${err.retryAfter ?? 10} s.`;
    if (err.status === 404 && err.code !== 'not_found') return `This Lurk has no ${api ? `${api} ` : ''}API (is it an older version?).`;
    return err.message;
  }
  return `Something went wrong: ${err.message}`;
}

export function ErrorNotice({ error, onRetry, api }: { error: Error; onRetry?: () => void; api?: string }) {
  return (
    <div class="wt-notice error" role="alert" data-field="error">
      <span>{describeError(error, api)}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ children = 'Loading…' }: { children?: ComponentChildren }) {
  return (
    <div class="wt-loading muted" role="status" data-field="loading">
      <span class="wt-spinner" aria-hidden="true" />
      {children}
    </div>
  );
}
