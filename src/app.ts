import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type LurkConfig } from './config/load.js';
import { listenError, simPortSetting } from './config/setting-error.js';
import { InProcessBus, type Bus } from './core/bus.js';
import { SystemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { createMetrics, type Metrics } from './core/metrics.js';
import { Scheduler } from './core/scheduler.js';
import { createSimulator, type Simulator } from './sim/index.js';
import { speedProblem, watchSpeed } from './sim/pace.js';
import { worldSummary } from './sim/protocols/control.js';
import { openStore, type Store } from './store/database.js';
import { REAL_TWITCH, simulatorEndpoints, type TwitchEndpoints } from './twitch/endpoints.js';
import { generateClientId, generateClientSecret, lurkRedirectUris } from './sim/auth.js';
import { discoverRoutes } from './discover/routes.js';
import { createPublishers } from './publish/index.js';
import { MentionAnswerer } from './watchtime/answers.js';
import { DigestPublisher, dueDigestDay } from './watchtime/digest.js';
import { watchtimeRoutes } from './watchtime/routes.js';
import { WatchtimeChatCommand } from './watchtime/chat-command.js';
import { IrcClient } from './twitch/irc-client.js';
import { WatchtimeService } from './watchtime/service.js';
import { DiscoverService } from './discover/service.js';
import { DiscoverStore } from './discover/store.js';
import { Sweeper } from './discover/sweeper.js';
import { AppTokenProvider } from './twitch/app-token.js';
import { HelixBudget } from './twitch/budget.js';
import { HelixClient } from './twitch/helix-client.js';
import { statusRoutes } from './status/routes.js';
import { JobHistory, StatusService } from './status/service.js';
import { DEFAULT_UI_DIR, createWebServer, serveUi } from './web/server.js';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Client-side pages of the UI; the server answers them with index.html. */
import { UI_PAGE_PATHS } from './web/pages.js';
export const UI_PAGES = UI_PAGE_PATHS;

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
  const history = new JobHistory(store);
  const startedAt = clock.now();
  const status = new StatusService({
    clock,
    store,
    scheduler,
    mode: config.mode,
    version: VERSION,
    startedAt,
    startedAtReal: Date.now(),
    ...(simulator ? { simulator: () => worldSummary(simulator) } : {}),
  });

  let migrated = false;
  const web = await createWebServer({
    log,
    metrics,
    bodyLimit: config.http.bodyLimit,
    hosts: { listenHost: config.http.host, ...(config.http.allowedHosts ? { allowedHosts: config.http.allowedHosts } : {}) },
    version: VERSION,
    uiDir: options.uiDir ?? DEFAULT_UI_DIR,
    readiness: [
      {
        name: 'database',
        async check() {
          await sql`select 1`.execute(store.db);
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

  bus.subscribe('streams.sweep.completed', (event) => void metrics.discoverSweepStreams.set(event.stats.streams));

  bus.subscribe('job.finished', async (event) => {
    metrics.jobRuns.inc({ job: event.job, outcome: event.outcome ?? 'ok', trigger: event.trigger });
    if (event.durationMs !== undefined) metrics.jobDuration.observe({ job: event.job }, event.durationMs / 1000);
    await history.record(event.job, {
      startedAt: event.startedAt,
      finishedAt: event.finishedAt ?? event.startedAt,
      durationMs: event.durationMs ?? 0,
      outcome: event.outcome ?? 'ok',
      trigger: event.trigger,
      ...(event.error ? { error: event.error } : {}),
    });
  });

  scheduler.register({
    name: 'status.sample',
    description: 'Samples memory, event-loop delay and database size for the Status page',
    schedule: { everyMs: 10_000 },
    runAtStart: true,
    run: async () => {
      await status.sample();
    },
  });
  scheduler.register({
    name: 'store.maintenance',
    description: 'Prunes old job history and lets the database refresh its query statistics',
    schedule: { cron: '17 * * * *' },
    run: async () => {
      await history.prune(500);
      if (store.kind === 'sqlite') {
        await sql`pragma optimize`.execute(store.db);
        await sql`pragma wal_checkpoint(passive)`.execute(store.db);
      } else {
        await sql`analyze`.execute(store.db);
      }
    },
  });

  // Discover: the pool and the API exist from the start; the sweeper needs Twitch's address,
  // which in simulator mode is known once the simulator listens.
  const discoverStore = new DiscoverStore(store.db, store.facts);
  const discover = new DiscoverService(discoverStore, clock, config.discover);
  // the budget keeps Helix's time: the simulator's rate clock, wall time for Twitch
  const rateClock = simulator?.rateClock ?? new SystemClock();
  const budget = new HelixBudget({ clock: rateClock });
  let helix: HelixClient | undefined;
  let helixErrors = 0;
  let sweeper: Sweeper | undefined;
  if (options.sweep !== false) scheduler.register({
    name: 'discover.sweep',
    description: 'Sweeps every live stream through Helix /streams at the rate-limit ceiling; a new sweep starts when the last one ends',
    schedule: { everyMs: 10_000 },
    runAtStart: true,
    overrunsExpected: true,
    run: async ({ signal }) => {
      if (!sweeper) return;
      await sweeper.sweep(signal);
      discover.throttle.prune(Date.now());
    },
  });

  // Watch time: samples every page of Discover's sweep from the bus; no sweep of its own.
  const watchtime = new WatchtimeService({
    db: store.db,
    clock,
    log: log.child({ component: 'watchtime' }),
    config: config.watchtime,
    onWrite: (outcome, seconds, tracked) => {
      metrics.watchtimeWrites.observe({ outcome }, seconds);
      metrics.watchtimeTracked.set(tracked);
      const sizes = watchtime.sizes();
      for (const [kind, n] of [['live_streams', sizes.liveStreams], ['known_games', sizes.knownGames], ['known_channels', sizes.knownChannels], ['search_names', sizes.searchNames], ['queued_rows', sizes.queuedRows], ['queued_samples', sizes.queuedSamples]] as const) metrics.watchtimeMemory.set({ kind }, n);
      metrics.watchtimeDroppedSamples.set(sizes.droppedSamples);
    },
  });
  scheduler.register({
    name: 'watchtime.maintenance',
    description: `Writes counted hours and prunes raw samples older than ${config.watchtime.rawDays} days (rollups are kept)`,
    schedule: { cron: '23 * * * *' },
    run: async () => {
      const { pruned } = await watchtime.maintain();
      if (pruned > 0) log.info({ pruned }, 'raw watch-time samples pruned');
    },
  });

  const publishers = createPublishers(config.publish);
  const digests = new DigestPublisher(store.db, publishers, log.child({ component: 'digest' }), () => clock.now());
  const runDigest = async (signal: AbortSignal) => {
    const day = dueDigestDay(watchtime, config.watchtime.digestTime, clock.now());
    const digest = await digests.stored(watchtime, day, config.watchtime.digestSeed);
    if (!digest) return;
    const outcomes = await digests.publish(digest, undefined, signal);
    for (const o of outcomes) metrics.digestPosts.inc({ publisher: o.publisher, outcome: o.status });
    const posted = outcomes.filter((o) => o.status === 'posted').length;
    if (posted > 0) log.info({ day, posted, failed: outcomes.filter((o) => o.status === 'failed').length }, 'daily digest posted');
  };
  if (publishers.length > 0) {
    const [hh, mm] = config.watchtime.digestTime.split(':').map(Number) as [number, number];
    scheduler.register({
      name: 'watchtime.digest',
      description: `Posts yesterday's top games, streamers and random game to ${publishers.map((p) => p.name).join(', ')} at ${config.watchtime.digestTime} ${config.watchtime.timeZone}`,
      schedule: { cron: `${mm} ${hh} * * *`, timezone: config.watchtime.timeZone },
      run: ({ signal }) => runDigest(signal),
    });
    scheduler.register({
      name: 'watchtime.digest-retry',
      description: 'Posts what the last digest could not (a publisher was down, or Lurk was) — each post once per publisher and day',
      schedule: { everyMs: 15 * 60_000 },
      run: ({ signal }) => runDigest(signal),
    });
  }
  const answerer = new MentionAnswerer(store.db, watchtime, publishers, log.child({ component: 'answers' }), () => clock.now());
  if (answerer.sources.length > 0 && config.watchtime.answersPollSeconds > 0) {
    scheduler.register({
      name: 'watchtime.answers',
      description: `Answers mentions on ${answerer.sources.map((p) => p.name).join(', ')} with watch time (each once)`,
      schedule: { everyMs: config.watchtime.answersPollSeconds * 1000 },
      run: async ({ signal }) => {
        await answerer.poll(signal);
      },
    });
  }

  await web.register(statusRoutes, { status, scheduler, history, bus });
  await web.register(discoverRoutes, { service: discover, store: discoverStore, rateLimitPerMinute: config.api.rateLimitPerMinute, maxViewers: config.discover.maxViewers });
  await web.register(watchtimeRoutes, { service: watchtime, rateLimitPerMinute: config.api.rateLimitPerMinute });
  await serveUi(web, options.uiDir ?? DEFAULT_UI_DIR, UI_PAGES);

  let chat: IrcClient | undefined;
  let stopping: Promise<void> | undefined;
  const twitch = () => {
    if (simulator) {
      const client = simulator.auth.registeredClients()[0]!;
      return { endpoints: simulatorEndpoints(simulator.address), ...client };
    }
    return { endpoints: REAL_TWITCH, clientId: config.twitch.clientId!, clientSecret: config.twitch.clientSecret! };
  };
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
    budget,
    helix() {
      if (!helix) throw new Error('Lurk has not started yet');
      return helix;
    },
    twitch,
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
      const target = options.sweep === false && !simulator ? { endpoints: REAL_TWITCH, clientId: '', clientSecret: '' } : twitch();
      helix = new HelixClient({
        base: target.endpoints.helix,
        tokens: new AppTokenProvider({ clientId: target.clientId, clientSecret: target.clientSecret, oauth: target.endpoints.oauth }, log),
        budget,
        clock: rateClock,
        log: log.child({ component: 'helix' }),
        onResponse: (status) => {
          if (status === 'error' || status >= 500) helixErrors++;
          metrics.helixRequests.inc({ status: String(status) });
          metrics.helixBudgetRemaining.set(budget.stats().remaining);
        },
      });
      await watchtime.start(bus);
      const abandoned = await discoverStore.abandonRunning();
      if (abandoned > 0) log.warn({ abandoned }, 'a sweep was interrupted; its streams stay and a new sweep starts');
      const pooled = await discover.load();
      sweeper = new Sweeper({
        helix,
        budget,
        store: discoverStore,
        db: store.db,
        facts: store.facts,
        bus,
        clock,
        log: log.child({ component: 'sweeper' }),
        languages: config.discover.languages,
        graceSweeps: config.discover.graceSweeps,
        onStreams: (streams) => {
          for (const s of streams) discover.pool.update(s);
          metrics.discoverPool.set(discover.pool.size);
        },
        onRemoved: (ids) => {
          for (const id of ids) discover.pool.remove(id);
          metrics.discoverPool.set(discover.pool.size);
        },
        errorCount: () => helixErrors,
      });
      log.info({ pooled }, 'discover pool loaded');
      if (config.watchtime.chatChannels.length > 0) {
        const irc = target.endpoints.ircTcp;
        // in simulator mode the simulator lends its first viewer account as the bot
        const botIndex = config.sim.channels;
        const login = config.watchtime.chat?.login ?? simulator!.world.login(botIndex);
        chat = new IrcClient({
          ...irc,
          login,
          token: () => config.watchtime.chat?.token ?? simulator!.auth.issueUser(target.clientId, botIndex, ['chat:read', 'chat:edit']).accessToken,
          channels: config.watchtime.chatChannels,
          log: log.child({ component: 'chat' }),
        });
        new WatchtimeChatCommand(chat, watchtime, log.child({ component: 'watchtime-chat' }));
        void chat.start();
      }
      for (const job of scheduler.list()) scheduler.restoreHistory(job.name, await history.recent(job.name, 60));
      const address = await web.listen({ host: config.http.host, port: config.http.port }).catch((err: unknown) => {
        throw listenError(err, 'PORT', 'HOST');
      });
      scheduler.start();
      log.info({ url: address, mode: config.mode, database: store.label }, 'Lurk is up');
      return address;
    },
    stop() {
      stopping ??= (async () => {
        log.info('shutting down');
        chat?.close();
        await scheduler.stop(Math.max(100, config.shutdownTimeoutMs / 2));
        await web.close();
        await simulator?.stop();
        await bus.close();
        // after the bus has delivered the last pages: what was counted is written
        await watchtime.stop();
        status.stop();
        await store.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
