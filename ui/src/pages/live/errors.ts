import { ApiError } from '../../lib/api';

/** a failed Live request in words: the API's own message (it names the login or the parameter) */
export function liveError(err: Error): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return 'Could not reach Lurk. Is it still running?';
    if (err.status === 429) return `Lurk is getting too many requests; try again in ${err.retryAfter ?? 10} s.`;
    if (err.status === 401) return 'You are not logged in any more; log in again.';
    return err.message;
  }
  return `Something went wrong: ${err.message}`;
}
