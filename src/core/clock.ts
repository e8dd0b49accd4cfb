// Time as Lurk sees it. Everything that schedules or stamps goes through a Clock so the
// simulator can run the world faster than real time and tests can step it explicitly.

export type CancelTimer = () => void;

export interface Clock {
  /** milliseconds since the Unix epoch, in this clock's time */
  now(): number;
  /** calls `fn` once this clock reaches `atMs`; returns a canceller */
  at(atMs: number, fn: () => void): CancelTimer;
  /** resolves when this clock has advanced by `ms`, or rejects when `signal` aborts */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  readonly kind: 'system' | 'accelerated' | 'manual';
  /** simulated seconds per real second (1 for the system clock) */
  readonly speed: number;
}

// setTimeout's ceiling is 2^31-1 ms; longer waits re-arm.
const MAX_TIMEOUT = 2_147_483_647;

/** `sleep` for any clock, built on its `at` */
export function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      cancel();
      reject(signal?.reason ?? new Error('aborted'));
    };
    const cancel = clock.at(clock.now() + Math.max(0, ms), () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Wall-clock time. */
export class SystemClock implements Clock {
  readonly kind = 'system' as const;
  readonly speed = 1;
  now(): number {
    return Date.now();
  }
  at(atMs: number, fn: () => void): CancelTimer {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const wait = atMs - Date.now();
      if (wait <= 0) {
        timer = undefined;
        fn();
        return;
      }
      timer = setTimeout(arm, Math.min(wait, MAX_TIMEOUT));
    };
    timer = setTimeout(arm, Math.min(Math.max(0, atMs - Date.now()), MAX_TIMEOUT));
    return () => timer && clearTimeout(timer);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}

/** Runs `speed` simulated milliseconds per real millisecond, starting at `startMs`. */
export class AcceleratedClock implements Clock {
  readonly kind = 'accelerated' as const;
  private readonly realStart = Date.now();
  constructor(
    readonly speed: number,
    private readonly startMs: number = Date.now(),
  ) {
    if (!(speed > 0)) throw new RangeError('speed must be positive');
  }
  now(): number {
    return this.startMs + (Date.now() - this.realStart) * this.speed;
  }
  at(atMs: number, fn: () => void): CancelTimer {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const wait = (atMs - this.now()) / this.speed;
      if (wait <= 0) {
        timer = undefined;
        fn();
        return;
      }
      timer = setTimeout(arm, Math.min(Math.ceil(wait), MAX_TIMEOUT));
    };
    arm();
    return () => timer && clearTimeout(timer);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}

/** Timers of a clock that is not wall time: fired by whoever moves that clock, in time order. */
export class TimerQueue {
  private timers: { atMs: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  add(atMs: number, fn: () => void): CancelTimer {
    const timer = { atMs, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  get size(): number {
    return this.timers.length;
  }

  /** removes and returns the earliest timer due at or before `t` (ties: first added) */
  takeDue(t: number): { atMs: number; fn: () => void } | undefined {
    let due: (typeof this.timers)[number] | undefined;
    for (const timer of this.timers) if (timer.atMs <= t && (!due || timer.atMs < due.atMs || (timer.atMs === due.atMs && timer.seq < due.seq))) due = timer;
    if (due) this.timers = this.timers.filter((timer) => timer !== due);
    return due;
  }
}

/** Stands still until a test advances it; timers fire in time order during `advance`. */
export class ManualClock implements Clock {
  readonly kind = 'manual' as const;
  readonly speed = 1;
  private current: number;
  private readonly timers = new TimerQueue();
  constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }
  now(): number {
    return this.current;
  }
  at(atMs: number, fn: () => void): CancelTimer {
    return this.timers.add(atMs, fn);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
  /** number of timers waiting */
  get pending(): number {
    return this.timers.size;
  }
  /**
   * Moves time forward by `ms`, firing every timer due on the way in order and letting
   * the promise chains they start settle before moving on.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const due = this.timers.takeDue(target);
      if (!due) break;
      this.current = Math.max(this.current, due.atMs);
      due.fn();
    }
    this.current = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O-free async chains run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
