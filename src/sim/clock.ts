import { TimerQueue, sleepWith, type CancelTimer, type Clock } from '../core/clock.js';

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
