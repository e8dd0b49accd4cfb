import type { FastifyInstance } from 'fastify';
import type { Capability, Registered } from './capability.js';
import { ConfigError, type LurkConfig } from './config/load.js';
import { listenError, simPortSetting } from './config/setting-error.js';
import { InProcessBus, type Bus } from './core/bus.js';
import { SystemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { createMetrics, type Metrics } from './core/metrics.js';
import { Scheduler } from './core/scheduler.js';
import { discoverCapability } from './discover/module.js';
import { audienceCapability } from './audience/module.js';
import type { AudienceService } from './audience/service.js';
import { liveCapability, type LiveApi } from './live/module.js';
import { moodCapability } from './mood/module.js';
import type { MoodService } from './mood/service.js';
import { watchSpeed } from './discover/pace.js';
import { intakeCapability, type IntakeApi } from './intake/module.js';
import { loadSecretKey, secretKeyDir } from './config/secret-key.js';
import type { DiscoverService } from './discover/service.js';
import { createSimulator, generateClientId, generateClientSecret, lurkRedirectUris, speedProblem, type Simulator } from './sim/index.js';
import { statusCapability } from './status/module.js';
import { openStore, type Store } from './store/database.js';
import { TwitchAccess, type TwitchTarget } from './twitch/access.js';
import type { HelixBudget } from './twitch/budget.js';
import { configuredEndpoints, simulatorEndpoints, type TwitchEndpoints } from './twitch/endpoints.js';
import type { HelixClient } from './twitch/helix-client.js';
import { watchtimeCapability } from './watchtime/module.js';
import type { WatchtimeService } from './watchtime/service.js';
import { UI_PAGE_PATHS } from './web/pages.js';
import { DEFAULT_UI_DIR, createWebServer, serveUi } from './web/server.js';

import { VERSION } from './version.js';

export { VERSION };

export interface LurkOptions {
  clock?: Clock;
  /** false: don't start the built-in simulator even without Twitch credentials (tests of the shell) */
  simulator?: boolean;
  /** false: serve Discover from the store without sweeping Twitch (benchmarks, a web-only role) */
  sweep?: boolean;
  log?: Logger;
  uiDir?: string;
}

export interface Lurk {
  readonly config: LurkConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly bus: Bus;
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly metrics: Metrics;
  readonly web: FastifyInstance;
  readonly discover: DiscoverService;
  readonly watchtime: WatchtimeService;
  readonly mood: MoodService;
  readonly audience: AudienceService;
  /** Live events: sessions, accounts, the event socket hub and the feed */
  readonly live: LiveApi;
  /** EventSub's intake (declare subscriptions through twitch.eventsub) */
  readonly intake: IntakeApi;
  /** Twitch access: Helix, chat and EventSub, as capabilities see it */
  readonly twitchAccess: TwitchAccess;
  /** the shared Helix budget (all callers draw on it) */
  readonly budget: HelixBudget;
  /** the Helix client, once started */
  helix(): HelixClient;
  /** the built-in simulator, in simulator mode */
  readonly simulator?: Simulator;
  /** where the Twitch clients connect (known after start in simulator mode) */
  twitch(): { endpoints: TwitchEndpoints; clientId: string; clientSecret: string };
  /** migrates, starts jobs and listens; resolves with the base URL */
  start(): Promise<string>;
  /** graceful: stop jobs, drain HTTP, close the bus and the database */
  stop(): Promise<void>;
}

/**
 * Assembles one Lurk process with every role. Nothing listens or runs until start().
 */
export async function createLurk(config: LurkConfig, options: LurkOptions = {}): Promise<Lurk> {
  const log = options.log ?? createLogger(config.logLevel);
  // Without Twitch credentials Lurk runs against its own Twitch, on the simulator's clock so
  // that an accelerated world speeds Lurk's schedules up with it.
  const simulator =
    config.mode === 'simulator' && options.simulator !== false
      ? createSimulator({
          ...config.sim,
          // Lurk keeps the simulator's time, so an accelerated world grants budget per simulated minute
          simulatedRateLimit: true,
          host: 'localhost',
          log,
          // its login callback on this Lurk's port, the only redirect URLs the simulator accepts
          clients: [{ clientId: generateClientId(), clientSecret: generateClientSecret(), redirectUris: lurkRedirectUris(config.http.port) }],
        })
      : undefined;
  const clock = options.clock ?? simulator?.clock ?? new SystemClock();
  const metrics = createMetrics();
  const bus = new InProcessBus(log, (topic) => metrics.busHandlerErrors.inc({ topic }));
  const store = await openStore({ url: config.database.url, onQueryError: () => metrics.dbErrors.inc() });
  const scheduler = new Scheduler(clock, bus, log.child({ component: 'scheduler' }));

  const twitch = new TwitchAccess({
    target: (): TwitchTarget => {
      if (simulator) return { endpoints: simulatorEndpoints(simulator.address), ...simulator.lurkClient(), lendAccount: (clientId, scopes) => simulator.lendAccount(clientId, scopes) };
      // a process that never calls Twitch (no sweep) needs no credentials
      if (options.sweep === false) return { endpoints: configuredEndpoints(config.twitch), clientId: '', clientSecret: '' };
      return { endpoints: configuredEndpoints(config.twitch), clientId: config.twitch.clientId!, clientSecret: config.twitch.clientSecret! };
    },
    bot: config.watchtime.chat,
    chat: { channelsPerConnection: config.chat.channelsPerConnection },
    // the budget keeps Helix's time: the simulator's rate clock, wall time for Twitch
    rateClock: simulator?.rateClock ?? new SystemClock(),
    clock,
    bus,
    log,
    metrics,
  });

  let migrated = false;
  const web = await createWebServer({
    log,
    metrics,
    bodyLimit: config.http.bodyLimit,
    hosts: {
      listenHost: config.http.host,
      ...(config.http.allowedHosts ? { allowedHosts: config.http.allowedHosts } : {}),
      ...(config.http.publicUrl ? { publicUrl: config.http.publicUrl } : {}),
    },
    version: VERSION,
    uiDir: options.uiDir ?? DEFAULT_UI_DIR,
    readiness: [
      {
        name: 'database',
        async check() {
          await store.ping();
          return undefined;
        },
      },
      {
        name: 'migrations',
        async check() {
          if (migrated) return undefined;
          const pending = await store.pendingMigrations();
          if (pending.length > 0) return `${pending.length} pending (${pending.join(', ')})`;
          migrated = true;
          return undefined;
        },
      },
    ],
  });

  // Each capability registers its routes, jobs and subscriptions in turn; they start in this
  // order and stop in reverse.
  const context = { config, clock, log, bus, store, scheduler, metrics, web, twitch, sweep: options.sweep !== false };
  const registered: { name: string; module: Registered<unknown> }[] = [];
  const register = async <Api>(capability: Capability<Api>): Promise<Api> => {
    const module = await capability.register(context);
    registered.push({ name: capability.name, module });
    return module.api;
  };
  let intakeApi: IntakeApi | undefined;
  await register(statusCapability({ version: VERSION, simulator: simulator ? () => simulator.summary() : undefined, eventsub: () => intakeApi?.statusView() }));
  // the master key is read (or made) before anything listens: a key that cannot be kept stops the start
  const masterKey = loadSecretKey({ configured: config.secretKey, dir: secretKeyDir(config.database, process.cwd()) });
  const intake = await register(intakeCapability({ masterKey }));
  intakeApi = intake;
  const mood = await register(moodCapability);
  const audience = await register(audienceCapability);
  const live = await register(liveCapability({ masterKey }));
  const discover = await register(discoverCapability);
  const watchtime = await register(watchtimeCapability);
  await serveUi(web, options.uiDir ?? DEFAULT_UI_DIR, UI_PAGE_PATHS);

  let stopping: Promise<void> | undefined;
  return {
    config,
    clock,
    log,
    bus,
    store,
    scheduler,
    metrics,
    web,
    ...(simulator ? { simulator } : {}),
    discover,
    watchtime,
    mood,
    audience,
    live,
    intake,
    twitchAccess: twitch,
    budget: twitch.budget,
    helix: () => twitch.helix(),
    twitch: () => {
      const { endpoints, clientId, clientSecret } = twitch.target();
      return { endpoints, clientId, clientSecret };
    },
    async start() {
      if (simulator) {
        const addresses = await simulator.start().catch((err: unknown) => {
          throw listenError(err, simPortSetting((err as { port?: number }).port, config.sim));
        });
        log.info({ http: addresses.httpUrl, irc: addresses.ircPort, ircWs: addresses.ircWsPort, seed: config.sim.seed, speed: config.sim.speed }, 'simulated Twitch is up');
        // an accelerated world this machine cannot keep up with would give wrong figures: refused
        const problem = await speedProblem(simulator);
        if (problem) throw new ConfigError([{ name: 'LURK_SIM_SPEED', message: problem }]);
        watchSpeed(simulator, bus, log, config.watchtime.gapSeconds * 1000);
      }
      const report = await store.migrate();
      if (report.applied.length > 0) log.info({ applied: report.applied }, 'database migrated');
      migrated = true;
      twitch.start();
      for (const { module } of registered) await module.start?.();
      const address = await web.listen({ host: config.http.host, port: config.http.port }).catch((err: unknown) => {
        throw listenError(err, 'PORT', 'HOST');
      });
      intake.listening(address);
      // the simulator accepts Lurk's login callback on the port it really got (PORT=0 picks one)
      if (simulator) simulator.auth.addRedirectUris(simulator.lurkClient().clientId, lurkRedirectUris((web.server.address() as { port: number }).port));
      scheduler.start();
      log.info({ url: address, mode: config.mode, database: store.label }, 'Lurk is up');
      return address;
    },
    stop() {
      stopping ??= (async () => {
        log.info('shutting down');
        await twitch.stop();
        await scheduler.stop(Math.max(100, config.shutdownTimeoutMs / 2));
        await web.close();
        // nothing new arrives now (sockets and HTTP are closed): what was accepted reaches the bus before it closes
        await intake.idle();
        await simulator?.stop();
        // the bus delivers what was published before capabilities stop
        await bus.close();
        for (const { name, module } of [...registered].reverse()) {
          await module.stop?.().catch((err: unknown) => log.error({ err, capability: name }, 'capability stop failed'));
        }
        await store.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
