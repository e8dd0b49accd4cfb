// Mood: emote-aware sentiment of tracked channels' live chat. Chat comes from the pool on the bus
// (Mood says which channels it wants read); each message is classified and counted in live
// windows; closed minutes and moments are stored for good; routes and a WebSocket serve them.
import type { Capability } from '../capability.js';
import { helixUsers } from '../twitch/users.js';
import { createClassifier } from './classifier/index.js';
import { MoodStore } from './store.js';
import { moodRoutes } from './routes.js';
import { MoodService } from './service.js';
import { createMoodEngine } from './windows.js';

export const moodCapability: Capability<MoodService> = {
  name: 'mood',
  async register({ config, clock, log, bus, store, scheduler, metrics, web, twitch, sweep }) {
    const service = new MoodService({
      config: config.mood,
      store: new MoodStore(store.db, store.facts),
      engine: createMoodEngine(),
      classifier: createClassifier(config.mood.lexiconFile ? { lexiconFile: config.mood.lexiconFile } : {}),
      clock,
      log: log.child({ component: 'mood' }),
      chat: twitch.chat,
      lookupUsers: (logins) => helixUsers(twitch.helix(), logins),
      sweeps: Boolean(sweep),
      meters: {
        classified: (n) => metrics.moodClassified.inc(n),
        tracked: (n) => metrics.moodTracked.set(n),
        tick: (seconds) => metrics.moodTick.observe(seconds),
      },
    });
    // the hot path: handlers that return nothing to wait for
    bus.subscribe('chat.message', ({ items }) => service.onMessages(items));
    bus.subscribe('chat.notice', ({ items }) => service.onNotices(items));
    if (config.mood.top > 0 && sweep) {
      bus.subscribe('streams.page', (page) => service.onStreamsPage(page));
      bus.subscribe('streams.sweep.completed', (e) => service.onSweepCompleted(e.generation));
    }
    const hours = config.mood.rawRetentionHours;
    scheduler.register({
      name: 'mood.prune',
      description: hours > 0 ? `Forgets raw chat messages older than ${hours} h (minutes and moments are kept)` : 'Forgets any raw chat messages kept earlier (LURK_MOOD_RAW_RETENTION_HOURS is 0)',
      schedule: { everyMs: 3_600_000 },
      runAtStart: true,
      run: async () => {
        const pruned = await service.pruneRaw();
        if (pruned > 0) log.info({ pruned }, 'raw mood messages pruned');
      },
    });
    await web.register(moodRoutes, { service, rateLimitPerMinute: config.api.rateLimitPerMinute });
    return {
      api: service,
      start: () => service.start(),
      // after the bus has delivered the last chat: the partial minute is written too
      stop: () => service.stop(),
    };
  },
};
