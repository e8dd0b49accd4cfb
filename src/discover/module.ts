// Discover: who is live with nobody watching. Sweeps every live stream through Helix into the
// store and an in-memory pool, and hands out random zero-viewer streams.
import type { Capability } from '../capability.js';
import { discoverRoutes } from './routes.js';
import { DiscoverService } from './service.js';
import { DiscoverStore } from './store.js';
import { Sweeper } from './sweeper.js';

export const discoverCapability: Capability<DiscoverService> = {
  name: 'discover',
  async register({ config, clock, log, bus, store, scheduler, metrics, web, twitch, sweep }) {
    // the pool and the API exist from the start; the sweeper needs Twitch's address, which in
    // simulator mode is known once the simulator listens
    const discoverStore = new DiscoverStore(store.db, store.facts);
    const discover = new DiscoverService(discoverStore, clock, config.discover);
    let sweeper: Sweeper | undefined;

    bus.subscribe('streams.sweep.completed', (event) => void metrics.discoverSweepStreams.set(event.stats.streams));
    if (sweep)
      scheduler.register({
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

    await web.register(discoverRoutes, { service: discover, store: discoverStore, rateLimitPerMinute: config.api.rateLimitPerMinute, maxViewers: config.discover.maxViewers });
    return {
      api: discover,
      async start() {
        const abandoned = await discoverStore.abandonRunning();
        if (abandoned > 0) log.warn({ abandoned }, 'a sweep was interrupted; its streams stay and a new sweep starts');
        const pooled = await discover.load();
        sweeper = new Sweeper({
          helix: twitch.helix(),
          budget: twitch.budget,
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
          errorCount: () => twitch.errorCount(),
        });
        log.info({ pooled }, 'discover pool loaded');
      },
    };
  },
};
