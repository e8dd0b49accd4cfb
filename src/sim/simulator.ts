import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import type { Logger } from 'pino';
import { LURK_DEFAULT_PORT, SimAuth, generateClientId, generateClientSecret, lurkRedirectUris, type RegisteredClient } from './auth.js';
import { RateClock, rfc3339, SimClock } from './clock.js';
import { NO_FAULTS, type Faults } from './faults.js';
import { RateLimiter } from './protocols/ratelimit.js';
import type { LentAccount, SimSummary } from './summary.js';
import { World } from './world/world.js';

export interface SimulatorOptions {
  seed: number;
  /** registered broadcasters */
  channels: number;
  /** live channels (default: a quarter of the channels) */
  live?: number;
  /** simulated seconds per real second; 0 = stepped (time moves only when advanced) */
  speed: number;
  /** the world's start time (default: now) */
  startMs?: number;
  /** HTTP host: `localhost` listens on both 127.0.0.1 and ::1, as twurple needs */
  host?: string;
  /** HTTP port for OAuth, Helix, EventSub and /_sim (0 = any free port) */
  port: number;
  /** IRC over TCP (twurple's ChatClient only connects to 6667); null = no IRC */
  ircPort: number | null;
  /** IRC over WebSocket; null = none */
  ircWsPort: number | null;
  /** the IRC server's other options (keepalive, limits), for tests that need them changed */
  irc?: { pingIntervalMs?: number; pongTimeoutMs?: number; reconnectGraceMs?: number; concurrentJoinLimit?: number };
  /** clients accepted by OAuth; one is generated when none is given */
  clients?: RegisteredClient[];
  /** redirect URLs registered for every client that lists none (default: Lurk's login on its default port) */
  redirectUris?: string[];
  /** how long a consent form's token stays valid, wall-clock ms (ten minutes); tests shorten it */
  consentFormMs?: number;
  /** Helix points per minute per client (per user for user tokens); 0 = unlimited */
  rateLimitPerMinute?: number;
  /** the rate-limit window (one minute on Twitch); tests shorten it */
  rateLimitWindowMs?: number;
  /**
   * true: while accelerated the rate limit runs on simulated time and Ratelimit-Reset is in
   * simulated epoch seconds; only for a client that keeps the simulator's clock (the built-in
   * Lurk). Default: wall time, which clients pacing against Date.now() need.
   */
  simulatedRateLimit?: boolean;
  log: Logger;
  viewersPerLive?: number;
}

/** A protocol that renders the world on the wire; started and stopped with the simulator. */
export interface SimProtocol {
  name: string;
  /** register HTTP routes or WebSocket endpoints on the shared HTTP server */
  register?(app: FastifyInstance, sim: Simulator): Promise<void> | void;
  /** start servers on ports of its own, after the HTTP server listens */
  start?(sim: Simulator): Promise<void>;
  stop?(): Promise<void>;
}

export interface SimulatorAddresses {
  /** e.g. http://localhost:8081 */
  httpUrl: string;
  port: number;
  ircPort: number | null;
  ircWsPort: number | null;
}

const PUMP_EVERY_MS = 25;
/** at most this much real time per pump goes to stepping the world, so the wire stays responsive */
const PUMP_BUDGET_MS = 40;

/**
 * A living fake Twitch: the world, its clock, its identity provider, and every protocol
 * that renders it (OAuth, Helix, EventSub, IRC, the /_sim control and truth API).
 */
export class Simulator {
  readonly world: World;
  readonly clock: SimClock;
  /** what the rate limit runs on (see `simulatedRateLimit`) */
  readonly rateClock: RateClock;
  readonly auth: SimAuth;
  readonly rateLimiter: RateLimiter;
  readonly log: Logger;
  faults: Faults = { ...NO_FAULTS };
  readonly app: FastifyInstance;
  private readonly protocols: SimProtocol[] = [];
  private pump?: NodeJS.Timeout;
  private addresses?: SimulatorAddresses;
  /** true while the world lags behind the clock (the machine cannot keep up with the speed) */
  lagging = false;
  /** real ms per simulated second of recent pumps (see stepCost) */
  private stepCosts: number[] = [];
  private steppedMs = 0;
  /** the first simulated seconds stepped run cold (JIT), about three times slower */
  private warmupMs = 120_000;

  constructor(readonly options: SimulatorOptions) {
    const startMs = options.startMs ?? Date.now();
    this.log = options.log.child({ component: 'sim' });
    this.clock = new SimClock(startMs, options.speed);
    const live = options.live ?? Math.max(1, Math.floor(options.channels / 4));
    this.world = new World({ seed: options.seed, channels: options.channels, live, startMs, ...(options.viewersPerLive ? { viewersPerLive: options.viewersPerLive } : {}) });
    const clients = options.clients?.length ? options.clients : [{ clientId: generateClientId(), clientSecret: generateClientSecret() }];
    const redirectUris = options.redirectUris ?? lurkRedirectUris(LURK_DEFAULT_PORT);
    this.auth = new SimAuth(
      this.clock,
      clients.map((c) => ({ ...c, redirectUris: c.redirectUris ?? redirectUris })),
      options.consentFormMs,
    );
    this.rateClock = new RateClock(this.clock, options.simulatedRateLimit === true);
    this.rateLimiter = new RateLimiter(options.rateLimitPerMinute ?? 800, options.rateLimitWindowMs, () => this.rateClock.now());
    this.app = Fastify({
      loggerInstance: this.log as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: 1_048_576,
      forceCloseConnections: true,
      ajv: { customOptions: { coerceTypes: 'array', allErrors: false } },
    });
  }

  /** Twitch's error shape on its own paths, Lurk's on /_sim */
  private installErrorHandling(): void {
    const isControl = (url: string) => url.startsWith('/_sim');
    this.app.setNotFoundHandler((request, reply) => {
      if (isControl(request.url)) return reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } });
      return reply.status(404).send({ error: 'Not Found', status: 404, message: 'Not Found' });
    });
    this.app.setErrorHandler((err: { statusCode?: number; message: string; validation?: unknown }, request, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      if (status >= 500) this.log.error({ err, url: request.url }, 'simulator request failed');
      const message = status >= 500 ? 'Internal Server Error' : err.message;
      if (isControl(request.url)) return reply.status(status).send({ error: { code: status === 400 ? 'bad_request' : status >= 500 ? 'internal_error' : 'error', message } });
      return reply.status(status).send({ error: status === 400 ? 'Bad Request' : status >= 500 ? 'Internal Server Error' : 'Error', status, message });
    });
  }

  use(protocol: SimProtocol): this {
    this.protocols.push(protocol);
    return this;
  }

  get address(): SimulatorAddresses {
    if (!this.addresses) throw new Error('simulator not started');
    return this.addresses;
  }

  async start(): Promise<SimulatorAddresses> {
    this.installErrorHandling();
    await this.app.register(fastifyWebsocket);
    for (const p of this.protocols) await p.register?.(this.app, this);
    await this.app.listen({ host: this.options.host ?? 'localhost', port: this.options.port });
    const port = (this.app.server.address() as { port: number }).port;
    this.addresses = { httpUrl: `http://localhost:${port}`, port, ircPort: null, ircWsPort: null };
    for (const p of this.protocols) await p.start?.(this);
    this.pump = setInterval(() => this.step(), PUMP_EVERY_MS);
    this.pump.unref?.();
    return this.addresses;
  }

  /** called by IRC protocols once they listen */
  setIrcPorts(ports: { ircPort?: number | null; ircWsPort?: number | null }): void {
    if (!this.addresses) return;
    if (ports.ircPort !== undefined) this.addresses.ircPort = ports.ircPort;
    if (ports.ircWsPort !== undefined) this.addresses.ircWsPort = ports.ircWsPort;
  }

  /** Brings the world up to the clock, within a time budget; also fires clock timers. */
  step(budgetMs = PUMP_BUDGET_MS): void {
    const started = performance.now();
    const deadline = started + budgetMs;
    const target = this.clock.now();
    const from = this.world.now();
    while (this.world.now() + 1000 <= target) {
      this.world.advanceTo(this.world.now() + 1000);
      if (performance.now() > deadline) break;
    }
    const simMs = this.world.now() - from;
    if (simMs > 0) {
      const wasCold = this.warmupMs > 0;
      this.warmupMs -= simMs;
      // warm: the cold figures go, they overstate the cost
      if (wasCold && this.warmupMs <= 0) this.stepCosts = [];
      this.stepCosts.push((performance.now() - started) / (simMs / 1000));
      if (this.stepCosts.length > 64) this.stepCosts.shift();
      if (this.warmupMs <= 0) this.steppedMs += simMs;
    }
    this.lagging = this.world.now() + 2000 <= target;
    this.clock.pump();
  }

  /**
   * Real milliseconds one simulated second of this world takes to step: the median of recent
   * pumps, so a moment when other processes had the CPU does not count as the world's cost (a
   * busy machine shows as `lagging` instead). `warm` once 30 simulated seconds were stepped after
   * the warm-up; before, the figure overstates the cost.
   */
  stepCost(): { ms: number; warm: boolean } | undefined {
    if (this.stepCosts.length < 8) return undefined;
    const sorted = [...this.stepCosts].sort((a, b) => a - b);
    return { ms: sorted[Math.floor(sorted.length / 2)]!, warm: this.steppedMs >= 30_000 };
  }

  /** Moves simulated time forward by `ms` and runs the world through it, however long that takes. */
  advance(ms: number): void {
    this.clock.advance(ms);
    this.world.advanceTo(this.clock.now());
    this.clock.pump();
  }

  /** the world in one object: what GET /_sim/world answers and the Status page shows */
  summary(): SimSummary {
    const stats = this.world.stats();
    return {
      seed: stats.seed,
      time: rfc3339(stats.time),
      time_ms: stats.time,
      clock: { speed: this.clock.speed, mode: this.clock.speed === 0 ? 'stepped' : this.clock.speed === 1 ? 'real time' : 'accelerated', lagging: this.lagging },
      channels: stats.channels,
      live_channels: stats.liveChannels,
      viewers: stats.viewers,
      chatters: stats.chatters,
      messages_per_second: stats.messagesPerSecond,
      games: stats.games,
      rate_limit_per_minute: this.rateLimiter.limit,
      ports: { http: this.address.port, irc: this.address.ircPort, irc_ws: this.address.ircWsPort },
      truth_horizon: this.world.truthHorizon(),
    };
  }

  /** the credentials of the first registered client: the one the built-in Lurk uses */
  lurkClient(): { clientId: string; clientSecret: string } {
    const client = this.auth.registeredClients()[0]!;
    return { clientId: client.clientId, clientSecret: client.clientSecret };
  }

  /**
   * Lends a chat account for Lurk's bot: the world's first viewer (the account after the last
   * broadcaster), with user tokens of `scopes` issued to `clientId`.
   */
  lendAccount(clientId: string, scopes: string[]): LentAccount {
    const user = this.world.channelCount;
    return { login: this.world.login(user), token: () => this.auth.issueUser(clientId, user, scopes).accessToken };
  }

  setSpeed(speed: number): void {
    // let the world catch up before the rate changes, so no simulated time is skipped
    this.world.advanceTo(this.clock.now());
    const accelerated = this.rateClock.accelerated;
    this.clock.setSpeed(speed);
    // the rate limit changed clocks: windows opened in the other epoch mean nothing now
    if (this.rateClock.accelerated !== accelerated) this.rateLimiter.clear();
  }

  async stop(): Promise<void> {
    if (this.pump) clearInterval(this.pump);
    for (const p of [...this.protocols].reverse()) await p.stop?.().catch((err: unknown) => this.log.warn({ err, protocol: p.name }, 'protocol stop failed'));
    await this.app.close();
  }
}
