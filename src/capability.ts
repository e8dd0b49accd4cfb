// The contract every capability (Discover, Watch time, Status, and those to come) keeps with the
// process that hosts it. A capability's folder has one entry, `module.ts`, exporting a
// Capability; `createLurk` (src/app.ts) registers each in turn, starts them in that order and
// stops them in reverse. A capability sees only this context: it never builds its own database,
// bus or Twitch client, so the same module runs in the embedded process and in any scale-out role.
import type { FastifyInstance } from 'fastify';
import type { LurkConfig } from './config/load.js';
import type { Bus } from './core/bus.js';
import type { Clock } from './core/clock.js';
import type { Logger } from './core/logger.js';
import type { Metrics } from './core/metrics.js';
import type { Scheduler } from './core/scheduler.js';
import type { Store } from './store/database.js';
import type { TwitchAccess } from './twitch/access.js';

export interface CapabilityContext {
  readonly config: LurkConfig;
  /** Lurk's time: the simulator's clock in simulator mode, so an accelerated world speeds schedules up */
  readonly clock: Clock;
  /** the process's logger; a capability names its parts with child({ component }) */
  readonly log: Logger;
  readonly bus: Bus;
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly metrics: Metrics;
  /** the HTTP server: routes are registered on it before it listens */
  readonly web: FastifyInstance;
  /** Helix, its budget, the endpoints and the bot account; Helix answers only once started */
  readonly twitch: TwitchAccess;
  /** false: this process does not sweep Twitch (benchmarks, a web-only role) */
  readonly sweep: boolean;
}

/** what a registered capability hands back: its service for others, and its lifecycle */
export interface Registered<Api> {
  /** what the process exposes of it (lurk.discover, lurk.watchtime …) */
  readonly api: Api;
  /** after migrations and Twitch's start, before the HTTP server listens */
  start?(): Promise<void>;
  /** after jobs, HTTP and the bus have stopped (what the bus delivered last is still handled), before the database closes */
  stop?(): Promise<void>;
}

export interface Capability<Api = unknown> {
  readonly name: string;
  /** builds the capability and registers its routes, jobs and bus subscriptions; nothing runs yet */
  register(ctx: CapabilityContext): Promise<Registered<Api>>;
}
