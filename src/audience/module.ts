// Audience: where viewers go when they leave a stream. Chat, notices and JOIN/PART/NAMES come
// from the pool on the bus (Audience says which channels it wants read), raids and stream ends
// from EventSub and the sweep; the presence engine infers moves, the service stores them and the
// routes serve flows, raids, overlap and the community map.
import type { Capability } from '../capability.js';
import { helixUsers } from '../twitch/users.js';
import { ChattersPoller } from './chatters.js';
import { AudienceService } from './service.js';
import { AudienceStore } from './store.js';
import { createAudienceEngine } from './tracker.js';
import { audienceRoutes } from './routes.js';

/** presences starting this soon after a channel is watched were already there (the engine's baseline) */
const WARMUP_MS = 120_000;

export const audienceCapability: Capability<AudienceService> = {
  name: 'audience',
  async register({ config, clock, log, bus, store, scheduler, metrics, web, twitch, sweep }) {
    const c = config.audience;
    const service = new AudienceService({
      config: c,
      store: new AudienceStore(store.db, store.facts),
      engine: createAudienceEngine({ lingerMs: c.lingerSeconds * 1000, windowMs: c.moveWindowSeconds * 1000, warmupMs: WARMUP_MS }),
      warmupMs: WARMUP_MS,
      clock,
      log: log.child({ component: 'audience' }),
      chat: twitch.chat,
      eventsub: twitch.eventsub,
      lookupUsers: (logins) => helixUsers(twitch.helix(), logins),
      // no moderator tokens are held yet (the Live capability will provide them): no channel is listed
      chatters: new ChattersPoller({ helix: () => twitch.helix(), tokenFor: async () => undefined }),
      sweeps: sweep,
      meters: {
        watched: (n) => metrics.audienceWatched.set(n),
        moves: (cause, n) => metrics.audienceMoves.inc({ cause }, n),
        tick: (seconds) => metrics.audienceTick.observe(seconds),
        engine: (m) => {
          metrics.audiencePresences.set(m.presences);
          metrics.audienceEngineBytes.set(m.bytes);
        },
      },
    });
    // the hot path: handlers that return nothing to wait for
    bus.subscribe('chat.message', ({ items }) => service.onMessages(items));
    bus.subscribe('chat.notice', ({ items }) => service.onNotices(items));
    bus.subscribe('chat.membership', ({ items }) => service.onMembership(items));
    bus.subscribe('eventsub.notification', (n) => service.onEventSub(n));
    if (sweep) {
      bus.subscribe('streams.page', (page) => service.onStreamsPage(page));
      bus.subscribe('streams.sweep.completed', (e) => service.onSweepCompleted(e.generation, e.startedAt));
    }
    scheduler.register({
      name: 'audience.prune',
      description: `Forgets per-user moves and activity older than ${c.perUserDays} days (move counts, raids, rankings and maps are kept)`,
      schedule: { everyMs: 3_600_000 },
      runAtStart: true,
      run: async () => {
        const pruned = await service.prune();
        if (pruned.moves + pruned.activity > 0) log.info(pruned, 'audience per-user rows pruned');
      },
    });
    scheduler.register({
      name: 'audience.daily',
      description: "Stores the previous UTC day's most similar channels of each watched channel and its community map",
      schedule: { cron: '10 0 * * *', timezone: 'UTC' },
      run: async () => {
        const done = await service.daily();
        if (done) log.info(done, 'audience day stored');
      },
    });
    await web.register(audienceRoutes, { queries: service, rateLimitPerMinute: config.api.rateLimitPerMinute });
    return {
      api: service,
      start: async () => {
        await service.start();
        // a day whose 00:10 run was missed (Lurk was down) is stored now
        void service.daily(true).catch((err: unknown) => log.warn({ err }, 'audience could not store the previous day'));
      },
      // after the bus has delivered the last signals: the final tick and the activity are written
      stop: () => service.stop(),
    };
  },
};
