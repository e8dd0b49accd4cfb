export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** epoch seconds of the limiter's clock when the bucket is full again */
  reset: number;
}

const WINDOW_MS = 60_000;

/**
 * Helix's rate limit: `limit` points per minute per client id (per client and user for user
 * tokens). The bucket refills completely one minute after the first point was taken from a
 * full bucket, which is what `Ratelimit-Reset` announces.
 *
 * It runs on the clock it is given: the simulator's RateClock (the simulated clock while the
 * world is accelerated, so a simulated minute brings a minute of budget; wall time otherwise).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { used: number; windowStart: number }>();

  constructor(
    public limit: number,
    /** one minute on Twitch; tests shorten it to see resets quickly */
    private readonly windowMs: number = WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string, points = 1): RateDecision {
    const now = this.now();
    if (this.limit <= 0) return { allowed: true, limit: 0, remaining: 0, reset: Math.ceil(now / 1000) };
    let bucket = this.buckets.get(key);
    if (!bucket || now - bucket.windowStart >= this.windowMs) {
      bucket = { used: 0, windowStart: now };
      this.buckets.set(key, bucket);
    }
    const reset = Math.ceil((bucket.windowStart + this.windowMs) / 1000);
    if (bucket.used + points > this.limit) return { allowed: false, limit: this.limit, remaining: 0, reset };
    bucket.used += points;
    return { allowed: true, limit: this.limit, remaining: this.limit - bucket.used, reset };
  }

  /** forgets every bucket (tests, fault reset) */
  clear(): void {
    this.buckets.clear();
  }
}
