// Twitch's Helix rate budget, shared by every caller in the process. Callers ask for a point
// with a priority; background work (the sweeper) leaves a reserve for everyone else and takes
// whatever else is left. It runs on the clock Helix's limit runs on: wall time for Twitch, the
// simulator's RateClock for the built-in one (simulated time while it is accelerated).
import { SystemClock, type Clock } from '../core/clock.js';

export type Priority = 'interactive' | 'normal' | 'background';

export interface BudgetStats {
  limit: number;
  remaining: number;
  resetAt: number;
  /** points taken, by priority */
  taken: Record<Priority, number>;
  /** 429 answers seen */
  rateLimited: number;
  /** milliseconds (of the budget's clock) spent waiting for the budget, by priority */
  waitedMs: Record<Priority, number>;
}

const WINDOW_MS = 60_000;

/** what the budget reads the time from and waits on */
export type BudgetClock = Pick<Clock, 'now' | 'sleep'>;

export class HelixBudget {
  private limit: number;
  private remaining: number;
  private resetAt = 0;
  private rateLimited = 0;
  private readonly taken: Record<Priority, number> = { interactive: 0, normal: 0, background: 0 };
  private readonly waitedMs: Record<Priority, number> = { interactive: 0, normal: 0, background: 0 };

  private readonly reserveShare: number;
  private readonly clock: BudgetClock;

  constructor(
    options: { limit?: number; reserveShare?: number; clock?: BudgetClock } = {},
    private readonly random: () => number = Math.random,
  ) {
    this.limit = options.limit ?? 800;
    this.remaining = this.limit;
    this.reserveShare = options.reserveShare ?? 0.02;
    this.clock = options.clock ?? new SystemClock();
  }

  private now(): number {
    return this.clock.now();
  }

  /** points background work leaves for interactive and normal callers */
  get reserve(): number {
    return Math.max(1, Math.ceil(this.limit * this.reserveShare));
  }

  /** Waits until a point may be spent at this priority, then takes it. */
  async acquire(priority: Priority, signal?: AbortSignal): Promise<void> {
    const floor = priority === 'background' ? this.reserve : 0;
    for (;;) {
      this.rollWindow();
      if (this.remaining > floor) {
        this.remaining--;
        this.taken[priority]++;
        return;
      }
      // background callers wake a little after the others so those go first
      const jitter = priority === 'background' ? 50 + this.random() * 150 : this.random() * 30;
      const wait = Math.max(0, this.resetAt - this.now()) + jitter;
      await this.clock.sleep(wait, signal);
      this.waitedMs[priority] += wait;
    }
  }

  /** Learns the real state from a response's Ratelimit-* headers. */
  observe(headers: { get(name: string): string | null }, status: number): void {
    const limit = Number(headers.get('ratelimit-limit'));
    const remaining = Number(headers.get('ratelimit-remaining'));
    const reset = Number(headers.get('ratelimit-reset'));
    if (status === 429) this.rateLimited++;
    if (!Number.isFinite(limit) || limit <= 0 || headers.get('ratelimit-remaining') === null) {
      if (status === 429) {
        // no headers to say when: try again in a second
        this.remaining = 0;
        this.resetAt = this.now() + 1000;
      }
      return;
    }
    this.limit = limit;
    const now = this.now();
    // a bucket refills within a window (plus the header's one-second resolution): a reset
    // announced further out (a skewed clock, a server that changed clocks) would stall every
    // caller for nothing, so it is capped
    const resetAt = Number.isFinite(reset) && reset > 0 ? Math.min(reset * 1000, now + WINDOW_MS + 1000) : now + WINDOW_MS;
    // same window: keep the lower count, since points taken for requests still in flight are
    // not in the header yet; a new window: the header is the truth
    this.remaining = Math.abs(resetAt - this.resetAt) < 1500 ? Math.min(this.remaining, remaining) : remaining;
    if (status === 429) this.remaining = 0;
    this.resetAt = resetAt;
  }

  stats(): BudgetStats {
    this.rollWindow();
    return { limit: this.limit, remaining: this.remaining, resetAt: this.resetAt, taken: { ...this.taken }, rateLimited: this.rateLimited, waitedMs: { ...this.waitedMs } };
  }

  /** Once the announced reset has passed, the bucket is full again. */
  private rollWindow(): void {
    const now = this.now();
    if (now >= this.resetAt) {
      this.remaining = this.limit;
      this.resetAt = now + WINDOW_MS;
    }
  }
}
