// Twitch's JOIN limit, client side: at most `limit` JOINs in any `windowMs` for one account
// (twitch-protocol.md §5.6). One limiter per account, shared by all of that account's connections.

/** sent JOINs are paced with this much extra room, so network jitter never lands a 21st in the server's window */
const MARGIN_MS = 500;

export class JoinLimiter {
  private readonly times: number[] = [];

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 10_000,
  ) {}

  /** how many JOINs may go out now */
  available(now: number): number {
    this.expire(now);
    return this.limit - this.times.length;
  }

  take(now: number): void {
    this.times.push(now);
  }

  /** ms until the next JOIN may go out (0: now) */
  waitMs(now: number): number {
    this.expire(now);
    if (this.times.length < this.limit) return 0;
    return this.times[0]! + this.windowMs + MARGIN_MS - now;
  }

  private expire(now: number): void {
    while (this.times.length && this.times[0]! + this.windowMs + MARGIN_MS <= now) this.times.shift();
  }
}
