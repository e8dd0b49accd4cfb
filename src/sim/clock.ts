import { SystemClock, TimerQueue, sleepWith, type CancelTimer, type Clock } from '../core/clock.js';

/**
 * The simulator's clock, switchable at run time between real time (speed 1), accelerated
 * (speed N: N simulated seconds per real second) and stepped (speed 0: time moves only when
 * advanced). Timers are checked by `pump()`, which the simulator calls often, and by `advance`.
 */
export class SimClock implements Clock {
  private baseSim: number;
  private baseReal: number;
  private currentSpeed: number;
  private readonly timers = new TimerQueue();

  constructor(startMs: number, speed: number) {
    if (!(speed >= 0)) throw new RangeError('speed must be ≥ 0');
    this.baseSim = startMs;
    this.baseReal = Date.now();
    this.currentSpeed = speed;
  }

  get kind(): 'accelerated' | 'manual' {
    return this.currentSpeed === 0 ? 'manual' : 'accelerated';
  }
  get speed(): number {
    return this.currentSpeed;
  }

  now(): number {
    return this.baseSim + (Date.now() - this.baseReal) * this.currentSpeed;
  }

  setSpeed(speed: number): void {
    if (!(speed >= 0) || !Number.isFinite(speed)) throw new RangeError('speed must be a finite number ≥ 0');
    this.baseSim = this.now();
    this.baseReal = Date.now();
    this.currentSpeed = speed;
  }

  /** moves simulated time forward by `ms` at once (any speed), firing due timers */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('cannot move time backwards');
    this.baseSim += ms;
    this.pump();
  }

  at(atMs: number, fn: () => void): CancelTimer {
    return this.timers.add(atMs, fn);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** fires every timer that is due, in time order */
  pump(): void {
    const now = this.now();
    for (let due = this.timers.takeDue(now); due; due = this.timers.takeDue(now)) due.fn();
  }
}

/**
 * The clock Helix's rate limit runs on, and with it a client's budget (Ratelimit-Reset is in this
 * clock's epoch seconds). For a client that keeps the simulator's time (the built-in Lurk) it is
 * the simulated clock while the world is accelerated (speed > 1): a simulated minute brings 800
 * points, so Lurk samples the world as often per simulated minute as it samples Twitch per real
 * minute (on wall time a world at speed 300 gets one minute's budget every five simulated hours,
 * and the sweeps fall hours apart). Otherwise, and for every client that paces against
 * Date.now() (twurple, `lurk sim` on its own), it is wall time, as on Twitch.
 */
export class RateClock implements Clock {
  private readonly system = new SystemClock();
  constructor(
    private readonly sim: SimClock,
    /** true: follow the simulated clock while it is accelerated */
    private readonly followsWorld: boolean,
  ) {}

  get accelerated(): boolean {
    return this.followsWorld && this.sim.speed > 1;
  }
  get kind(): 'accelerated' | 'system' {
    return this.accelerated ? 'accelerated' : 'system';
  }
  get speed(): number {
    return this.accelerated ? this.sim.speed : 1;
  }
  now(): number {
    return this.accelerated ? this.sim.now() : Date.now();
  }
  at(atMs: number, fn: () => void): CancelTimer {
    return this.accelerated ? this.sim.at(atMs, fn) : this.system.at(atMs, fn);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}

/** Twitch's timestamps: RFC 3339 in UTC, to the second */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
